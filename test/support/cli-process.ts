import { spawn } from 'node:child_process';

/** The built CLI (`npm run build` first) running as a process of its own, the way an operator runs it. */
export interface DatalinksProcess {
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Closes the reading end of its stdout, as `| head -1` does once it has its line. */
  closeStdout(): void;
  /** Sends `signal` now; `exited` then measures from this moment. */
  kill(signal: NodeJS.Signals): void;
  /** Its exit: the code (null when a signal ended it), the signal, and the ms since kill() (or since the start). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

export function startDatalinks(args: string[], env: NodeJS.ProcessEnv): DatalinksProcess {
  const child = spawn('node', ['bin/datalinks.js', ...args], { env: { PATH: process.env.PATH, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  let since = Date.now();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, ms: Date.now() - since })),
  );
  return {
    pid: child.pid ?? 0,
    stdout: () => stdout,
    stderr: () => stderr,
    closeStdout: () => child.stdout.destroy(),
    kill: (signal) => {
      since = Date.now();
      child.kill(signal);
    },
    exited,
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition` holds, polling; throws naming `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** The built CLI in a terminal `columns` wide (a pseudo-terminal made by script(1)), without colour: what a person sees. */
export function runInTerminal(args: string[], env: NodeJS.ProcessEnv, columns: number): Promise<{ code: number | null; stdout: string }> {
  const quoted = args.map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qec', `stty cols ${columns}; node bin/datalinks.js ${quoted}`, '/dev/null'], {
    env: { PATH: process.env.PATH, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout: stdout.replaceAll('\r', '') })));
}
