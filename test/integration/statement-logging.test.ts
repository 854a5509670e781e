import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { oneLinkConfig, runCli, writeConfig } from '../support/cli.js';
import { adminQuery, createLinkedPair, createRole, type TestDatabase, urlFor, withClient } from '../support/databases.js';

/**
 * An event trigger that makes every CREATE USER MAPPING fail, reporting the logging settings the
 * statement ran under: the failure PostgreSQL would log with the statement (and its password).
 */
async function refuseUserMappings(local: TestDatabase): Promise<void> {
  await local.query(`
    CREATE FUNCTION refuse_mapping() RETURNS event_trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'user mapping refused by a test (log_min_error_statement=%, log_statement=%, log_min_duration_statement=%, pg_stat_statements.track_utility=%)',
        current_setting('log_min_error_statement'), current_setting('log_statement'), current_setting('log_min_duration_statement'),
        coalesce(current_setting('pg_stat_statements.track_utility', true), 'unset');
    END $$`);
  await local.query(
    `CREATE EVENT TRIGGER refuse_mapping ON ddl_command_start WHEN TAG IN ('CREATE USER MAPPING') EXECUTE FUNCTION refuse_mapping()`,
  );
}

async function linkedPairWithUniquePassword() {
  const { local, remote } = await createLinkedPair();
  await remote.query('CREATE TABLE invoices (id integer)');
  const remoteUser = await createRole('logged');
  await remote.query(`GRANT SELECT ON invoices TO ${pg.escapeIdentifier(remoteUser.name)}`);
  return { local, remote, remoteUser, env: { LOCAL_URL: local.url, BILLING_URL: urlFor(remote.name, remoteUser) } };
}

describe('what PostgreSQL logs of an apply', () => {
  it('a superuser apply keeps a failed CREATE USER MAPPING and its password out of the server log', async () => {
    const { local, remoteUser, env } = await linkedPairWithUniquePassword();
    await refuseUserMappings(local);
    const logFile = inject('serverLog');
    const logBefore = logFile ? readFileSync(logFile, 'utf8').length : 0;

    const result = await runCli(['apply', '--auto-approve', '-c', writeConfig(oneLinkConfig())], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'FAILED: link "billing": user mapping refused by a test (log_min_error_statement=panic, log_statement=none, log_min_duration_statement=-1, pg_stat_statements.track_utility=off)',
    );
    expect(await local.query('SELECT srvname FROM pg_foreign_server')).toEqual([]);

    // With the embedded server the log is at hand (an external server's is not): the error is
    // logged, the statement and its password are not.
    if (logFile) {
      expect(existsSync(logFile)).toBe(true);
      let log = '';
      for (let attempt = 0; attempt < 50 && !log.includes('user mapping refused by a test'); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        log = readFileSync(logFile, 'utf8').slice(logBefore);
      }
      expect(log).toContain('ERROR:  user mapping refused by a test');
      expect(log).not.toContain('CREATE USER MAPPING');
      expect(log).not.toContain(remoteUser.password);
    }
  });

  it('a non-superuser that was granted SET on the logging settings gets them too; one that was not still applies', async () => {
    const { local, env } = await linkedPairWithUniquePassword();
    const [owner, plainOwner] = [await createRole('owner'), await createRole('owner')];
    await withClient(local.url, async (client) => {
      await client.query('CREATE EXTENSION postgres_fdw');
      for (const role of [owner, plainOwner]) {
        const id = pg.escapeIdentifier(role.name);
        await client.query(`GRANT CREATE ON DATABASE ${pg.escapeIdentifier(local.name)} TO ${id}`);
        await client.query(`GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO ${id}`);
      }
    });
    // GRANT SET ON PARAMETER exists since PostgreSQL 15; before, only a superuser may change them.
    const [row] = await adminQuery<{ version: number }>(`SELECT current_setting('server_version_num')::int AS version`);
    const version = row?.version ?? 0;
    if (version >= 150000) {
      await adminQuery(
        `GRANT SET ON PARAMETER log_min_error_statement, log_statement, log_min_duration_statement, log_min_duration_sample,
           log_transaction_sample_rate TO ${pg.escapeIdentifier(owner.name)}`,
      );
    }
    await refuseUserMappings(local);
    const file = writeConfig(oneLinkConfig());

    const granted = await runCli(['apply', '--auto-approve', '-c', file], { ...env, LOCAL_URL: urlFor(local.name, owner) });
    expect(granted.code).toBe(1);
    expect(granted.stdout).toContain(
      version >= 150000
        ? '(log_min_error_statement=panic, log_statement=none, log_min_duration_statement=-1,'
        : '(log_min_error_statement=error, log_statement=none, log_min_duration_statement=-1,',
    );

    await local.query('DROP EVENT TRIGGER refuse_mapping');
    const plain = await runCli(['apply', '--auto-approve', '-c', file], { ...env, LOCAL_URL: urlFor(local.name, plainOwner) });
    expect(plain.stdout).toContain('Database main: applied');
    expect(plain.code).toBe(0);
  });
});
