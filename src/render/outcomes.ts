import { type DatabaseOutcome, isFailure } from '../plan/apply-decisions.js';
import { plural } from '../plural.js';
import { escapeText, joinSafe, type SafeText, safe } from './escape.js';

/**
 * One database's apply outcome as a line. The message may quote a Postgres error, which quotes names
 * from the catalogs: it is escaped like every other value.
 */
export function outcomeLine(o: DatabaseOutcome): SafeText {
  const message = messageText(o.message ?? '');
  switch (o.status) {
    case 'applied':
      return safe`Database ${o.alias}: applied ${plural(o.statements, 'statement')} in ${(o.elapsedMs / 1000).toFixed(1)}s.`;
    case 'unchanged':
      return safe`Database ${o.alias}: no changes.`;
    case 'failed':
      return joinSafe([safe`Database ${o.alias}: FAILED: `, message], '');
    case 'refused':
      return joinSafe([safe`Database ${o.alias}: refused: `, message], '');
  }
}

/** apply ends a failure's message with the statement that failed, on a line of its own. */
const WHILE_RUNNING = '\n    while running: ';

/**
 * The message escaped, newlines included, except the one line break apply itself puts before the
 * statement that failed: that statement's first line is the last line, so whatever a name holds
 * before it stays on the message's line.
 */
function messageText(message: string): SafeText {
  const at = message.lastIndexOf(WHILE_RUNNING);
  if (at === -1 || message.indexOf('\n', at + WHILE_RUNNING.length) !== -1) return escapeText(message);
  return joinSafe([escapeText(message.slice(0, at)), escapeText(message.slice(at + WHILE_RUNNING.length))], '\n    while running: ');
}

/** Every database's outcome, then what it adds up to. */
export function renderOutcomes(outcomes: DatabaseOutcome[]): string {
  const lines: string[] = outcomes.map((o) => (o.hint ? `${outcomeLine(o)}\n${safe`    hint: ${o.hint}`}` : outcomeLine(o)));
  const applied = outcomes.filter((o) => o.status === 'applied').length;
  const bad = outcomes.filter(isFailure).length;
  lines.push(
    bad === 0
      ? `Apply complete: ${plural(applied, 'database')} changed.`
      : `Apply finished with errors: ${applied} applied, ${bad} not applied (each database is all or nothing).`,
  );
  return `${lines.join('\n')}\n`;
}
