import { type Instance, render, renderToString, Text } from 'ink';
import { PlanScreen } from './ink/plan-screen.js';
import { ApplyProgress, type ApplyRow, IntrospectionStatus, type ReadState } from './ink/progress.js';
import { ConfirmPrompt, TypeToConfirm } from './ink/prompts.js';
import type { PlanView } from './plan-view.js';

/** Ink-backed terminal UI. Loaded only when stdout is a terminal (see cli/ui.ts). */

/** Width used when the terminal reports none: `script`, some CI runners and a few pty hosts say 0×0. */
export const UNKNOWN_COLUMNS = 80;

export function terminalColumns(stdout: Pick<NodeJS.WriteStream, 'columns'> = process.stdout): number {
  return stdout.columns > 0 ? stdout.columns : UNKNOWN_COLUMNS;
}

/**
 * The stream Ink renders to: the terminal itself, except that a width of 0 (unknown) reads as 80
 * columns, and the height reads as unlimited. Ink wraps at the width it is told (0 put one character
 * per line), and clears the whole screen *and the scrollback* (ESC[3J) whenever its output is as tall
 * as the terminal (with 0 rows, on every frame): we never want our history erased.
 */
export function inkStdout(stdout: NodeJS.WriteStream = process.stdout): NodeJS.WriteStream {
  return new Proxy(stdout, {
    get(target, property) {
      if (property === 'columns') return terminalColumns(target);
      if (property === 'rows') return Number.POSITIVE_INFINITY;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export function planToString(view: PlanView, color: boolean): string {
  return `${renderToString(<PlanScreen view={view} color={color} />, { columns: terminalColumns() })}\n`;
}

export function trackReading(
  aliases: string[],
  stdout: NodeJS.WriteStream = process.stdout,
): { update(alias: string, state: ReadState): void; stop(): void } {
  const states = new Map<string, ReadState>(aliases.map((alias) => [alias, 'reading']));
  const instance = render(<IntrospectionStatus states={[...states]} />, {
    exitOnCtrlC: false,
    patchConsole: false,
    stdout: inkStdout(stdout),
  });
  return {
    update(alias, state) {
      states.set(alias, state);
      instance.rerender(<IntrospectionStatus states={[...states]} />);
    },
    stop() {
      erase(instance);
    },
  };
}

/** Live status lines make way for the final output, which the command prints itself. */
function erase(instance: Instance): void {
  instance.rerender(<Text />);
  instance.unmount();
}

/** Shows a prompt until it is answered, or until `signal` is aborted (then resolves `unanswered`). */
function ask<T>(
  element: (resolve: (value: T) => void) => React.ReactElement,
  stdout: NodeJS.WriteStream,
  signal: AbortSignal | undefined,
  unanswered: T,
): Promise<T> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve(unanswered);
      return;
    }
    const onAbort = () => {
      instance.unmount();
      resolve(unanswered);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const instance = render(
      element((value) => {
        setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          instance.unmount();
          resolve(value);
        }, 0);
      }),
      { exitOnCtrlC: false, patchConsole: false, stdout: inkStdout(stdout) },
    );
  });
}

/**
 * Creates and updates take a yes; destroying links takes the database alias, typed, per database.
 * A signal the process receives while it asks (SIGTERM, SIGHUP) is a no.
 */
export async function confirmPlan(view: PlanView, stdout: NodeJS.WriteStream = process.stdout, signal?: AbortSignal): Promise<boolean> {
  const destroying = view.databases
    .map((db) => ({ alias: db.alias, links: db.links.filter((l) => l.action === 'destroy').map((l) => l.link) }))
    .filter((db) => db.links.length > 0);
  if (destroying.length === 0) {
    return ask<boolean>((resolve) => <ConfirmPrompt question="Apply these changes?" onAnswer={resolve} />, stdout, signal, false);
  }
  for (const db of destroying) {
    const confirmed = await ask<boolean>(
      (resolve) => <TypeToConfirm alias={db.alias} links={db.links} onAnswer={resolve} />,
      stdout,
      signal,
      false,
    );
    if (!confirmed) return false;
  }
  return true;
}

export function trackApply(
  aliases: string[],
  stdout: NodeJS.WriteStream = process.stdout,
): {
  progress(alias: string, done: number, total: number): void;
  finish(alias: string, outcome: string, failed: boolean): void;
  stop(): void;
} {
  const rows = new Map<string, ApplyRow>(
    aliases.map((alias) => [alias, { alias, done: 0, total: null, startedAt: Date.now(), outcome: null, failed: false }]),
  );
  const draw = () => <ApplyProgress rows={[...rows.values()]} now={Date.now()} />;
  const instance = render(draw(), { exitOnCtrlC: false, patchConsole: false, stdout: inkStdout(stdout) });
  const timer = setInterval(() => instance.rerender(draw()), 100);
  const update = (alias: string, patch: Partial<ApplyRow>) => {
    const row = rows.get(alias);
    if (row) rows.set(alias, { ...row, ...patch });
    instance.rerender(draw());
  };
  return {
    progress: (alias, done, total) => update(alias, { done, total }),
    finish: (alias, outcome, failed) => update(alias, { outcome, failed }),
    stop() {
      clearInterval(timer);
      erase(instance);
    },
  };
}
