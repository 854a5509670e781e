import { reportError } from './error-edge.js';
import { EXIT_OK } from './exit-codes.js';
import { DEFAULT_CONFIG_PATH } from './options.js';
import { createOutput, type Output } from './output.js';
import { packageVersion } from './package-version.js';
import { recogniseQuickCommand } from './quick-command.js';

/**
 * Runs `--version` or a plain `validate` (quick-command.ts) and returns its exit code, or undefined
 * for any other command line. Bundled on its own as CommonJS (scripts/bundle.mjs), which bin/ loads
 * first: those two commands then start without Node's ES module loader.
 */
export async function runQuickCommand(argv: string[], output: Output = createOutput()): Promise<number | undefined> {
  const quick = recogniseQuickCommand(argv, DEFAULT_CONFIG_PATH);
  if (quick === undefined) return undefined;
  try {
    if (quick.kind === 'version') {
      output.out(`${packageVersion()}\n`);
      return EXIT_OK;
    }
    const { runValidateCommand } = await import('./validate-command.js');
    return await runValidateCommand(quick.options, output);
  } catch (error) {
    return reportError(error, output);
  }
}
