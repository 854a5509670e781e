import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validate as validatePlanDocument } from '../../src/config/generated/validate-plan.js';
import type { DesiredState } from '../../src/config/types.js';
import { fromPlanDocument } from '../../src/plan/plan-document.js';
import { NOTE_CODES, type Plan, type PlanNote, type PlanProblem, PROBLEM_CODES, type ProblemCode } from '../../src/plan/types.js';
import { renderPlanJson } from '../../src/render/plan-json.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { buildPlanView } from '../../src/render/plan-view.js';
import { noteText, problemWords } from '../../src/render/plan-words.js';

/** One note of each code, with every value set. */
const NOTES: Record<PlanNote['code'], PlanNote> = {
  server_marked_by_other_role: { code: 'server_marked_by_other_role', link: null, server: 'old', owner: 'mallory' },
  remote_table_unreadable: {
    code: 'remote_table_unreadable',
    link: 'billing',
    wrapper: 'postgres_fdw',
    user: 'bill',
    schema: 'public',
    table: 'Secret Table',
  },
  mapping_credentials_unreadable: { code: 'mapping_credentials_unreadable', link: 'billing', role: 'reader', reader: 'app' },
  alias_unverified: { code: 'alias_unverified', link: null, alias: 'tenant_7', error: 'cannot connect to db7:5432/t7: connection refused' },
  extension_schema_writable: {
    code: 'extension_schema_writable',
    link: null,
    extension: 'postgres_fdw',
    schema: 'public',
    owner: 'mallory',
  },
  remote_values_limited: { code: 'remote_values_limited', link: 'shop', table: 'photos', column: 'jpeg', limit: 8192 },
  scram_passthrough_secrets: { code: 'scram_passthrough_secrets', link: 'billing', roles: ['app', 'public'], user: 'bill' },
  scram_login_missing: { code: 'scram_login_missing', link: null, role: 'app', links: ['billing'] },
  table_name_taken: { code: 'table_name_taken', link: 'zoo', table: 'report', kind: 'view', filter: 'exclude' },
  filter_entry_unmatched: {
    code: 'filter_entry_unmatched',
    link: 'billing',
    list: 'exclude',
    entry: 'audit_lg',
    schema: 'public',
    suggestion: 'audit_log',
  },
  role_missing: { code: 'role_missing', link: 'billing', role: 'ghost', suggestion: 'host' },
  grant_to_cannot_login: { code: 'grant_to_cannot_login', link: 'billing', role: 'analysts' },
  type_differs: {
    code: 'type_differs',
    link: 'shop',
    schema: 'public',
    type: 'posint',
    differences: [
      { what: 'base', local: 'integer', remote: 'bigint' },
      { what: 'checks', local: ['CHECK ((VALUE > 0))'], remote: [] },
    ],
  },
};

const column = {
  link: 'billing',
  table: 'people',
  column: 'feeling',
  detail: 'public.mood',
  option: null,
  filter: 'exclude',
  wrapper: 'postgres_fdw',
} as const;

/** One problem of each code, with every value set. */
const PROBLEMS: Record<ProblemCode, PlanProblem> = {
  local_unreadable: { code: 'local_unreadable', link: null, error: 'cannot connect to database "main"', advice: 'check the host' },
  not_introspected: { code: 'not_introspected', link: null },
  database_aliased: { code: 'database_aliased', link: null, database: 'main', others: ['copy'] },
  server_owned_by_other_role: { code: 'server_owned_by_other_role', link: 'billing', owner: 'mallory', role: 'app', marked: true },
  server_not_managed: { code: 'server_not_managed', link: 'billing' },
  server_wrong_wrapper: { code: 'server_wrong_wrapper', link: 'billing', wrapper: 'oracle_fdw', expected: 'postgres_fdw' },
  schema_not_managed: { code: 'schema_not_managed', link: 'billing', owner: 'mallory', owned: false },
  schema_not_empty: { code: 'schema_not_empty', link: 'billing', objects: ['view billing.totals'] },
  remote_unreadable: { code: 'remote_unreadable', link: 'billing', error: 'cannot connect to the remote', advice: null },
  remote_schema_missing: { code: 'remote_schema_missing', link: 'billing', schema: 'finance', suggestion: 'finances' },
  remote_not_read: { code: 'remote_not_read', link: 'billing' },
  type_unmapped: { ...column, code: 'type_unmapped', wrapper: 'mysql_fdw', detail: 'float', reason: 'rounded', conversion: 'cast_double' },
  type_missing: { ...column, code: 'type_missing' },
  collation_missing: { ...column, code: 'collation_missing', option: 'import_collate' },
  expression_refused: { ...column, code: 'expression_refused', option: 'import_default' },
  reference_missing: { ...column, code: 'reference_missing', option: 'import_generated' },
  name_too_long: { code: 'name_too_long', link: 'shop', table: 'orders', column: 'é'.repeat(40), bytes: 80, limit: 63, filter: 'tables' },
  option_unsupported: { code: 'option_unsupported', link: 'billing', option: 'parallel_abort', since: 160000, running: 150004 },
  scram_passthrough_unsupported: { code: 'scram_passthrough_unsupported', link: 'billing', since: 180000, running: 170006 },
  scram_passthrough_not_postgres: { code: 'scram_passthrough_not_postgres', link: 'billing', wrapper: 'mysql_fdw' },
  enum_labels_missing: {
    code: 'enum_labels_missing',
    link: 'shop',
    schema: 'public',
    type: 'Mood',
    labels: [{ label: "it's", after: 'sad', before: null }],
  },
  password_required: { code: 'password_required', link: 'billing' },
  extension_unavailable: { code: 'extension_unavailable', link: null, extension: 'mysql_fdw', running: 150004 },
  extension_not_creatable: { code: 'extension_not_creatable', link: null, extension: 'postgres_fdw', database: 'app', role: 'app' },
  extension_schema_untrusted: {
    code: 'extension_schema_untrusted',
    link: null,
    extension: 'postgres_fdw',
    schema: 'datalinks_ext',
    owner: 'mallory',
  },
  wrapper_usage_missing: { code: 'wrapper_usage_missing', link: null, wrapper: 'postgres_fdw', role: 'app' },
  create_schema_denied: { code: 'create_schema_denied', link: null, database: 'app', role: 'app' },
};

const plan: Plan = {
  summary: { create: 0, update: 0, destroy: 0 },
  databases: [
    {
      alias: 'main',
      fingerprint: '',
      preamble: [],
      changes: [],
      errors: [{ link: 'billing', code: 'password_required' }],
      notes: Object.values(NOTES),
    },
  ],
};
const desired = { configPath: 'datalinks.yaml', configHash: `sha256:${'0'.repeat(64)}` } as DesiredState;
const schema = JSON.parse(readFileSync('schemas/plan.schema.json', 'utf8'));

describe('plan notes and problems are codes and values', () => {
  it('words every note code, naming each of its values', () => {
    for (const code of NOTE_CODES) {
      const note = NOTES[code];
      const words = noteText(note);
      for (const [key, value] of Object.entries(note)) {
        // The wrapper chooses the words (a MySQL user, a PostgreSQL role); it is not shown itself.
        if (key !== 'code' && key !== 'link' && key !== 'wrapper' && typeof value === 'string') expect(words).toContain(value);
      }
    }
    expect(noteText(NOTES.remote_table_unreadable)).toBe(
      'link "billing": remote role "bill" cannot read table "public.Secret Table"; queries through it will fail until, on the remote: GRANT SELECT ON public."Secret Table" TO bill;',
    );
    expect(noteText({ ...NOTES.remote_table_unreadable, user: null } as PlanNote)).toContain(
      'link "billing": the remote role cannot read table "public.Secret Table"; queries through it will fail until, on the remote: GRANT SELECT ON public."Secret Table" TO <the remote role>;',
    );
    // A MySQL remote has users, and its own SQL: backticks, and an account at a host.
    expect(noteText({ ...NOTES.remote_table_unreadable, wrapper: 'mysql_fdw', schema: 'shop', user: "o'brien" } as PlanNote)).toBe(
      "link \"billing\": remote user \"o'brien\" cannot read table \"shop.Secret Table\"; queries through it will fail until, on the remote: GRANT SELECT ON `shop`.`Secret Table` TO 'o''brien'@'%';",
    );
  });

  it('words every problem code, message and hint, and the document of them all is a valid plan', () => {
    for (const code of PROBLEM_CODES) {
      const words = problemWords(PROBLEMS[code]);
      expect(words.message, code).not.toMatch(/undefined|\[object/);
      expect(words.hint ?? '', code).not.toMatch(/undefined|\[object/);
    }
    expect(problemWords(PROBLEMS.option_unsupported)).toStrictEqual({
      message: 'server option "parallel_abort" needs PostgreSQL 16 or later; this database runs 15',
      hint: 'remove "parallel_abort" from server_options of link "billing"',
    });
    const all: Plan = { ...plan, databases: [{ ...plan.databases[0]!, errors: Object.values(PROBLEMS) }] };
    const document = JSON.parse(renderPlanJson(all, desired, '2026-01-01T00:00:00Z'));
    expect(validatePlanDocument(document)).toBe(true);
    expect(fromPlanDocument(document).databases[0]?.errors).toStrictEqual(Object.values(PROBLEMS));
  });

  it('tells the superuser to install a missing wrapper in a schema of its own, never on a search_path a weaker role controls', () => {
    expect(problemWords(PROBLEMS.extension_not_creatable).hint).toBe(
      `a superuser (or your provider's admin role) must run: CREATE SCHEMA datalinks_ext; CREATE EXTENSION postgres_fdw SCHEMA datalinks_ext; GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO app;`,
    );
  });

  it('prints the worded note in the text view, and a warning as a warning', () => {
    expect(renderPlanText(buildPlanView(plan))).toContain(
      'note: server "old" carries a datalinks marker but is owned by role "mallory": left alone',
    );
    const warned: Plan = { ...plan, databases: [{ ...plan.databases[0]!, notes: [NOTES.table_name_taken] }] };
    expect(renderPlanText(buildPlanView(warned))).toContain(
      'warning: link "zoo": remote table "report" is not linked: the view zoo.report, made by hand, holds its name in the link\'s schema (it is left as it is). To link the table, rename that view (ALTER VIEW zoo.report RENAME TO ...;) or move it (ALTER VIEW zoo.report SET SCHEMA ...;); to keep it and stop this warning, leave the table out with `exclude: [report]`',
    );
    const document = JSON.parse(renderPlanJson(warned, desired, '2026-01-01T00:00:00Z'));
    expect(validatePlanDocument(document)).toBe(true);
    expect(document.databases[0].notes[0]).toMatchObject({ code: 'table_name_taken', kind: 'view', severity: 'warning' });
  });

  it('--json gives each note its code, link, values and words, and each problem its code; the document is a valid plan', () => {
    const document = JSON.parse(renderPlanJson(plan, desired, '2026-01-01T00:00:00Z'));
    expect(validatePlanDocument(document)).toBe(true);
    expect(document.databases[0].notes[2]).toStrictEqual({
      code: 'mapping_credentials_unreadable',
      link: 'billing',
      role: 'reader',
      reader: 'app',
      severity: 'note',
      message: 'link "billing": the credentials of the user mapping for role "reader" cannot be read by "app", so they were not compared',
    });
    expect(document.databases[0].errors[0]).toMatchObject({ link: 'billing', code: 'password_required' });
    expect(document.databases[0].notes.find((n: { code: string }) => n.code === 'role_missing')).toStrictEqual({
      code: 'role_missing',
      link: 'billing',
      role: 'ghost',
      suggestion: 'host',
      severity: 'warning',
      message:
        'link "billing": role "ghost" in grant_to does not exist in this database (did you mean "host"?): it gets no user mapping and no grants. Create it (CREATE ROLE ghost) or fix the name in grant_to',
    });
  });

  it('reads a saved plan back to the same notes (the words are re-made, not trusted)', () => {
    const document = JSON.parse(renderPlanJson(plan, desired, '2026-01-01T00:00:00Z'));
    document.databases[0].notes[0].message = 'forged words';
    document.databases[0].errors[0].hint = 'forged hint';
    expect(fromPlanDocument(document).databases[0]?.notes).toStrictEqual(plan.databases[0]?.notes);
    expect(fromPlanDocument(document).databases[0]?.errors).toStrictEqual(plan.databases[0]?.errors);
  });

  it('refuses a saved plan whose note or problem has no known code', () => {
    const document = JSON.parse(renderPlanJson(plan, desired, '2026-01-01T00:00:00Z'));
    expect(validatePlanDocument({ ...document, databases: [{ ...document.databases[0], notes: ['a note in words'] }] })).toBe(false);
    const uncoded = { ...document.databases[0].errors[0], code: undefined };
    expect(validatePlanDocument({ ...document, databases: [{ ...document.databases[0], errors: [uncoded] }] })).toBe(false);
    // A problem without the values its code words is refused too, not worded as "undefined".
    const valueless = { ...document.databases[0].errors[0], role: undefined };
    expect(validatePlanDocument({ ...document, databases: [{ ...document.databases[0], errors: [valueless] }] })).toBe(false);
  });

  it('lists in schemas/plan.schema.json exactly the codes the planner can write', () => {
    const consts = (members: { properties: { code: { const: string } } }[]) => members.map((m) => m.properties.code.const);
    expect(consts(schema.$defs.problem.oneOf)).toStrictEqual(PROBLEM_CODES);
    expect(consts(schema.$defs.note.oneOf)).toStrictEqual(NOTE_CODES);
  });
});
