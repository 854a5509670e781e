import type { Medium, Output } from '../output.js';
import { escapeWorkflowCommands } from '../render/workflow-command-escape.js';
import { scrubSecrets } from '../secrets.js';

export type { Medium, Output } from '../output.js';

/**
 * What every line the CLI prints goes through on its way out: the secret scrubber, and in GitHub
 * Actions the escaping of anything its runner would read as a workflow command (render/
 * workflow-command-escape.ts), in the medium's own spelling. Scrubbed first: an escaped secret would
 * no longer match the scrubber.
 */
export function outputEdge(env: NodeJS.ProcessEnv): (text: string, medium?: Medium) => string {
  const runner = env.GITHUB_ACTIONS === 'true';
  return (text, medium = 'text') => {
    const scrubbed = scrubSecrets(text);
    return runner ? escapeWorkflowCommands(scrubbed, medium) : scrubbed;
  };
}

/** The CLI's Output: process.stdout and stderr, everything through the output edge. */
export function createOutput(): Output {
  // Ink draws straight to the terminal, past the edge: never on a GitHub runner, which parses each line.
  const isTerminal = Boolean(process.stdout.isTTY) && process.env.CI !== 'true' && process.env.GITHUB_ACTIONS !== 'true';
  // stdout is told now (Ink writes to it directly); process.stderr is made on first use: when it
  // is a pipe that loads Node's net module, a millisecond of `datalinks validate`, which writes
  // nothing there when the file is valid.
  const stdout = toleratingEpipe(() => process.stdout);
  stdout();
  const stderr = toleratingEpipe(() => process.stderr);
  const edge = outputEdge(process.env);
  return {
    out: (text, medium) => stdout().write(edge(text, medium)),
    err: (text, medium) => stderr().write(edge(text, medium)),
    isTerminal,
    // A terminal that reports no width (`script`, some pty hosts) is taken as 80 columns, as Ink takes it.
    columns: isTerminal ? process.stdout.columns || 80 : undefined,
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

/** An Output that records what was written, through the same edge, for tests. */
export function createCapturedOutput(env: NodeJS.ProcessEnv = process.env): Output & { stdout: () => string; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  const edge = outputEdge(env);
  return {
    out: (text, medium) => {
      stdout += edge(text, medium);
    },
    err: (text, medium) => {
      stderr += edge(text, medium);
    },
    isTerminal: false,
    canPrompt: false,
    color: false,
    env,
    stdout: () => stdout,
    stderr: () => stderr,
  };
}
