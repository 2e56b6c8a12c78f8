import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';

// The Node.js entry of the API: listens, reports its URL, and closes gracefully (stops accepting,
// lets in-flight requests finish, then drops idle keep-alive connections).

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

export interface ApiServerOptions {
  app: { fetch: (request: Request) => Response | Promise<Response> };
  port: number;
  /** Default 127.0.0.1; set 0.0.0.0 explicitly to listen on every interface. */
  hostname?: string;
}

export async function startApiServer({ app, port, hostname = '127.0.0.1' }: ApiServerOptions): Promise<ApiServer> {
  const server = createAdaptorServer({ fetch: app.fetch, hostname }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Connections that finish their last request later (a live page's stream) are dropped as they go idle.
        const dropIdle = setInterval(() => server.closeIdleConnections(), 100);
        server.close((error) => {
          clearInterval(dropIdle);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
