// A loopback TCP proxy for fault tests: carries connections to a target and can cut them all at once.
import net from 'node:net';

export interface TcpProxy {
  port: number;
  url: string;
  /** Destroys every open connection (both sides), as a dropped network would. */
  cutAll(): void;
  /** Stops reading from the target: the client looks like a viewer that stopped reading. */
  pauseAll(): void;
  resumeAll(): void;
  close(): Promise<void>;
}

/** `observe` sees every chunk in both directions (for capture tests). */
export async function startTcpProxy(
  targetPort: number,
  observe?: (chunk: Buffer) => void,
): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  const upstreams = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    open.add(client);
    open.add(upstream);
    upstreams.add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
      upstreams.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    if (observe) {
      client.on('data', observe);
      upstream.on('data', observe);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    cutAll() {
      for (const s of open) s.destroy();
      open.clear();
      upstreams.clear();
    },
    pauseAll() {
      for (const s of upstreams) {
        s.unpipe();
        s.pause();
      }
    },
    resumeAll() {
      for (const s of upstreams) {
        for (const c of open) if (!upstreams.has(c)) s.pipe(c);
        s.resume();
      }
    },
    close() {
      for (const s of open) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
