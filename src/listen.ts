import { createServer, type RequestListener, type Server } from 'node:http';

/** A bound HTTP server that whoever started it must close. */
export interface RunningServer {
  /** Origin the server answers on, e.g. http://127.0.0.1:53127 (no trailing slash). */
  readonly url: string;
  readonly server: Server;
  /** Idempotent; also drops keep-alive sockets so test runners never hang. A property: it is passed on unbound. */
  close: () => Promise<void>;
}

export interface ListenOptions {
  host?: string;
  port?: number;
  /** The host name the URL carries, when it differs from the bound address (a wildcard bind, a LAN name). */
  publicHost?: string;
}

/** The host a URL can carry: a wildcard bind is reachable here as 127.0.0.1 unless a public host is named. */
export function urlHost(host: string, publicHost?: string): string {
  const shown = publicHost ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
  return shown.includes(':') && !shown.startsWith('[') ? `[${shown}]` : shown;
}

/** Binds `app` (127.0.0.1, OS-chosen port by default) and resolves once it listens. */
export function listen(
  app: RequestListener,
  { host = '127.0.0.1', port = 0, publicHost }: ListenOptions = {},
): Promise<RunningServer> {
  const server = createServer(app);
  // note: a browser keeps sockets open; without this a close() would wait for them.
  server.keepAliveTimeout = 10_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      // A TCP listen always has an AddressInfo (a string is a pipe's path, null a closed server).
      if (address === null || typeof address === 'string') {
        server.close();
        return reject(new Error(`listening on ${host}:${port} gave no TCP address`));
      }
      const bound = address.port;
      let closing: Promise<void> | undefined;
      resolve({
        url: `http://${urlHost(host, publicHost)}:${bound}`,
        server,
        close() {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}
