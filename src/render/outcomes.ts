import { type DatabaseOutcome, isFailure } from '../apply/outcome.js';
import { escapeText, joinSafe, type SafeText, safe } from '../escape.js';
import { plural } from '../plural.js';
import { outcomeWords } from './outcome-words.js';

/**
 * One database's apply outcome as a line. The message may quote a Postgres error, which quotes names
 * from the catalogs: it is escaped like every other value. The statement that failed, if any, follows
 * on a line of its own.
 */
export function outcomeLine(o: DatabaseOutcome): SafeText {
  switch (o.status) {
    case 'applied':
      return safe`Database ${o.alias}: applied ${plural(o.statements, 'statement')} in ${(o.elapsedMs / 1000).toFixed(1)}s.`;
    case 'unchanged': {
      const { message } = outcomeWords(o);
      return message ? safe`Database ${o.alias}: ${message}.` : safe`Database ${o.alias}: no changes.`;
    }
    case 'failed':
      return joinSafe([safe`Database ${o.alias}: FAILED: `, messageText(o)], '');
    case 'refused':
      return joinSafe([safe`Database ${o.alias}: refused: `, messageText(o)], '');
  }
}

function messageText(o: DatabaseOutcome): SafeText {
  const { message, statement, left } = outcomeWords(o);
  const lines = [escapeText(message)];
  if (statement !== undefined) lines.push(joinSafe([safe`    while running: `, escapeText(statement)], ''));
  if (left) lines.push(joinSafe([safe`    left running: `, escapeText(left.message)], ''));
  return joinSafe(lines, '\n');
}

/** What the outcomes add up to: the last line of an apply. */
export function closingLine(outcomes: DatabaseOutcome[]): string {
  const applied = outcomes.filter((o) => o.status === 'applied').length;
  const already = outcomes.filter((o) => o.code === 'already_applied').length;
  const bad = outcomes.filter(isFailure).length;
  const alreadyText = already > 0 ? `, ${already} already applied` : '';
  return bad === 0
    ? `Apply complete: ${plural(applied, 'database')} changed${alreadyText}.`
    : `Apply finished with errors: ${applied} applied${alreadyText}, ${bad} not applied (each database is all or nothing).`;
}

/** Every database's outcome, then what it adds up to. */
export function renderOutcomes(outcomes: DatabaseOutcome[]): string {
  const lines: string[] = outcomes.map((o) => {
    const { hint, left } = outcomeWords(o);
    return [outcomeLine(o), ...[hint, left?.hint].flatMap((h) => (h ? [safe`    hint: ${h}`] : []))].join('\n');
  });
  lines.push(closingLine(outcomes));
  return `${lines.join('\n')}\n`;
}
