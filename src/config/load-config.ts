import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { registerSecret } from '../secrets.js';
import { buildDesiredState } from './desired-state.js';
import { byPosition, type ConfigProblem, type ConfigResult } from './problem.js';
import { validateShape } from './schema.js';
import type { DesiredState } from './types.js';
import { YamlSource } from './yaml-source.js';

/** Reads, parses, validates and interpolates a config file. Never throws for a problem in the file. */
export async function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<ConfigResult<DesiredState>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    return fileProblem(path, unreadableMessage(error, path));
  }
  return parseConfig(path, bytes, env);
}

export function parseConfig(path: string, bytes: Buffer, env: NodeJS.ProcessEnv): ConfigResult<DesiredState> {
  const text = decodeText(bytes);
  if (text === undefined) {
    return fileProblem(path, {
      message: 'is not a text file (it contains binary data)',
      hint: 'point -c at your datalinks.yaml; this file is not YAML text',
    });
  }
  const { source, problems: syntaxProblems } = YamlSource.parse(path, text);
  if (syntaxProblems.length > 0) return { ok: false, problems: syntaxProblems };
  const converted = source.toData();
  if (!converted.ok) return { ok: false, problems: [converted.problem] };
  const data = converted.data;
  if (data === null || data === undefined) {
    return fileProblem(path, {
      message: 'is empty',
      hint: 'start from datalinks.example.yaml: a file needs `version: 1` and a `databases:` mapping',
    });
  }
  const problems = [...validateShape(data, source)];
  const built = buildDesiredState(data, source, env);
  problems.push(...built.problems);
  if (problems.length > 0 || !built.databases) return { ok: false, problems: dedupe(problems).sort(byPosition) };
  for (const database of built.databases) {
    if (database.target.password) registerSecret(database.target.password);
    for (const link of database.links) if (link.remote.target.password) registerSecret(link.remote.target.password);
  }
  return {
    ok: true,
    value: { configPath: path, configHash: hashConfig(bytes), databases: built.databases },
  };
}

export function hashConfig(bytes: Buffer): string {
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

function unreadableMessage(error: unknown, path: string): { message: string; hint: string } {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return {
      message: 'file not found',
      hint: `create ${path} (datalinks.example.yaml is a good start) or pass its path with -c FILE`,
    };
  }
  if (code === 'EISDIR') return { message: 'is a directory, not a file', hint: 'pass the YAML file itself with -c FILE' };
  if (code === 'EACCES') return { message: 'cannot be read: permission denied', hint: 'check the file permissions' };
  return { message: `cannot be read (${code ?? 'unknown error'})`, hint: 'check the path given with -c' };
}

function fileProblem(file: string, problem: { message: string; hint: string }): ConfigResult<never> {
  return { ok: false, problems: [{ position: { file, line: 0, column: 0 }, ...problem }] };
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.position.line}:${p.position.column}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
