import { InvalidArgumentError } from 'commander';

const DURATION = /^(\d+)(ms|s|min|h)$/;
const FACTOR = { ms: 1, s: 1000, min: 60_000, h: 3_600_000 } as const;

/** Parses 500ms, 10s, 2min or 1h (PostgreSQL's spelling, so the value can go to SET as is). */
export function parseDuration(value: string): string {
  if (!DURATION.test(value)) throw new InvalidArgumentError(`"${value}" is not a duration: write it like 500ms, 10s, 2min or 1h`);
  return value;
}

export function durationMs(value: string): number {
  const match = DURATION.exec(value);
  if (!match) throw new InvalidArgumentError(`"${value}" is not a duration`);
  return Number(match[1]) * FACTOR[match[2] as keyof typeof FACTOR];
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a whole number of at least 1`);
  return n;
}

/** The connection bounds every command that connects takes from --connect-timeout and --statement-timeout. */
export function connectionBounds(flags: { connectTimeout: string; statementTimeout: string }): {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
} {
  return { connectTimeoutMs: durationMs(flags.connectTimeout), statementTimeoutMs: durationMs(flags.statementTimeout) };
}
