import { connect, createServer, type Socket } from 'node:net';

/**
 * What the proxy does with a new connection:
 * - `forward`: a faithful TCP proxy to the real PostgreSQL;
 * - `silent`: accepts the connection and never answers (nothing reaches PostgreSQL);
 * - `stall after N`: forwards until PostgreSQL has sent its Nth ReadyForQuery (1: the end of
 *   start-up and authentication, 2: after the session's first statement, ...), then forwards nothing
 *   more in either direction and keeps both sockets open, like a hung server or a stalled network.
 */
export type ProxyMode = 'forward' | 'silent' | { stallAfterReady: number };

export interface StallingProxy {
  port: number;
  /** The mode for connections accepted from now on, or a function of the connection's number (1, 2, ...). */
  mode: ProxyMode | ((connection: number) => ProxyMode);
  /** Connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

const READY_FOR_QUERY = 'Z'.charCodeAt(0);

/** A TCP proxy on 127.0.0.1 in front of `target` (a PostgreSQL URL), for tests of stalled peers. */
export async function startStallingProxy(target: string, mode: StallingProxy['mode']): Promise<StallingProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const proxy: StallingProxy = {
    port: 0,
    mode,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = createServer((client) => {
    track(client);
    proxy.connections++;
    const connectionMode = typeof proxy.mode === 'function' ? proxy.mode(proxy.connections) : proxy.mode;
    if (connectionMode === 'silent') return;
    const upstream = connect(Number(port), hostname);
    track(upstream);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    if (connectionMode === 'forward') {
      client.pipe(upstream);
      upstream.pipe(client);
      return;
    }
    let stalled = false;
    let ready = 0;
    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      if (!stalled) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (stalled) return;
      // Split the server's stream into messages (type byte, int32 length) to count ReadyForQuery.
      pending = Buffer.concat([pending, chunk]);
      let forward = 0;
      while (!stalled && pending.length - forward >= 5) {
        const length = pending.readInt32BE(forward + 1);
        if (pending.length - forward < 1 + length) break;
        const type = pending[forward];
        forward += 1 + length;
        if (type === READY_FOR_QUERY && ++ready >= connectionMode.stallAfterReady) stalled = true;
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
