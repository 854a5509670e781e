import { connect, createServer, type Socket } from 'node:net';

/**
 * What the proxy does with a new connection:
 * - `forward`: a faithful TCP proxy to the real server;
 * - `silent`: accepts the connection and never answers (nothing reaches the server), like a firewall
 *   that drops the traffic after the handshake, or a hung server;
 * - `stall after N` (`stallAfterReady` for PostgreSQL, `stallAfterMysqlPackets` for MySQL): forwards
 *   until the server has sent its Nth ReadyForQuery (1: the end of start-up and authentication, 2:
 *   after the session's first statement, ...) or its Nth MySQL packet (2: the greeting and the
 *   authentication's OK), then forwards nothing more in either direction and keeps both sockets open,
 *   like a hung server or a stalled network;
 * - `never-close`: forwards, but never closes its side toward the client, even after the client and
 *   the server have closed theirs (a proxy or a peer that swallows FINs);
 * - `hold`: forwards, but keeps its connection to the server open after the client has gone (a cut
 *   cable, or a proxy that holds server connections): the server never sees its client leave;
 * - `stallOnClient`: forwards until the client sends the given text (say `FETCH`: postgres_fdw reading
 *   a foreign table, its remote transaction open), which is dropped, and nothing more in either direction.
 */
export type ProxyMode =
  | 'forward'
  | 'silent'
  | 'never-close'
  | 'hold'
  | { stallAfterReady: number }
  | { stallAfterMysqlPackets: number }
  | { stallOnClient: string };

export interface StallingProxy {
  port: number;
  /** The mode for connections accepted from now on, or a function of the connection's number (1, 2, ...). */
  mode: ProxyMode | ((connection: number) => ProxyMode);
  /** Connections accepted so far. */
  connections: number;
  /** Connections whose client side is still open. */
  open(): number;
  /** Resets every connection open now, both sides (the route recovers, or a firewall drops its state); keeps listening. */
  dropAll(): Promise<void>;
  close(): Promise<void>;
}

const READY_FOR_QUERY = 'Z'.charCodeAt(0);
/** SSLRequest and GSSENCRequest: an 8-byte packet with these codes, answered with one byte. */
const NEGOTIATION_CODES = new Set([80877103, 80877104]);

/** The first whole message of a server's stream: its length, and whether it counts toward a stall; null until it is all there. */
type Framer = (pending: Buffer) => { bytes: number; counts: boolean } | null;

/** PostgreSQL's messages: a type byte and an int32 length (which counts itself); ReadyForQuery counts. */
const postgresMessage: Framer = (pending) => {
  if (pending.length < 5) return null;
  const bytes = 1 + pending.readInt32BE(1);
  return pending.length < bytes ? null : { bytes, counts: pending[0] === READY_FOR_QUERY };
};

/** MySQL's packets: a 3-byte little-endian length and a sequence byte; every packet counts. */
const mysqlPacket: Framer = (pending) => {
  if (pending.length < 4) return null;
  const bytes = 4 + pending.readUIntLE(0, 3);
  return pending.length < bytes ? null : { bytes, counts: true };
};

/** A TCP proxy on 127.0.0.1 in front of the server a URL names (postgres:// or mysql://), for tests of stalled peers. */
export async function startStallingProxy(target: string, mode: StallingProxy['mode']): Promise<StallingProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const clients = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const proxy: StallingProxy = {
    port: 0,
    mode,
    connections: 0,
    open: () => clients.size,
    dropAll: async () => {
      for (const socket of sockets) socket.resetAndDestroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  // Half-open allowed: a FIN from one side is passed on (or, never-close, swallowed) by the proxy itself.
  const server = createServer({ allowHalfOpen: true }, (client) => {
    track(client);
    clients.add(client);
    client.on('end', () => clients.delete(client));
    client.on('close', () => clients.delete(client));
    proxy.connections++;
    const connectionMode = typeof proxy.mode === 'function' ? proxy.mode(proxy.connections) : proxy.mode;
    if (connectionMode === 'silent') {
      // Read and drop what the client sends, so that its closing is seen; never answer, never close.
      client.resume();
      return;
    }
    const upstream = connect(Number(port), hostname);
    track(upstream);
    if (connectionMode === 'hold') {
      client.on('data', (chunk: Buffer) => upstream.write(chunk));
      upstream.pipe(client);
      return;
    }
    if (typeof connectionMode === 'object' && 'stallOnClient' in connectionMode) {
      let stalledHere = false;
      client.on('data', (chunk: Buffer) => {
        stalledHere ||= chunk.includes(connectionMode.stallOnClient);
        if (!stalledHere) upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => {
        if (!stalledHere) client.write(chunk);
      });
      client.on('end', () => upstream.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      return;
    }
    if (connectionMode === 'never-close') {
      client.pipe(upstream);
      upstream.on('data', (chunk: Buffer) => client.write(chunk));
      return;
    }
    // The client closing reaches the server, stalled or not (a hung server, not a cut cable).
    let stalled = false;
    client.on('end', () => (stalled ? upstream.destroy() : upstream.end()));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    if (connectionMode === 'forward') {
      client.pipe(upstream, { end: false });
      upstream.pipe(client);
      return;
    }
    const [framer, stallAfter] =
      'stallAfterReady' in connectionMode
        ? [postgresMessage, connectionMode.stallAfterReady]
        : [mysqlPacket, connectionMode.stallAfterMysqlPackets];
    let seen = 0;
    let pending = Buffer.alloc(0);
    // PostgreSQL answers an SSLRequest or GSSENCRequest (before start-up) with one unframed byte.
    let singleBytes = 0;
    client.on('data', (chunk: Buffer) => {
      if (chunk.length === 8 && NEGOTIATION_CODES.has(chunk.readInt32BE(4))) singleBytes++;
      if (!stalled) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (stalled) return;
      pending = Buffer.concat([pending, chunk]);
      // Forward message by message, up to and including the one that stalls the connection.
      let forward = 0;
      for (; singleBytes > 0 && forward < pending.length; singleBytes--) forward++;
      for (let next = framer(pending.subarray(forward)); next && !stalled; next = framer(pending.subarray(forward))) {
        forward += next.bytes;
        if (next.counts && ++seen >= stallAfter) stalled = true;
      }
      client.write(pending.subarray(0, forward));
      pending = pending.subarray(forward);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as { port: number }).port;
  return proxy;
}

/** `url` with its host and port replaced by the proxy's. */
export function throughProxy(url: string, proxy: StallingProxy): string {
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  return proxied.toString();
}
