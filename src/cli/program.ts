import { Command, CommanderError, Option } from 'commander';
import { type RunCli, registerCommands } from './commands.js';
import { EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import type { Output } from './output.js';
import { packageVersion } from './package-version.js';

/**
 * Parses `argv` with commander and runs the command; returns the exit code. Errors other than
 * commander's propagate. `runCli` is main itself (the demo runs commands), passed down, not imported back.
 */
export async function runProgram(argv: string[], output: Output, runCli: RunCli): Promise<number> {
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
    runCli,
  );
  program.addOption(new Option('--no-color', 'disable colours (NO_COLOR is honoured too)'));
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
    throw error;
  }
}
