import { InvalidArgumentError } from 'commander';

const DURATION = /^(\d+)(ms|s|min|h)$/;
const FACTOR = { ms: 1, s: 1000, min: 60_000, h: 3_600_000 } as const;
/** PostgreSQL's timeouts and Node's timers both stop at 2^31 - 1 ms (about 24 days). */
const MAX_MS = 2_147_483_647;

/**
 * Parses 500ms, 10s, 2min or 1h (PostgreSQL's spelling, so the value can go to SET as is). Zero is
 * refused: PostgreSQL reads a zero timeout as "no limit", the opposite of what it looks like.
 */
export function parseDuration(value: string): string {
  const match = DURATION.exec(value);
  if (!match) throw new InvalidArgumentError(`"${value.slice(0, 20)}" is not a duration: write it like 500ms, 10s, 2min or 1h`);
  const ms = Number(match[1]) * FACTOR[match[2] as keyof typeof FACTOR];
  if (ms === 0)
    throw new InvalidArgumentError(`${value} is no time at all: a timeout must be longer than 0 (PostgreSQL reads 0 as "no limit")`);
  if (ms > MAX_MS) throw new InvalidArgumentError(`${value} is too long: the longest timeout is 24 days (${MAX_MS}ms)`);
  return value;
}

export function durationMs(value: string): number {
  const match = DURATION.exec(value);
  if (!match) throw new InvalidArgumentError(`"${value}" is not a duration`);
  return Number(match[1]) * FACTOR[match[2] as keyof typeof FACTOR];
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value.slice(0, 20)}" is not a whole number of at least 1`);
  return n;
}

/** The connection bounds every command that connects takes from --connect-timeout and --statement-timeout. */
export function connectionBounds(flags: { connectTimeout: string; statementTimeout: string }): {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
} {
  return { connectTimeoutMs: durationMs(flags.connectTimeout), statementTimeoutMs: durationMs(flags.statementTimeout) };
}
