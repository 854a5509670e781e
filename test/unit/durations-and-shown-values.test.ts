import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { durationMs, parseDuration } from '../../src/cli/durations.js';
import { showValue } from '../../src/config/show-value.js';

describe('durations', () => {
  it('accepts PostgreSQL spellings and converts them', () => {
    expect(parseDuration('500ms')).toBe('500ms');
    expect(durationMs('2min')).toBe(120_000);
    expect(durationMs('1h')).toBe(3_600_000);
  });

  it.each(['0ms', '0s', '0min', '0h', '000s'])('refuses %s: PostgreSQL reads a zero timeout as no limit', (value) => {
    expect(() => parseDuration(value)).toThrow(InvalidArgumentError);
    expect(() => parseDuration(value)).toThrow('a timeout must be longer than 0');
  });

  it('refuses what Node and PostgreSQL cannot hold, and what is not a duration', () => {
    expect(() => parseDuration('597h')).toThrow('too long');
    expect(parseDuration('596h')).toBe('596h');
    expect(() => parseDuration('-1s')).toThrow('is not a duration');
    expect(() => parseDuration('10')).toThrow('is not a duration');
  });
});

describe('values quoted in messages', () => {
  it('are cut at 40 characters and marked as cut', () => {
    expect(showValue('x'.repeat(100))).toBe(`"${'x'.repeat(37)}..."`);
    expect(showValue('short')).toBe('"short"');
  });

  it('never carry control characters or escape sequences to the terminal', () => {
    expect(showValue('a\u001b[2Jb\u0007c\u009bd')).toBe('"a\\x1b[2Jb\\x07c\\x9bd"');
    expect(showValue('say "hi"')).toBe('"say \\"hi\\""');
  });

  it('mask URL passwords and password= values', () => {
    expect(showValue('postgres://u:hunter2@h/d')).toBe('"postgres://u:********@h/d"');
    expect(showValue('host=h password=hunter2')).toBe('"host=h password=********"');
  });
});
