import { BugError, messageOf, UserError } from '../errors.js';
import { escapeText } from '../escape.js';
import { scrubSecrets } from '../secrets.js';
import { ConfigInvalidError } from './config-error.js';
import { EXIT_ERROR } from './exit-codes.js';
import { annotate, configProblemAnnotations } from './github.js';
import type { Output } from './output.js';

/** The CLI's one edge for errors: a user error as its message and next steps, anything else as a bug. */
export function reportError(error: unknown, output: Output): number {
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

/**
 * A user error's message quotes names from the file and the catalogs (an unknown key, a Postgres
 * message): escaped, line by line, since a message may span lines (one per config problem).
 */
function escapeLines(text: string): string {
  return text.split('\n').map(escapeText).join('\n');
}
