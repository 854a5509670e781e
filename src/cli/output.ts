import { scrubSecrets } from '../secrets.js';

/** Where the CLI writes. Everything passes the secret scrubber on its way out. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is an interactive terminal (Ink view and prompts). */
  readonly isTerminal: boolean;
  readonly color: boolean;
}

export function createOutput(): Output {
  const isTerminal = Boolean(process.stdout.isTTY) && process.env.CI !== 'true';
  return {
    out: (text) => process.stdout.write(scrubSecrets(text)),
    err: (text) => process.stderr.write(scrubSecrets(text)),
    isTerminal,
    color: isTerminal && !process.env.NO_COLOR && !process.argv.includes('--no-color'),
  };
}

/** An Output that records what was written, for tests. */
export function createCapturedOutput(): Output & { stdout: () => string; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    out: (text) => {
      stdout += scrubSecrets(text);
    },
    err: (text) => {
      stderr += scrubSecrets(text);
    },
    isTerminal: false,
    color: false,
    stdout: () => stdout,
    stderr: () => stderr,
  };
}
