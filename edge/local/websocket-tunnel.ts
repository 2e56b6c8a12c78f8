import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Hono } from 'hono';
import type { EdgePlatform } from '../platform';
import type { Origin } from '../policy';

// WebSocket handoff under Node, standing in for Fastly's createWebsocketHandoff: the upgrade
// request goes through the app (and so the policy) like any other; when the app hands it off,
// the client's socket is joined to a new connection to the origin, byte for byte.

interface PendingUpgrade {
  socket: Duplex;
  head: Buffer;
  handedOff: boolean;
}

export interface WebsocketTunnels {
  /** The platform's handoffWebsocket. */
  handoff: EdgePlatform['handoffWebsocket'];
  /** The server's 'upgrade' listener. */
  onUpgrade(app: Hono, toEdgeRequest: (request: Request) => Request): (incoming: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Ends every open tunnel (they outlive the HTTP server's own connections). */
  closeAll(): void;
}

function headersOf(incoming: IncomingMessage): Headers {
  const headers = new Headers();
  for (let index = 0; index + 1 < incoming.rawHeaders.length; index += 2) headers.append(incoming.rawHeaders[index]!, incoming.rawHeaders[index + 1]!);
  return headers;
}

async function writeResponse(socket: Duplex, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const lines = [`HTTP/1.1 ${response.status} ${response.statusText || 'Response'}`];
  response.headers.forEach((value, name) => {
    if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection') lines.push(`${name}: ${value}`);
  });
  lines.push(`content-length: ${body.byteLength}`, 'connection: close');
  socket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), body]));
}

export function websocketTunnels(origins: Record<Origin, string>): WebsocketTunnels {
  const pending = new WeakMap<Request, PendingUpgrade>();
  const open = new Set<Duplex>();

  const handoff: EdgePlatform['handoffWebsocket'] = async (request, headers, origin) => {
    const upgrade = pending.get(request);
    if (!upgrade) return new Response('WebSocket handoff needs an upgrade request.\n', { status: 400 });
    upgrade.handedOff = true;
    const target = new URL(origins[origin]);
    const url = new URL(request.url);
    const upstream = connect(Number(target.port || 80), target.hostname, () => {
      const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`];
      headers.forEach((value, name) => {
        lines.push(`${name}: ${value}`);
      });
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (upgrade.head.byteLength > 0) upstream.write(upgrade.head);
      upstream.pipe(upgrade.socket);
      upgrade.socket.pipe(upstream);
    });
    const closeBoth = () => {
      upstream.destroy();
      upgrade.socket.destroy();
    };
    upstream.on('error', closeBoth);
    upgrade.socket.on('error', closeBoth);
    open.add(upstream);
    open.add(upgrade.socket);
    upstream.on('close', () => {
      open.delete(upstream);
      upgrade.socket.destroy();
    });
    upgrade.socket.on('close', () => {
      open.delete(upgrade.socket);
      upstream.destroy();
    });
    return new Response(null, { status: 200 });
  };

  return {
    handoff,
    onUpgrade: (app, toEdgeRequest) => (incoming, socket, head) => {
      const request = toEdgeRequest(new Request(`http://${incoming.headers.host ?? 'localhost'}${incoming.url ?? '/'}`, { headers: headersOf(incoming) }));
      const upgrade: PendingUpgrade = { socket, head, handedOff: false };
      pending.set(request, upgrade);
      socket.on('error', () => socket.destroy());
      Promise.resolve(app.fetch(request, { incoming }))
        .then((response) => (upgrade.handedOff ? undefined : writeResponse(socket, response)))
        .catch(() => socket.destroy());
    },
    closeAll() {
      for (const socket of open) socket.destroy();
    },
  };
}
