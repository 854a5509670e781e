// config/: datalinks.yaml -> a validated DesiredState, with the wrappers' URL grammar and option tables.
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BugError } from '../errors.js';
import { type BuildOptions, buildDesiredState } from './desired-state.js';
import { byPosition, type ConfigProblem, type ConfigResult } from './problem.js';
import { readRegularFile } from './read-regular-file.js';
import { readYaml } from './read-yaml.js';
import { validateShape } from './schema.js';
import { showValue } from './show-value.js';
import type { DesiredDatabase, DesiredState } from './types.js';
import type { YamlSource } from './yaml-source.js';

/** The largest config file read: a fleet of 40,000 links is about 3.5 MB. */
export const MAX_CONFIG_BYTES = 10 * 1024 * 1024;

/** The most lines plus commas read: the YAML parser needs about 1 KB of memory per value. */
const MAX_ENTRIES = 1_000_000;

/** What `validate` reports: the file is sound; unset variables are notes, not problems. */
export interface ConfigSummary {
  databases: { alias: string; links: number }[];
}

/** Reads, parses, validates and interpolates a config file. Never throws for a problem in the file. */
export async function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<ConfigResult<DesiredState>> {
  const read = await readConfigBytes(path);
  return read.ok ? await parseConfig(path, read.value, env) : read;
}

/** Checks a config file without needing its secrets: shape and rules, URLs whose variables are set. */
export async function validateConfig(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ConfigResult<ConfigSummary> & { notes: ConfigProblem[] }> {
  const read = await readConfigBytes(path);
  if (!read.ok) return { ...read, notes: [] };
  const checked = await checkConfig(path, read.value, env, { unsetVariables: 'note' });
  if (!checked.ok) return checked;
  const summary = Object.entries(asRecord(asRecord(checked.data)?.databases) ?? {}).map(([alias, database]) => ({
    alias,
    links: Object.keys(asRecord(asRecord(database)?.links) ?? {}).length,
  }));
  return { ok: true, value: { databases: summary }, notes: checked.notes };
}

export async function parseConfig(path: string, bytes: Buffer, env: NodeJS.ProcessEnv): Promise<ConfigResult<DesiredState>> {
  const checked = await checkConfig(path, bytes, env, { unsetVariables: 'problem' });
  if (!checked.ok) return checked;
  if (!checked.databases) throw new BugError('the configuration has no problems but no databases either');
  return { ok: true, value: { configPath: path, configHash: hashConfig(bytes), databases: checked.databases } };
}

async function readConfigBytes(path: string): Promise<ConfigResult<Buffer>> {
  const read = await readRegularFile(path, MAX_CONFIG_BYTES, 'configuration file');
  if (read.ok) return { ok: true, value: read.bytes };
  if (read.missing) {
    return fileProblem(path, {
      message: 'file not found',
      hint: `create ${path} (datalinks.example.yaml is a good start) or pass its path with -c FILE`,
    });
  }
  return fileProblem(path, read);
}

async function checkConfig(
  path: string,
  bytes: Buffer,
  env: NodeJS.ProcessEnv,
  options: BuildOptions,
): Promise<
  | { ok: true; data: unknown; databases?: DesiredDatabase[]; notes: ConfigProblem[] }
  | { ok: false; problems: ConfigProblem[]; notes: ConfigProblem[] }
> {
  const failed = (problems: ConfigProblem[]) => ({ ok: false as const, problems, notes: [] });
  const text = decodeText(bytes);
  if (text === undefined) {
    return failed(
      fileProblem(path, {
        message: 'is not a text file (it contains binary data)',
        hint: 'point -c at your datalinks.yaml; this file is not YAML text',
      }).problems,
    );
  }
  if (countEntries(text) > MAX_ENTRIES) {
    return failed(
      fileProblem(path, {
        message: `has more than ${MAX_ENTRIES.toLocaleString('en-US')} lines and list items, far more than any datalinks.yaml`,
        hint: 'check that this is the right file: 40,000 links take about 160,000 lines',
      }).problems,
    );
  }
  const parsed = await readYaml(path, text);
  if (!parsed.ok) return failed(parsed.problems);
  const { source, data } = parsed;
  if (data === null || data === undefined) {
    return failed(
      fileProblem(path, {
        message: 'is empty',
        hint: 'start from datalinks.example.yaml: a file needs `version: 1` and a `databases:` mapping',
      }).problems,
    );
  }
  const problems = [...validateShape(data, source)];
  const built = buildDesiredState(data, source, env, options);
  problems.push(...built.problems);
  // validate runs where the certificates may not be (a pre-commit hook): only commands that connect check them.
  if (options.unsetVariables === 'problem')
    for (const database of built.databases ?? []) problems.push(...checkClientFiles(database, source));
  const notes = dedupe(built.notes, false).sort(byPosition);
  if (problems.length > 0) return { ok: false, problems: dedupe(problems).sort(byPosition), notes };
  return { ok: true, data, databases: built.databases, notes };
}

export function hashConfig(bytes: Buffer): string {
  // node:crypto is required here, not imported: `validate` needs no hash and loading it costs a few ms of its start-up.
  const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function decodeText(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return undefined;
  }
}

/**
 * node-postgres reads the local url's certificate and key files as it builds the connection; a
 * missing one would surface as a crash then. Named here instead, with the field, before connecting.
 */
function checkClientFiles(database: DesiredDatabase, source: YamlSource): ConfigProblem[] {
  return CLIENT_FILE_PARAMS.flatMap((param) => {
    const path = database.target.params[param];
    if (path === undefined) return [];
    let reason: string | undefined;
    try {
      const stats = statSync(path);
      if (!stats.isFile()) reason = 'is not a regular file';
      else accessSync(path, constants.R_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      reason = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read: permission denied' : `cannot be read (${code})`;
    }
    if (!reason) return [];
    return [
      {
        position: source.valuePosition(['databases', database.alias, 'url']),
        message: `the url of database ${showValue(database.alias)} names ${param}=${showValue(path, 80)}, which ${reason}`,
        hint: `${param} is a file on this machine, read when datalinks connects: fix the path in the URL`,
      },
    ];
  });
}

const CLIENT_FILE_PARAMS = ['sslcert', 'sslkey', 'sslrootcert'] as const;

/** Lines plus commas: an upper bound of the values a YAML text can hold, counted without parsing it. */
function countEntries(text: string): number {
  // indexOf runs natively; a loop over every character ran in the interpreter on a cold start.
  let count = 0;
  for (const separator of ['\n', ',']) for (let at = text.indexOf(separator); at >= 0; at = text.indexOf(separator, at + 1)) count++;
  return count;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function fileProblem(file: string, problem: { message: string; hint: string }): { ok: false; problems: ConfigProblem[] } {
  return { ok: false, problems: [{ position: { file, line: 0, column: 0 }, message: problem.message, hint: problem.hint }] };
}

/**
 * Each problem once. A problem inside a block that aliases repeat is found at every place that
 * repeats it, worded the same (positions and paths are the block's): it is reported once, saying so.
 */
function dedupe(problems: ConfigProblem[], sayShared = true): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.flatMap((p) => {
    const key = `${p.position.line}:${p.position.column}:${p.message}`;
    if (seen.has(key)) return [];
    seen.add(key);
    const shared = p.position.shared;
    return [shared && sayShared ? { ...p, message: `${p.message} (&${shared.anchor} is used in ${shared.places} places)` } : p];
  });
}
