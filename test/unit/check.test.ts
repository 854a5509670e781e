import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { DatabaseHealth } from '../../src/check/check-database.js';
import { buildCheckReport } from '../../src/check/check-report.js';
import { probeLinks } from '../../src/check/probe-link.js';
import type { DesiredDatabase } from '../../src/config/types.js';
import { failureHint, healthProblem, renderCheckText, toCheckDocument } from '../../src/render/check-view.js';
import { desired, health, planOf } from '../support/check-fixtures.js';

describe('buildCheckReport and the text view', () => {
  it('gives each link one state: a broken probe wins over drift, drift over ok, and a managed link not in the file is drift', () => {
    const probed: DatabaseHealth[] = [
      {
        alias: 'main',
        ok: true,
        links: [
          health('billing'),
          health('sales'),
          health('crew', {
            state: 'unreachable',
            remoteVersion: null,
            remoteVersionNum: null,
            connectMs: null,
            rttMs: null,
            tablesChecked: 0,
            failure: {
              code: 'connect_failed',
              sqlstate: '08001',
              message: 'could not connect to server "crew"',
              detail: 'could not translate host name "crew.internal" to address: Name or service not known',
            },
          }),
          health('ledger', {
            state: 'unreadable_tables',
            unreadable: [
              {
                schema: 'ledger',
                name: 'Audit\u001b[2J',
                remoteSchema: 'public',
                remoteTable: 'Audit\u001b[2J',
                sqlstate: '42501',
                message: 'permission denied for table x',
              },
            ],
          }),
        ],
      },
    ];
    const report = buildCheckReport(
      desired('main', ['billing', 'sales', 'crew', 'ledger']),
      planOf('main', [
        {
          action: 'update',
          link: 'sales',
          operations: [{ kind: 'drop_foreign_tables', schema: 'sales', tables: ['old'], reason: 'removed_on_remote' }],
          dependents: [],
        },
        { action: 'update', link: 'crew', operations: [{ kind: 'drop_schema', schema: 'crew' }], dependents: [] },
        { action: 'destroy', link: 'legacy', operations: [{ kind: 'drop_server', server: 'legacy' }], dependents: [] },
      ]),
      probed,
    );
    expect(report.databases[0]?.links.map((l) => [l.link, l.state])).toEqual([
      ['billing', 'ok'],
      ['sales', 'drift'],
      ['crew', 'unreachable'],
      ['ledger', 'unreadable_tables'],
      ['legacy', 'drift'],
    ]);
    expect(report.summary).toStrictEqual({ ok: 1, unreachable: 1, auth_failed: 0, missing: 0, unreadable_tables: 1, drift: 2, unknown: 0 });
    expect(renderCheckText(report).split('\n')).toStrictEqual([
      'Database main (db:5432/app)',
      '  ✓ billing: ok: PostgreSQL 17.2 at billing.internal:5432/billing as role billing_ro, 2 tables readable, connect 12.5 ms, round trip 0.8 ms',
      '  ~ sales: drift: PostgreSQL 17.2 at billing.internal:5432/billing as role billing_ro, 2 tables readable, connect 12.5 ms, round trip 0.8 ms',
      '      differs from the file; apply would change:',
      '        - foreign table sales.old (no longer on the remote)',
      '      hint: datalinks plan shows the changes; datalinks apply makes them',
      '  ✗ crew: unreachable: could not connect to server "crew": could not translate host name "crew.internal" to address: Name or service not known',
      "      hint: the local database server cannot resolve billing.internal: it resolves names in its own network, not this machine's; use a name or address it can resolve in the remote URL, then datalinks apply",
      // What --json says of the broken link's drift, the text says too.
      '      differs from the file; apply would change:',
      '        - schema crew',
      '      hint: datalinks plan shows the changes; datalinks apply makes them',
      '  ✗ ledger: unreadable tables: PostgreSQL 17.2 at billing.internal:5432/billing as role billing_ro, 1 of 2 tables unreadable, connect 12.5 ms, round trip 0.8 ms',
      '      ✗ ledger.Audit\\x1b[2J: permission denied for table x',
      '          hint: on the remote, as the table\'s owner: GRANT SELECT ON public."Audit\\x1b[2J" TO billing_ro;',
      '  ~ legacy: drift: a managed link that is not in the file',
      '      differs from the file; apply would change:',
      '        - server legacy',
      '      hint: datalinks plan shows the changes; datalinks apply makes them',
      '',
      'Check: 5 links: 1 ok, 2 broken, 2 drifted.',
      '  broken: main/crew (unreachable), main/ledger (unreadable tables)',
      '  drifted: main/sales, main/legacy',
      '',
    ]);
    const json = toCheckDocument(report);
    const validate = new Ajv2020({ strict: true, allowUnionTypes: true }).compile(
      JSON.parse(readFileSync('schemas/check.schema.json', 'utf8')),
    );
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...json, summary: { ...json.summary, broken: 1 } })).toBe(false);
    expect(json.databases[0]?.links[2]).toMatchObject({
      link: 'crew',
      state: 'unreachable',
      failure: { code: 'connect_failed', sqlstate: '08001', hint: expect.stringContaining('cannot resolve') },
      drift: { action: 'update', operations: ['drop_schema'] },
    });
    expect(json.databases[0]?.links[4]).toMatchObject({ link: 'legacy', state: 'drift', remote: null, failure: null });
  });

  it('reports a database it could not reach, and the plan error of a working link as a warning', () => {
    const report = buildCheckReport(
      {
        ...desired('main', ['billing']),
        databases: [...desired('main', ['billing']).databases, { ...desired('main', []).databases[0], alias: 'other' } as DesiredDatabase],
      },
      planOf(
        'main',
        [],
        [
          {
            link: 'billing',
            code: 'remote_unreadable',
            error: 'cannot connect to the remote db:5432/app: connection refused',
            advice: 'check the host',
          },
        ],
      ),
      [
        { alias: 'main', ok: true, links: [health('billing')] },
        { alias: 'other', ok: false, code: 'unreachable', error: 'cannot connect to database "other" (db:5432/app): connection refused' },
      ],
    );
    const text = renderCheckText(report);
    expect(text).toContain(
      '      could not compare with the file: cannot connect to the remote db:5432/app: connection refused\n      hint: check the host\n',
    );
    expect(text).toContain('Database other (db:5432/app)\n  ✗ cannot connect to database "other" (db:5432/app): connection refused\n');
    // Not compared with the file: unknown, never "0 drifted" alone.
    expect(text).toContain('  ? billing: unknown: PostgreSQL 17.2');
    expect(text).toContain(
      'Check: 1 link: 0 ok, 0 broken, 0 drifted, 1 unknown (could not tell), 1 database not checked.\n  unknown: main/billing\n  databases not checked: other (unreachable)\n',
    );
    const json = toCheckDocument(report);
    const validate = new Ajv2020({ strict: true, allowUnionTypes: true }).compile(
      JSON.parse(readFileSync('schemas/check.schema.json', 'utf8')),
    );
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(json.databases[0]?.links[0]?.drift_unknown).toEqual({
      code: 'remote_unreadable',
      message: 'cannot connect to the remote db:5432/app: connection refused',
      hint: 'check the host',
    });
  });
});

describe('rows a read through the link would miss', () => {
  it('make a working link unreadable, name table, column, limit and rows, and fit the check schema', () => {
    const report = buildCheckReport(
      desired('main', ['shop', 'other']),
      planOf('main', []),
      [{ alias: 'main', ok: true, links: [health('shop', { remoteVersion: null, tablesChecked: 3 }), health('other')] }],
      [
        {
          link: 'shop',
          tables: [{ schema: 'shop', name: 'photos', remoteSchema: 'shop', remoteTable: 'photos', column: 'jpeg', limit: 8192, rows: 2 }],
          error: null,
        },
        { link: 'other', tables: [], error: 'cannot connect to the remote db:3306/other: connection refused' },
      ],
    );
    expect(report.databases[0]?.links.map((l) => [l.link, l.state])).toEqual([
      ['shop', 'unreadable_tables'],
      ['other', 'ok'],
    ]);
    expect(renderCheckText(report).split('\n').slice(1, 6)).toStrictEqual([
      '  ✗ shop: unreadable tables: connected to billing.internal:5432/billing as role billing_ro, 1 of 3 tables unreadable, connect 12.5 ms, round trip 0.8 ms',
      '      ✗ shop.photos: 2 rows hold a value of more than 8,192 bytes in column "jpeg": a read through the link stops at the first of them, without an error, and returns no row after it',
      "          hint: on the remote, link a view in the table's place that reads the column as HEX(`jpeg`) AS `jpeg` (text, read at any length; decode(jpeg, 'hex') gives the bytes back), and leave the table out with `exclude: [photos]`",
      '  ✓ other: ok: PostgreSQL 17.2 at billing.internal:5432/billing as role billing_ro, 2 tables readable, connect 12.5 ms, round trip 0.8 ms',
      '      could not count the rows a read through the link would miss: cannot connect to the remote db:3306/other: connection refused',
    ]);
    const json = toCheckDocument(report);
    const validate = new Ajv2020({ strict: true, allowUnionTypes: true }).compile(
      JSON.parse(readFileSync('schemas/check.schema.json', 'utf8')),
    );
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(json.databases[0]?.links[0]?.rows_not_read).toMatchObject([{ table: 'photos', column: 'jpeg', limit: 8192, rows: 2 }]);
    expect(json.databases[0]?.links[1]?.rows_not_read_unknown).toBe('cannot connect to the remote db:3306/other: connection refused');
  });
});

describe('unreadable tables in text', () => {
  it('lists the first 20 with their GRANT, says how many more, and asks for USAGE when the schema is the problem', () => {
    const unreadable = Array.from({ length: 23 }, (_, i) => ({
      schema: 'big',
      name: `t${i}`,
      remoteSchema: 'Sales',
      remoteTable: `t${i}`,
      sqlstate: '42501',
      message: 'permission denied for schema Sales',
    }));
    const report = buildCheckReport(desired('main', ['big']), planOf('main', []), [
      { alias: 'main', ok: true, links: [health('big', { state: 'unreadable_tables', tablesChecked: 30, unreadable })] },
    ]);
    const text = renderCheckText(report);
    expect(text).toContain('23 of 30 tables unreadable');
    expect(text).toContain('      ✗ big.t19: permission denied for schema Sales\n');
    expect(text).not.toContain('big.t20:');
    expect(text).toContain('      ... and 3 more unreadable tables (--json lists them all)\n');
    expect(text).toContain(`hint: on the remote, as the schema's owner: GRANT USAGE ON SCHEMA "Sales" TO billing_ro;`);
    expect(toCheckDocument(report).databases[0]?.links[0]?.unreadable_tables).toHaveLength(23);
  });
});

describe('failureHint', () => {
  const failure = (detail: string) => ({
    code: 'connect_failed' as const,
    sqlstate: '08001',
    message: 'could not connect to server "x"',
    detail,
  });
  const target = { host: 'h', port: '6543', dbname: 'd', user: 'u' };
  it('tells apart what the local server could not do from the libpq detail', () => {
    expect(failureHint(failure('connection to server at "h" (10.0.0.1), port 6543 failed: Connection refused'), target, 'x')).toContain(
      'cannot reach h:6543',
    );
    expect(failureHint(failure('connection to server at "h", port 6543 failed: Connection timed out'), target, 'x')).toContain(
      'cannot reach',
    );
    expect(failureHint(failure('could not translate host name "h" to address: Name or service not known'), target, 'x')).toContain(
      'cannot resolve h',
    );
    expect(failureHint(failure('SSL error: certificate verify failed'), target, 'x')).toContain('TLS settings');
    expect(failureHint(failure('gssencmode value "require" invalid when GSSAPI support is not compiled in'), target, 'x')).toContain(
      'TLS settings',
    );
    expect(failureHint(failure('FATAL:  database "d" does not exist'), target, 'x')).toBe(
      'fix the database name in the remote URL, then apply',
    );
  });

  it('tells a SCRAM pass-through link refused for a different secret from a remote that does not ask for SCRAM', () => {
    const scram = { ...target, user: 'billing_ro', auth: 'scram_passthrough' as const, role: 'app' };
    const refused = (detail: string) => ({ ...failure(detail), code: 'auth_failed' as const });
    expect(failureHint(refused('FATAL:  password authentication failed for user "billing_ro"'), scram, 'x')).toBe(
      "the remote refused the SCRAM keys of local role app for remote role billing_ro: their SCRAM secrets differ (the same password hashed with another salt or iteration count differs too). Copy the secret as a superuser: on this server SELECT rolpassword FROM pg_authid WHERE rolname = 'app'; then on the remote ALTER ROLE billing_ro PASSWORD 'SCRAM-SHA-256$...'; with the value it returned (a rotation is done on both servers)",
    );
    expect(
      failureHint(refused('authentication method requirement "scram-sha-256" failed: server did not complete authentication'), scram, 'x'),
    ).toContain('the remote did not ask for SCRAM');
    // A password link keeps its own advice.
    expect(failureHint(refused('FATAL:  password authentication failed for user "u"'), target, 'x')).toContain('run datalinks apply');
    expect(failureHint({ ...refused(''), code: 'scram_login_missing' }, scram, 'x')).toContain(
      'datalinks logged in to the local database as "app" without SCRAM',
    );
  });
});

describe('healthProblem', () => {
  it('says in one line what apply would report for a link that does not work, and nothing for one that does', () => {
    expect(healthProblem(health('billing'))).toBeNull();
    expect(
      healthProblem(
        health('billing', {
          state: 'auth_failed',
          failure: {
            code: 'auth_failed',
            sqlstate: '08001',
            message: 'could not connect to server "billing"',
            detail: 'FATAL:  password authentication failed for user "billing_ro"',
          },
        }),
      ),
    ).toStrictEqual({
      message:
        'link billing: auth failed: could not connect to server "billing": FATAL:  password authentication failed for user "billing_ro"',
      hint: expect.stringContaining('run datalinks apply with the current remote URL'),
    });
    const unreadable = {
      schema: 'billing',
      name: 'payouts',
      remoteSchema: 'public',
      remoteTable: 'payouts',
      sqlstate: '42501',
      message: 'permission denied for table payouts',
    };
    expect(healthProblem(health('billing', { state: 'unreadable_tables', unreadable: [unreadable] }))).toStrictEqual({
      message: 'link billing: the remote role cannot read billing.payouts (permission denied for table payouts)',
      hint: "on the remote, as the table's owner: GRANT SELECT ON public.payouts TO billing_ro;",
    });
    // A MySQL remote has users, not roles, and its GRANT is MySQL's.
    const mysqlTarget = { host: 'shop.internal', port: '3306', dbname: 'shop', user: 'reader', wrapper: 'mysql_fdw' as const };
    const mysqlTable = {
      ...unreadable,
      remoteSchema: 'shop',
      message: "SELECT command denied to user 'reader'@'10.0.0.5' for table 'payouts'",
    };
    expect(healthProblem(health('shop', { state: 'unreadable_tables', target: mysqlTarget, unreadable: [mysqlTable] }))).toStrictEqual({
      message: `link shop: the remote user cannot read billing.payouts (${mysqlTable.message})`,
      hint: "on the remote, as the table's owner: GRANT SELECT ON `shop`.`payouts` TO 'reader'@'%';",
    });
  });
});

describe('probeLinks on a session that stops answering', () => {
  it('marks the link it waited on as stalled, checks no other, and sends nothing more on that session', async () => {
    const sent: string[] = [];
    const row = (link: string) => ({
      link,
      local_version_num: 170000,
      server_exists: true,
      owned: true,
      wrapper: 'postgres_fdw',
      options: ['host=h', 'port=5432', 'dbname=d'],
      usage: true,
      has_mapping: true,
      mapping_user: null,
      tables: [],
    });
    const client = {
      query: async (config: string | { text: string; query_timeout?: number }) => {
        const text = typeof config === 'string' ? config : config.text;
        sent.push(text.trim().split(/\s+/).slice(0, 2).join(' '));
        if (text.includes('pg_catalog.unnest($1::text[])')) return { rows: [row('slow'), row('next')] };
        if (text.includes('FROM pg_temp.datalinks_probe p')) {
          expect(typeof config === 'object' && config.query_timeout).toBe(1000 + 3000);
          throw new Error('Query read timeout');
        }
        return { rows: [] };
      },
    } as unknown as pg.Client;
    const result = await probeLinks(client, ['slow', 'next'], { statementTimeoutMs: 1000 });
    expect(result.map((h) => [h.link, h.state, h.failure?.code])).toEqual([
      ['slow', 'unreachable', 'stalled'],
      ['next', 'unreachable', 'not_checked'],
    ]);
    expect(sent).toEqual([
      'SELECT l.name',
      'SAVEPOINT datalinks_probe',
      "SELECT pg_catalog.set_config('statement_timeout',",
      'SAVEPOINT datalinks_probe_table',
      'CREATE FOREIGN',
      'SELECT pg_catalog.max(CASE',
    ]);
  });
});
