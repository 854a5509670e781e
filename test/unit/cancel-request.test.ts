import { createServer } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { sendCancelRequest } from '../../src/db/cancel.js';

/** A client as pg leaves it after start-up: host, port and the backend key from BackendKeyData. */
function connectedClient(port: number, processID: number, secretKey: number): pg.Client {
  const client = new pg.Client({ host: '127.0.0.1', port });
  Object.assign(client, { processID, secretKey });
  return client;
}

describe('cancel request', () => {
  it('sends the protocol CancelRequest with the backend process id and secret key, and resolves when the server closes', async () => {
    const received: Buffer[] = [];
    const server = createServer((socket) => {
      socket.on('data', (chunk) => {
        received.push(chunk);
        socket.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      expect(await sendCancelRequest(connectedClient(port, 4242, -123456789), 5_000)).toBe(true);
      const packet = Buffer.concat(received);
      expect(packet.length).toBe(16);
      expect([packet.readInt32BE(0), packet.readInt16BE(4), packet.readInt16BE(6)]).toEqual([16, 1234, 5678]);
      expect([packet.readInt32BE(8), packet.readInt32BE(12)]).toEqual([4242, -123456789]);
    } finally {
      server.close();
    }
  });

  it('gives up after its timeout on a server that never closes, and sends nothing without a backend key', async () => {
    const server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      expect(await sendCancelRequest(connectedClient(port, 1, 2), 200)).toBe(false);
      expect(await sendCancelRequest(new pg.Client({ host: '127.0.0.1', port }), 200)).toBe(false);
    } finally {
      server.close();
    }
  });
});
