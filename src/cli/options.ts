import type { Shard } from '../config/select.js';

/** The options every command takes, and those of the commands that connect (see commands.ts). */
export interface CommonOptions {
  config: string;
  database: string[];
}

/** --link and --shard (plan, apply, check): what of the selected databases a run is limited to. */
export interface SelectionOptions {
  link: string[];
  shard?: Shard;
}

export interface ConnectionFlags {
  connectTimeout: string;
  statementTimeout: string;
  parallelism: number;
}

/** -c's default: the file in the current directory. */
export const DEFAULT_CONFIG_PATH = 'datalinks.yaml';
