import pg from 'pg';

/**
 * Runs `fn` on a plain connection to `url` and closes it: for the demo, the benchmark and tests,
 * which own the databases they talk to. The CLI connects through `connect()` instead, for its
 * timeouts and error messages.
 */
export async function withPlainClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
