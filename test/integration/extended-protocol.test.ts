import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parsePostgresUrl } from '../../src/config/parse-url.js';
import { withConnection } from '../../src/db/connect.js';
import { executeStatement } from '../../src/db/execute.js';
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
});
