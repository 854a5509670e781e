import { BugError, messageOf, UserError } from '../errors.js';
import { escapeText } from '../render/escape.js';
import { scrubSecrets } from '../secrets.js';
import { ConfigInvalidError } from './config-error.js';
import { EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import { annotate, configProblemAnnotations } from './github.js';
import { DEFAULT_CONFIG_PATH } from './options.js';
import { createOutput, type Output } from './output.js';
import { packageVersion } from './package-version.js';
import { recogniseQuickCommand } from './quick-command.js';

/** Runs the CLI and returns the exit code. Only this edge catches errors and turns them into output. */
export async function main(argv: string[], output: Output = createOutput()): Promise<number> {
  try {
    const quick = recogniseQuickCommand(argv, DEFAULT_CONFIG_PATH);
    if (quick?.kind === 'version') {
      output.out(`${packageVersion()}\n`);
      return EXIT_OK;
    }
    if (quick?.kind === 'validate') {
      const { runValidateCommand } = await import('./validate-command.js');
      return await runValidateCommand(quick.options, output);
    }
    const { runProgram } = await import('./program.js');
    return await runProgram(argv, output, main);
  } catch (error) {
    if (error instanceof UserError) {
      output.err(`Error: ${scrubSecrets(escapeLines(error.message))}\n`);
      for (const step of error.nextSteps) output.err(`  ${scrubSecrets(escapeLines(step))}\n`);
      annotate(
        output,
        error instanceof ConfigInvalidError
          ? configProblemAnnotations(error.problems)
          : [{ level: 'error', title: 'datalinks', message: error.message, hint: error.nextSteps.join('\n') || undefined }],
      );
      return EXIT_ERROR;
    }
    const kind = error instanceof BugError ? 'internal error' : 'unexpected error';
    output.err(
      `Error (${kind}): ${scrubSecrets(escapeLines(messageOf(error)))}\n  This is a bug in datalinks; please report it with the command you ran.\n`,
    );
    if (process.env.DATALINKS_DEBUG && error instanceof Error) output.err(`${scrubSecrets(escapeLines(error.stack ?? ''))}\n`);
    return EXIT_ERROR;
  }
}

/**
 * A user error's message quotes names from the file and the catalogs (an unknown key, a Postgres
 * message): escaped, line by line, since a message may span lines (one per config problem).
 */
function escapeLines(text: string): string {
  return text.split('\n').map(escapeText).join('\n');
}
