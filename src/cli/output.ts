import type { Output } from '../output.js';
import { scrubSecrets } from '../secrets.js';

export type { Output } from '../output.js';

/** The CLI's Output: process.stdout and stderr, everything through the secret scrubber on its way out. */
export function createOutput(): Output {
  const isTerminal = Boolean(process.stdout.isTTY) && process.env.CI !== 'true';
  // stdout is told now (Ink writes to it directly); process.stderr is made on first use: when it
  // is a pipe that loads Node's net module, a millisecond of `datalinks validate`, which writes
  // nothing there when the file is valid.
  const stdout = toleratingEpipe(() => process.stdout);
  stdout();
  const stderr = toleratingEpipe(() => process.stderr);
  return {
    out: (text) => stdout().write(scrubSecrets(text)),
    err: (text) => stderr().write(scrubSecrets(text)),
    isTerminal,
    canPrompt: isTerminal && Boolean(process.stdin.isTTY),
    color: wantsColor(isTerminal, process.env, process.argv),
    env: process.env,
  };
}

/** The stream, on first use told that a closed pipe (`datalinks plan | head`) is the reader's choice, not an error. */
function toleratingEpipe(open: () => NodeJS.WriteStream): () => NodeJS.WriteStream {
  let stream: NodeJS.WriteStream | undefined;
  return () => {
    if (!stream) {
      stream = open();
      stream.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') throw error;
      });
    }
    return stream;
  };
}

/**
 * Colour in a terminal; when piped only if FORCE_COLOR asks for it (as chalk and most CLIs read it:
 * set and not `0` or `false`), so a CI log viewer that renders escape codes can have them.
 * NO_COLOR (https://no-color.org) and --no-color win over both.
 */
export function wantsColor(isTerminal: boolean, env: NodeJS.ProcessEnv, argv: readonly string[]): boolean {
  if (env.NO_COLOR || argv.includes('--no-color')) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return isTerminal;
}

/** An Output that records what was written, for tests. */
export function createCapturedOutput(env: NodeJS.ProcessEnv = process.env): Output & { stdout: () => string; stderr: () => string } {
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
    canPrompt: false,
    color: false,
    env,
    stdout: () => stdout,
    stderr: () => stderr,
  };
}
