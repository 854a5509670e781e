import { EXIT_OK } from './exit-codes.js';
import { validateOrThrow } from './load-desired.js';
import type { CommonOptions } from './options.js';
import type { Output } from './output.js';

/** `datalinks validate`: the file's shape and rules, no connection. Throws a UserError when invalid. */
export async function runValidateCommand(options: CommonOptions, output: Output): Promise<number> {
  const { summary, notes } = await validateOrThrow(options.config, options.database, output.env);
  for (const note of notes) output.out(`${note}\n`);
  output.out(`${summary}\n`);
  return EXIT_OK;
}
