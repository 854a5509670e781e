import { connect as openSocket } from 'node:net';
import type pg from 'pg';

/** The CancelRequest code of the frontend/backend protocol: 1234 in the high 16 bits, 5678 in the low. */
const CANCEL_REQUEST_CODE = 80877102;

/**
 * Asks PostgreSQL to cancel the statement `client` is running, the way psql does on Ctrl-C: the
 * protocol's CancelRequest, sent on a new connection to the same host and port with the backend's
 * process id and secret key. Closing our socket does not stop a statement that waits for a lock (the
 * server notices a closed client only when it next writes to it); a cancel does. A CancelRequest needs
 * no authentication and no free connection slot, and connection poolers forward it, so it works where
 * `SELECT pg_cancel_backend(pid)` on a second login would not. A cancel that arrives when no statement
 * runs is ignored by the server.
 *
 * Resolves true once the server has taken the request (it closes the connection after signalling the
 * backend), false if it could not be sent within `timeoutMs`. Never rejects.
 */
export function sendCancelRequest(client: pg.Client, timeoutMs: number): Promise<boolean> {
  const key = backendKeyOf(client);
  if (!key) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = client.host.startsWith('/')
      ? openSocket(`${client.host}/.s.PGSQL.${client.port}`)
      : openSocket(client.port, client.host);
    const done = (sent: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(sent);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => {
      const packet = Buffer.alloc(16);
      packet.writeInt32BE(16, 0);
      packet.writeInt32BE(CANCEL_REQUEST_CODE, 4);
      packet.writeInt32BE(key.processID, 8);
      packet.writeInt32BE(key.secretKey, 12);
      socket.write(packet);
    });
    socket.once('close', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The backend key PostgreSQL sent at start-up (BackendKeyData); pg keeps it on the client. */
function backendKeyOf(client: pg.Client): { processID: number; secretKey: number } | null {
  const { processID, secretKey } = client as unknown as { processID: unknown; secretKey: unknown };
  return typeof processID === 'number' && typeof secretKey === 'number' ? { processID, secretKey } : null;
}
