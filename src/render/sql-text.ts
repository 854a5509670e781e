import { escapeSql, safe } from '../escape.js';
import { MASKED_CONTEXT, renderDatabaseSql } from '../plan/statements.js';
import type { Plan } from '../plan/types.js';

/** `plan --sql`: each database's statements in one transaction, passwords masked, names escaped. */
export function renderSqlText(plan: Plan): string {
  const out: string[] = [];
  for (const database of plan.databases) {
    const statements = renderDatabaseSql(database, MASKED_CONTEXT);
    if (statements.length === 0) continue;
    out.push(safe`\n-- database ${database.alias}`, 'BEGIN;', ...statements.map((s) => `${escapeSql(s.sql)};`), 'COMMIT;');
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}
