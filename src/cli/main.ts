// cli/: wiring: each command connects the stages below it, nothing else.
import { reportError } from './error-edge.js';
import { createOutput, type Output } from './output.js';
import { runQuickCommand } from './quick-main.js';

/** Runs the CLI and returns the exit code. Only this edge catches errors and turns them into output. */
export async function main(argv: string[], output: Output = createOutput()): Promise<number> {
  const quick = await runQuickCommand(argv, output);
  if (quick !== undefined) return quick;
  try {
    const { runProgram } = await import('./program.js');
    return await runProgram(argv, output, main);
  } catch (error) {
    return reportError(error, output);
  }
}
