import { Command, CommanderError, Option } from 'commander';
import { BugError, messageOf, UserError } from '../errors.js';
import { escapeText } from '../render/escape.js';
import { scrubSecrets } from '../secrets.js';
import { registerCommands } from './commands.js';
import { ConfigInvalidError } from './config-error.js';
import { EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import { annotate, configProblemAnnotations } from './github.js';
import { createOutput, type Output } from './output.js';
import { packageVersion } from './package-version.js';

/** Runs the CLI and returns the exit code. Only this edge catches errors and turns them into output. */
export async function main(argv: string[], output: Output = createOutput()): Promise<number> {
  const program = new Command('datalinks')
    .description('Declarative PostgreSQL data links (postgres_fdw): plan and apply from datalinks.yaml')
    .version(packageVersion(), '-v, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => output.out(text),
      writeErr: (text) => output.err(text),
    })
    .showHelpAfterError('(run datalinks --help for usage)');
  let exitCode = EXIT_OK;
  registerCommands(
    program,
    output,
    (code) => {
      exitCode = code;
    },
    main,
  );
  program.addOption(new Option('--no-color', 'disable colours (NO_COLOR is honoured too)'));
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
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
