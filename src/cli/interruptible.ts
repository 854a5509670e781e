import { exitCodeFor, type InterruptSignal, interruptOf, listenForInterrupts } from '../db/interrupts.js';
import { UserError } from '../errors.js';
import type { Output } from './output.js';

/** A command that stopped, before it had anything to show, because it was interrupted. */
export class InterruptedError extends UserError {
  constructor(readonly by: InterruptSignal) {
    super('interrupted', `interrupted by ${by}: stopped before anything was changed`);
  }
}

/** Throws InterruptedError once `signal` (from runInterruptible) was aborted by a signal. */
export function throwIfInterrupted(signal: AbortSignal): void {
  const by = interruptOf(signal);
  if (by) throw new InterruptedError(by);
}

/**
 * Runs a command that connects, with SIGINT, SIGTERM and SIGHUP trapped for its whole run: any of
 * them aborts `signal`, which cancels the running statements, rolls back and closes (db/connect.ts),
 * so that nothing the command started outlives it. A run that received one exits 128 + its number,
 * whatever else went wrong on the way; what was done before it is in the command's own output.
 */
export async function runInterruptible(output: Output, run: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const interrupts = listenForInterrupts();
  try {
    const code = await run(interrupts.signal);
    const received = interrupts.received();
    return received === null ? code : exitCodeFor(received);
  } catch (error) {
    const received = interrupts.received();
    if (received === null) throw error;
    // Whatever failed, failed because the command was stopped: say that, not the failure it caused.
    const message = error instanceof InterruptedError ? error.message : `interrupted by ${received}: stopped`;
    output.err(`${message}\n`);
    return exitCodeFor(received);
  } finally {
    interrupts.stop();
  }
}
