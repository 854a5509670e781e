import { constants } from 'node:os';

/**
 * The signals that end a run early, all alike: Ctrl-C (SIGINT), what `timeout`, Docker, Kubernetes
 * and CI runners send on cancel (SIGTERM), and a closed terminal (SIGHUP). Each cancels the running
 * statements, rolls back and closes (see connect.ts), instead of Node's default of dying on the spot
 * with statements still queued on the servers.
 */
export const INTERRUPT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export type InterruptSignal = (typeof INTERRUPT_SIGNALS)[number];

export interface Interrupts {
  /** Aborted by the first signal; its reason is the signal's name. */
  signal: AbortSignal;
  /** The first signal received, or null. */
  received(): InterruptSignal | null;
  /** Removes the handlers: the signals' default actions return. */
  stop(): void;
}

/**
 * Listens for INTERRUPT_SIGNALS until `stop()`. A second signal does not cut the clean-up short: it is
 * bounded (the connect timeout and a few seconds), and cutting it short is what would leave sessions behind.
 */
export function listenForInterrupts(): Interrupts {
  const controller = new AbortController();
  let first: InterruptSignal | null = null;
  const handlers = INTERRUPT_SIGNALS.map((name) => {
    const handler = () => {
      if (first !== null) return;
      first = name;
      controller.abort(name);
    };
    process.on(name, handler);
    return () => process.off(name, handler);
  });
  return {
    signal: controller.signal,
    received: () => first,
    stop: () => {
      for (const off of handlers) off();
    },
  };
}

/** The shell's convention for a process ended by a signal: 128 + its number (SIGHUP 129, SIGINT 130, SIGTERM 143). */
export function exitCodeFor(signal: InterruptSignal): number {
  return 128 + constants.signals[signal];
}

/** The signal an AbortSignal from listenForInterrupts was aborted by, or null if it was not (or by something else). */
export function interruptOf(signal: AbortSignal | undefined): InterruptSignal | null {
  const reason: unknown = signal?.aborted ? signal.reason : null;
  return INTERRUPT_SIGNALS.find((name) => name === reason) ?? null;
}
