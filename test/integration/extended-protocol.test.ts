import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { withConnection } from '../../src/db/connect.js';
import { executeStatement, executeStatements } from '../../src/db/execute.js';
import { parsePostgresUrl } from '../../src/wrappers/postgres/parse-url.js';
import { createDatabase } from '../support/databases.js';

describe('how apply executes generated SQL', () => {
  it('refuses a statement that carries a second one, as injected text would, and runs nothing of it', async () => {
    const database = await createDatabase('injection');
    await database.query('CREATE TABLE x (id integer); INSERT INTO x VALUES (1)');
    const parsed = parsePostgresUrl(database.url);
    if (!parsed.ok) throw new Error(parsed.message);

    // As if a remote default expression had been `0; DROP TABLE x`.
    const injected = `CREATE TABLE y (id integer DEFAULT 0); DROP TABLE x`;
    const error = await withConnection(parsed.target, { connectTimeoutMs: 10_000 }, (client) =>
      executeStatement(client, injected).then(
        () => null,
        (reason: unknown) => reason,
      ),
    );
    expect(error).toBeInstanceOf(pg.DatabaseError);
    expect((error as pg.DatabaseError).message).toBe('cannot insert multiple commands into a prepared statement');
    expect(await database.query('SELECT id FROM x')).toEqual([{ id: 1 }]);
    expect(await database.query(`SELECT to_regclass('y') AS y`)).toEqual([{ y: null }]);

    // The same text through the simple protocol would have run both statements.
    await database.query(injected);
    expect(await database.query(`SELECT to_regclass('x') AS x`)).toEqual([{ x: null }]);
  });

  it('pipelined, still refuses a statement that carries a second one, reports the first failure and leaves the connection usable', async () => {
    const database = await createDatabase('pipelined');
    await database.query('CREATE TABLE x (id integer)');
    const parsed = parsePostgresUrl(database.url);
    if (!parsed.ok) throw new Error(parsed.message);
    const statements = [
      'CREATE TABLE public.a (id integer)',
      'CREATE TABLE public.y (id integer DEFAULT 0); DROP TABLE public.x',
      'CREATE TABLE public.b (id integer)',
      'SELECT 1 / 0',
    ];
    const running: number[] = [];
    const outcome = await withConnection(parsed.target, { connectTimeoutMs: 10_000 }, async (client) => {
      await client.query('BEGIN');
      const error = await executeStatements(client, statements, { onRunning: (i) => running.push(i) }).then(
        () => null,
        (reason: unknown) => reason,
      );
      await client.query('ROLLBACK');
      const after = await client.query('SELECT 2 AS two');
      return { error, after: after.rows };
    });
    expect((outcome.error as pg.DatabaseError).message).toBe('cannot insert multiple commands into a prepared statement');
    expect(running).toEqual([0, 1]);
    expect(outcome.after).toEqual([{ two: 2 }]);
    expect(await database.query(`SELECT to_regclass('a') AS a, to_regclass('b') AS b, to_regclass('x') AS x`)).toEqual([
      { a: null, b: null, x: 'x' },
    ]);
  });
});
