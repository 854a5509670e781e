// demo/: the embedded PostgreSQL walkthrough.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withPlainClient } from '../db/plain-client.js';
import { UserError } from '../errors.js';
import type { Output } from '../output.js';
import { plural } from '../plural.js';
import { startEmbeddedServer } from './embedded-server.js';

type Run = (args: string[], output: Output) => Promise<number>;

const REMOTE_SQL = `
CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL, email text NOT NULL);
INSERT INTO people VALUES (1, 'Ada Lovelace', 'ada@example.com'), (2, 'Grace Hopper', 'grace@example.com'),
                          (3, 'Edsger Dijkstra', 'edsger@example.com');
CREATE TABLE accounts (id integer PRIMARY KEY, person_id integer NOT NULL REFERENCES people, plan text NOT NULL);
INSERT INTO accounts VALUES (10, 1, 'premium'), (11, 2, 'standard');`;

const LOCAL_SQL = `
CREATE TABLE orders (id integer PRIMARY KEY, person_id integer NOT NULL, item text NOT NULL, total numeric(8,2) NOT NULL);
INSERT INTO orders VALUES (100, 1, 'salmon nigiri', 12.50), (101, 2, 'tuna maki', 9.00), (102, 1, 'miso soup', 3.50);`;

const CONFIG = `# yaml-language-server: $schema=./node_modules/datalinks/schemas/datalinks.schema.json
version: 1
databases:
  main:
    url: \${DATABASE_URL}
    links:
      crm:
        remote:
          url: \${CRM_DATABASE_URL}
        server_options: { fetch_size: 1000 }
`;

const QUERY = `SELECT p.name, count(o.id)::int AS orders, sum(o.total) AS spent
  FROM orders o JOIN crm.people p ON p.id = o.person_id
 GROUP BY p.name ORDER BY p.name`;

/**
 * The walkthrough: an embedded PostgreSQL with a local and a remote database, then plan → apply →
 * list → a query through the link → a table added on the remote → plan and apply pick it up.
 */
export async function runDemo(run: Run, output: Output): Promise<number> {
  const step = (text: string) => output.out(`\n${output.color ? `\u001b[1m${text}\u001b[22m` : text}\n\n`);
  step('Starting an embedded PostgreSQL with two databases: sushi (local) and crm (remote)...');
  const server = await startEmbeddedServer({ password: 'demo-password' });
  const dir = mkdtempSync(join(tmpdir(), 'datalinks-demo-'));
  try {
    const url = (database: string) => server.url.replace(/\/postgres$/, `/${database}`);
    await sql(server.url, 'CREATE DATABASE sushi');
    await sql(server.url, 'CREATE DATABASE crm');
    await sql(url('crm'), REMOTE_SQL);
    await sql(url('sushi'), LOCAL_SQL);
    const configPath = join(dir, 'datalinks.yaml');
    writeFileSync(configPath, CONFIG);
    const env = { ...output.env, DATABASE_URL: url('sushi'), CRM_DATABASE_URL: url('crm') };
    const demoOutput: Output = { ...output, env };
    const cli = async (...args: string[]) => {
      output.out(`$ datalinks ${args.join(' ')}\n`);
      const code = await run(['node', 'datalinks', ...args, '-c', configPath], demoOutput);
      if (code !== 0 && code !== 2) throw new UserError('demo_step_failed', `the demo stopped: datalinks ${args[0]} exited with ${code}`);
    };

    output.out(`The configuration (${configPath}):\n\n${CONFIG}`);
    step('1. What would change? (datalinks plan)');
    await cli('plan');
    step('2. Make it so, in one transaction (datalinks apply)');
    await cli('apply', '--auto-approve');
    step('3. The links in each database, like heroku pg:links (datalinks list)');
    await cli('list');
    step('4. Join a local table with a remote one, through the link');
    output.out(`sushi=> ${QUERY.replace(/\s+/g, ' ')};\n\n${formatTable(await sql(url('sushi'), QUERY))}\n`);
    step('5. Someone adds a table on the remote. Heroku never saw it; datalinks plan does:');
    await sql(
      url('crm'),
      `CREATE TABLE invoices (id integer PRIMARY KEY, account_id integer NOT NULL, amount numeric(8,2));
                           INSERT INTO invoices VALUES (1000, 10, 49.00);`,
    );
    output.out('crm=> CREATE TABLE invoices (...);\n\n');
    await cli('plan');
    await cli('apply', '--auto-approve');
    output.out(`\nsushi=> SELECT * FROM crm.invoices;\n\n${formatTable(await sql(url('sushi'), 'SELECT * FROM crm.invoices'))}\n`);
    step(
      'Done. Try it on your own databases: start datalinks.yaml from datalinks.example.yaml (in this package), set the variables it names, run datalinks plan.',
    );
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  }
}

async function sql(url: string, text: string): Promise<Record<string, unknown>[]> {
  return withPlainClient(url, async (client) => {
    const result = await client.query(text);
    return Array.isArray(result) ? [] : result.rows;
  });
}

/** Rows as psql prints them. */
export function formatTable(rows: Record<string, unknown>[]): string {
  const columns = Object.keys(rows[0] ?? {});
  const cell = (value: unknown) => (value === null || value === undefined ? '' : String(value));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => ` ${values.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')}`;
  return [
    line(columns),
    `-${widths.map((w) => '-'.repeat(w)).join('-+-')}-`,
    ...rows.map((r) => line(columns.map((c) => cell(r[c])))),
    `(${plural(rows.length, 'row')})`,
  ].join('\n');
}
