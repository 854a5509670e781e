import type { Command } from 'commander';
import { DEFAULT_CONFIG_PATH } from '../config/load-config.js';
import { loadDesiredOrThrow } from './load-desired.js';
import type { Output } from './output.js';

export type SetExitCode = (code: number) => void;

interface CommonOptions {
  config: string;
  database: string[];
}

function withCommonOptions(command: Command): Command {
  return command
    .option('-c, --config <file>', 'the configuration file', DEFAULT_CONFIG_PATH)
    .option('-d, --database <alias>', 'only this database (repeatable)', (value: string, previous: string[]) => [...previous, value], []);
}

export function registerCommands(program: Command, output: Output, setExitCode: SetExitCode): void {
  withCommonOptions(program.command('validate').description('check the configuration file; connects to nothing')).action(
    async (options: CommonOptions) => {
      const desired = await loadDesiredOrThrow(options.config, options.database);
      const links = desired.databases.reduce((sum, db) => sum + db.links.length, 0);
      const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
      output.out(`${options.config} is valid: ${plural(desired.databases.length, 'database')}, ${plural(links, 'link')}.\n`);
      setExitCode(0);
    },
  );
}
