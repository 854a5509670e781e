import type pg from 'pg';

/** Watched clients: whether their login completed a SCRAM exchange (the server sent AuthenticationSASLFinal). */
const scramLogins = new WeakMap<pg.Client, boolean>();

/**
 * Watches how `client` logs in; call it before connecting. PostgreSQL 18's postgres_fdw can pass a
 * session's SCRAM keys to a remote (use_scram_passthrough) only when that session itself logged in
 * with SCRAM: a trust, peer, certificate or MD5 login leaves it none. The server does not say how a
 * session logged in (SYSTEM_USER names the pg_hba.conf method, which reads `md5` when an md5 rule
 * ran SCRAM for a SCRAM-hashed password), so the client, which saw the exchange, tells.
 */
export function watchScramLogin(client: pg.Client): void {
  scramLogins.set(client, false);
  client.connection.once('authenticationSASLFinal', () => scramLogins.set(client, true));
}

/** Whether `client` logged in with SCRAM; undefined for a client that was not watched. */
export function loggedInWithScram(client: pg.Client): boolean | undefined {
  return scramLogins.get(client);
}
