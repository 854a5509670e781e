import fc from 'fast-check';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type DatabaseOutcome, outcomeOf } from '../../src/apply/outcome.js';
import { DEFAULT_IMPORT_OPTIONS, type DesiredDatabase } from '../../src/config/types.js';
import type { LinkCatalog } from '../../src/introspect/types.js';
import type { Plan } from '../../src/plan/types.js';
import { exportConfig } from '../../src/render/export-config.js';
import { PlanScreen } from '../../src/render/ink/plan-screen.js';
import { renderList } from '../../src/render/list-text.js';
import { renderOutcomes } from '../../src/render/outcomes.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { buildPlanView } from '../../src/render/plan-view.js';
import { ansiPaint } from '../../src/render/style.js';
import { localEnvironment } from '../support/local-environment.js';

/** Names a hostile remote (or file) can hold: each tries to forge or hide part of the output. */
const FORGED = 'x\nNo changes.\n\u001b[2J';
const HOSTILE = {
  forged: FORGED,
  clear: 'clear\u001b[2J\u001b[H',
  link: 'osc\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007',
  carriage: 'invoices\rpayroll',
  bidi: 'report\u202etxt.exe',
  zeroWidth: 'in\u200bvoices',
  c1: 'csi\u009b2J',
};
const NAMES = Object.values(HOSTILE);

/** A character a terminal would act on, other than the line breaks the renderer itself writes. */
const RAW = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const stripOwnColours = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');
function expectNothingRaw(text: string) {
  for (const [index, line] of stripOwnColours(text).split('\n').entries()) {
    expect(RAW.test(line), `line ${index}: ${JSON.stringify(line)}`).toBe(false);
  }
}

const column = (name: string) => ({ name, type: 'text', notNull: false, collation: null, default: null, generated: null });

const hostilePlan: Plan = {
  summary: { create: 1, update: 1, destroy: 0 },
  databases: [
    {
      alias: `main${HOSTILE.bidi}`,
      fingerprint: '',
      errors: [],
      notes: [{ code: 'mapping_credentials_unreadable', link: 'billing', role: HOSTILE.clear, reader: 'app' }],
      preamble: [],
      changes: [
        {
          action: 'create',
          link: 'billing',
          dependents: [],
          operations: [
            {
              kind: 'create_server',
              server: 'billing',
              options: { host: HOSTILE.link, application_name: FORGED },
              meta: { created_at: null, remote: 'BILLING_URL' },
            },
            { kind: 'create_user_mapping', server: 'billing', role: HOSTILE.c1, user: HOSTILE.carriage },
            ...NAMES.map((name) => ({
              kind: 'create_foreign_table' as const,
              schema: 'billing',
              server: 'billing',
              table: { name, remoteSchema: 'public', remoteTable: name, columns: [column(HOSTILE.zeroWidth)] },
            })),
            { kind: 'grant', schema: 'billing', role: HOSTILE.forged, privileges: ['SELECT'], tables: [FORGED] },
          ],
        },
        {
          action: 'update',
          link: 'crm',
          dependents: [{ link: 'crm', table: FORGED, column: null, inLinkSchema: false, description: `view public.${HOSTILE.clear}` }],
          operations: [
            { kind: 'alter_server_options', server: 'crm', changes: [{ action: 'set', name: 'host', value: FORGED, old: HOSTILE.bidi }] },
            {
              kind: 'alter_foreign_table',
              schema: 'crm',
              table: HOSTILE.c1,
              steps: [
                { action: 'add', column: column(FORGED) },
                { action: 'drop', column: HOSTILE.link },
              ],
              reason: { code: 'remote_columns_changed', options: [] },
            },
            {
              kind: 'replace_foreign_table',
              schema: 'crm',
              server: 'crm',
              table: { name: HOSTILE.carriage, remoteSchema: 'public', remoteTable: HOSTILE.carriage, columns: [] },
              diff: [
                { change: 'changed', column: HOSTILE.link, before: { ...column(HOSTILE.link), type: FORGED }, after: column(HOSTILE.link) },
              ],
              reason: { code: 'remote_columns_changed', options: [] },
            },
            { kind: 'drop_foreign_tables', schema: 'crm', tables: [FORGED], reason: 'removed_on_remote' },
          ],
        },
      ],
    },
    {
      alias: 'reporting',
      fingerprint: '',
      errors: [
        { link: 'billing', code: 'remote_unreadable', error: `relation "${FORGED}" does not exist`, advice: `exclude ${HOSTILE.clear}` },
      ],
      notes: [],
      preamble: [],
      changes: [],
    },
  ],
};

describe('hostile names in the plan', () => {
  const view = buildPlanView(hostilePlan);

  it('the text view shows them as visible text and cannot be forged', () => {
    for (const painted of [renderPlanText(view), renderPlanText(view, ansiPaint)]) {
      expectNothingRaw(painted);
      const text = stripOwnColours(painted);
      const lines = text.split('\n');
      expect(lines).not.toContain('No changes.');
      expect(lines).toContain('Plan: 1 to create, 1 to update, 0 to destroy.');
      expect(text).toContain('foreign table billing.x\\nNo changes.\\n\\x1b[2J (1 column)');
      expect(text).toContain('foreign table billing.osc\\x1b]8;;https://evil.example\\x07click\\x1b]8;;\\x07 (1 column)');
      expect(text).toContain('billing.invoices\\rpayroll');
      expect(text).toContain('billing.report\\u202etxt.exe');
      expect(text).toContain('billing.in\\u200bvoices');
      expect(text).toContain('user mapping for csi\\x9b2J (remote user invoices\\rpayroll');
      expect(text).toContain('Database mainreport\\u202etxt.exe');
      expect(text).toContain('! also drops view public.clear\\x1b[2J\\x1b[H (depends on crm.x\\nNo changes.\\n\\x1b[2J)');
      expect(text).toContain('✗ link billing: relation "x\\nNo changes.\\n\\x1b[2J" does not exist');
      expect(text).toContain('hint: exclude clear\\x1b[2J\\x1b[H');
      expect(text).toContain('note: link "billing": the credentials of the user mapping for role "clear\\x1b[2J\\x1b[H" cannot be read');
      expect(text).toContain('+ host = x\\nNo changes.\\n\\x1b[2J');
      expect(text).toContain('- host = report\\u202etxt.exe');
    }
  });

  it('the Ink view shows them as visible text too', () => {
    for (const color of [true, false]) {
      const frame = render(<PlanScreen view={view} color={color} />).lastFrame() ?? '';
      expectNothingRaw(frame);
      const lines = stripOwnColours(frame)
        .split('\n')
        .map((l) => l.trim());
      expect(lines).not.toContain('No changes.');
      expect(lines).toContain('Plan: 1 to create, 1 to update, 0 to destroy.');
      expect(stripOwnColours(frame)).toContain('+ foreign table billing.x\\nNo changes.\\n\\x1b[2J (1 column)');
      expect(stripOwnColours(frame)).toContain('billing.report\\u202etxt.exe');
      expect(stripOwnColours(frame)).toContain('✗ link billing: relation "x\\nNo changes.\\n\\x1b[2J" does not exist');
    }
  });
});

describe('any name at all', () => {
  /** A plan whose every name is `name`. */
  const planOf = (name: string): Plan => ({
    summary: { create: 1, update: 0, destroy: 1 },
    databases: [
      {
        alias: name,
        fingerprint: '',
        errors: [{ link: name, code: 'remote_unreadable', error: `relation "${name}" does not exist`, advice: `exclude ${name}` }],
        notes: [{ code: 'server_marked_by_other_role', link: null, server: name, owner: name }],
        preamble: [],
        changes: [
          {
            action: 'destroy',
            link: name,
            dependents: [{ link: name, table: name, column: null, inLinkSchema: false, description: `view public.${name}` }],
            operations: [{ kind: 'drop_schema', schema: name }],
          },
          {
            action: 'create',
            link: name,
            dependents: [],
            operations: [
              { kind: 'create_server', server: name, options: { [name]: name }, meta: { created_at: null, remote: name } },
              { kind: 'create_user_mapping', server: name, role: name, user: name },
              {
                kind: 'create_foreign_table',
                schema: name,
                server: name,
                table: { name, remoteSchema: name, remoteTable: name, columns: [column(name)] },
              },
              { kind: 'grant', schema: name, role: name, privileges: ['SELECT'], tables: [name] },
            ],
          },
        ],
      },
    ],
  });
  const lineCount = (text: string) => text.split('\n').length;
  const benign = buildPlanView(planOf('invoices'));

  it('prints nothing raw and takes the same lines as a plain name in the text view', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 16 }), (name) => {
        const text = renderPlanText(buildPlanView(planOf(name)));
        expectNothingRaw(text);
        expect(lineCount(text)).toBe(lineCount(renderPlanText(benign)));
      }),
      { numRuns: 50 },
    );
  });

  it('prints nothing raw and takes the same lines as a plain name in the Ink view', () => {
    const inkLines = lineCount(render(<PlanScreen view={benign} color={false} />).lastFrame() ?? '');
    // Short names: Ink wraps lines wider than its 100 columns, which would change the count.
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 3 }), (name) => {
        const frame = render(<PlanScreen view={buildPlanView(planOf(name))} color={false} />).lastFrame() ?? '';
        expectNothingRaw(frame);
        expect(lineCount(frame)).toBe(inkLines);
      }),
      { numRuns: 40 },
    );
  });
});

describe('hostile names in apply outcomes', () => {
  it('are escaped, and the statement that failed stays on its own line', () => {
    const outcomes: DatabaseOutcome[] = [
      outcomeOf('main', Date.now(), {
        code: 'statement_failed',
        link: 'billing',
        sqlstate: '42P07',
        message: `relation "${FORGED}" already exists`,
        detail: null,
        serverHint: `drop ${HOSTILE.clear}`,
        statement: `CREATE FOREIGN TABLE "billing"."${HOSTILE.clear}" (\n  id integer\n)`,
      }),
      outcomeOf(HOSTILE.bidi, Date.now(), { code: 'refused_dependents', dependents: [FORGED] }),
    ];
    const text = renderOutcomes(outcomes);
    expectNothingRaw(text);
    expect(text.split('\n')).toStrictEqual([
      'Database main: FAILED: link "billing": relation "x\\nNo changes.\\n\\x1b[2J" already exists; rolled back, nothing was applied',
      '    while running: CREATE FOREIGN TABLE "billing"."clear\\x1b[2J\\x1b[H" (',
      '    hint: drop clear\\x1b[2J\\x1b[H',
      'Database report\\u202etxt.exe: refused: not applied: it would drop 1 object outside the links (x\\nNo changes.\\n\\x1b[2J)',
      '    hint: change or drop those objects first, or pass --allow-dependent-drops to drop them with the link',
      'Apply finished with errors: 0 applied, 2 not applied (each database is all or nothing).',
      '',
    ]);
  });
});

describe('hostile names in list', () => {
  it('are escaped in every field', () => {
    const text = renderList([
      {
        name: 'main',
        target: `db${HOSTILE.bidi}`,
        links: [
          {
            name: FORGED,
            managed: false,
            owner: `app${HOSTILE.clear}`,
            wrapper: HOSTILE.clear,
            created_at: HOSTILE.link,
            remote_variable: HOSTILE.c1,
            remote_host: HOSTILE.carriage,
            remote_port: HOSTILE.zeroWidth,
            remote_database: FORGED,
            tables: 3,
          },
        ],
      },
      { name: `other${HOSTILE.clear}`, target: 'x', links: [], error: `cannot connect: ${FORGED}` },
    ]);
    expectNothingRaw(text);
    expect(text).toContain('=== main (dbreport\\u202etxt.exe)');
    expect(text).toContain('==== x\\nNo changes.\\n\\x1b[2J (not managed by datalinks; owner appclear\\x1b[2J\\x1b[H)');
    expect(text).toContain('Created:     osc\\x1b]8;;https://evil.example\\x07click\\x1b]8;;\\x07');
    expect(text).toContain('Remote:      csi\\x9b2J (invoices\\rpayroll:in\\u200bvoices/x\\nNo changes.\\n\\x1b[2J)');
    expect(text).toContain('Tables:      3 (wrapper clear\\x1b[2J\\x1b[H)');
    expect(text).toContain('Error: cannot connect: x\\nNo changes.\\n\\x1b[2J');
  });
});

describe('hostile names in export', () => {
  const database: DesiredDatabase = {
    alias: 'main',
    target: { url: '', host: 'h', port: null, dbname: null, user: null, password: null, params: {} },
    urlSource: '${LOCAL_URL}',
    links: [],
    position: { file: 'datalinks.yaml', line: 1, column: 1 },
  };
  const server = `srv${HOSTILE.bidi}`;
  const catalog: LinkCatalog = {
    environment: localEnvironment(),
    servers: [
      {
        name: server,
        wrapper: 'postgres_fdw',
        owner: 'app',
        owned: true,
        options: { host: FORGED, dbname: HOSTILE.link, sslmode: HOSTILE.clear, fetch_size: '100' },
        comment: null,
        mappings: [
          { role: 'app', options: { user: HOSTILE.carriage } },
          { role: HOSTILE.c1, options: null },
        ],
      },
      {
        name: `mysql${HOSTILE.clear}`,
        wrapper: `mysql_fdw${HOSTILE.zeroWidth}`,
        owner: 'app',
        owned: true,
        options: {},
        comment: null,
        mappings: [],
      },
    ],
    schemas: [{ name: server, owner: 'app', owned: true, comment: null, grants: [] }],
    foreignTables: [
      ...NAMES.map((name) => ({
        schema: server,
        name,
        server,
        owner: 'app',
        options: { schema_name: 'public', table_name: name },
        grants: [],
      })),
      { schema: 'other', name: 't', server, owner: 'app', options: { schema_name: `s${HOSTILE.clear}` }, grants: [] },
    ],
  };

  it('writes YAML that round-trips every name and sends nothing raw to a terminal', () => {
    const text = exportConfig([{ database, catalog }]);
    expectNothingRaw(text);
    const parsed = parse(text);
    const link = parsed.databases.main.links[server];
    expect(Object.keys(parsed.databases.main.links)).toStrictEqual([server]);
    expect(link.tables).toStrictEqual([...NAMES].sort());
    expect(link.grant_to).toStrictEqual([HOSTILE.c1]);
    expect(link.server_options).toStrictEqual({ fetch_size: 100 });
    expect(link.remote).toStrictEqual({ url: '${SRVREPORT_TXT_EXE_URL}' });
    // The comments name them as visible text.
    expect(text).toContain('SRVREPORT_TXT_EXE_URL: user invoices\\rpayroll at x\\nNo changes.\\n\\x1b[2J:5432/osc\\x1b]8;;');
    expect(text).toContain('warning: server "mysqlclear\\x1b[2J\\x1b[H" uses the wrapper mysql_fdwin\\u200bvoices');
    expect(text).toContain('are in schema "other", not in schema "srvreport\\u202etxt.exe"');
    expect(text).toContain('# warning: "srvreport\\u202etxt.exe" is not a name a link can have');
  });

  it('keeps a name that looks like YAML from changing the structure', () => {
    const tricky = ['- foo: bar', '#comment', "'q", '"dq', '? key', '*alias', '&anchor', '!tag', '{a: 1}', 'true', '0x10', '~', ''];
    const text = exportConfig([
      {
        database,
        catalog: {
          ...catalog,
          servers: [{ ...catalog.servers[0]!, name: 'plain', options: {}, mappings: [] }],
          schemas: [],
          foreignTables: tricky.map((name) => ({ schema: 'plain', name, server: 'plain', owner: 'app', options: {}, grants: [] })),
        },
      },
    ]);
    expect(parse(text).databases.main.links.plain.tables).toStrictEqual([...tricky].sort());
  });

  it('does not write a variable name a catalog comment made up', () => {
    const text = exportConfig([
      {
        database: { ...database, links: [] },
        catalog: {
          ...catalog,
          servers: [{ ...catalog.servers[0]!, name: 'billing', comment: 'datalinks:{"created_at":null,"remote":"X}\\n${HOME"}' }],
          foreignTables: [],
        },
      },
    ]);
    expect(parse(text).databases.main.links.billing.remote.url).toBe('${BILLING_URL}');
    expect(DEFAULT_IMPORT_OPTIONS.import_default).toBe(false);
  });
});
