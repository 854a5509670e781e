import type { CommonOptions } from './options.js';

// `datalinks --version` and `datalinks validate -c FILE` run in pre-commit hooks and editors, where
// start-up is most of their time, and loading commander (with node:child_process, which it requires)
// costs a quarter of it. These two exact shapes are recognised here and run without it; anything
// else, a typo or --help included, goes to commander, which parses and reports it as always.

export type QuickCommand = { kind: 'version' } | { kind: 'validate'; options: CommonOptions };

const VALUE_FLAGS: Record<string, keyof CommonOptions> = {
  '-c': 'config',
  '--config': 'config',
  '-d': 'database',
  '--database': 'database',
};

/** The command `argv` (as process.argv) asks for when it is one of the quick shapes, else undefined. */
export function recogniseQuickCommand(argv: readonly string[], defaultConfig: string): QuickCommand | undefined {
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) return { kind: 'version' };
  if (args[0] !== 'validate') return undefined;
  const options: CommonOptions = { config: defaultConfig, database: [] };
  for (let i = 1; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--no-color') continue;
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = equals > 0 ? arg.slice(0, equals) : arg;
    const key = VALUE_FLAGS[flag];
    if (key === undefined) return undefined;
    const value = equals > 0 ? arg.slice(equals + 1) : args[++i];
    // A value that is missing, empty or looks like an option is commander's to judge.
    if (value === undefined || value === '' || value.startsWith('-')) return undefined;
    if (key === 'config') options.config = value;
    else options.database.push(value);
  }
  return { kind: 'validate', options };
}
