import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// Stands between the Worker and the simulator on 127.0.0.1 and counts the Fastly API calls that
// pass. Armed with `cutAt(k, cut)`, it forwards the k-th call, waits for Fastly's whole answer,
// runs `cut` (which kills the Worker) and never answers: Fastly did the work, the Worker never
// learns it did.

export interface CutProxy {
  url: string;
  /** Every call since the last `reset`, as "METHOD /path" with ids replaced by `{id}`. */
  calls: string[];
  reset(): void;
  /** The `k`-th call from now on runs `cut` once Fastly answered it (k ≥ 1). */
  cutAt(k: number, cut: () => void): void;
  close(): Promise<void>;
}

/** "GET /service/4yRtTn2Ak2yQXs1xaBlW8B/version/3/domain" → "GET /service/{id}/version/{n}/domain". */
function callKind(method: string, path: string): string {
  const [pathname, query] = path.split('?');
  const template = pathname!
    .split('/')
    .map((part) => (/^\d+$/.test(part) ? '{n}' : /^[A-Za-z0-9]{16,}$/.test(part) ? '{id}' : /\./.test(part) ? '{name}' : part))
    .join('/');
  return `${method} ${template}${query ? '?…' : ''}`;
}

function readBody(message: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    message.on('data', (chunk: Buffer) => chunks.push(chunk));
    message.on('end', () => resolve(Buffer.concat(chunks)));
    message.on('error', reject);
  });
}

export async function startCutProxy(target: string): Promise<CutProxy> {
  const upstream = new URL(target);
  let calls: string[] = [];
  let cut: { at: number; run: () => void } | undefined;
  const server: Server = createServer(async (incoming, outgoing) => {
    const body = await readBody(incoming);
    calls.push(callKind(incoming.method!, incoming.url!));
    const cutHere = cut !== undefined && calls.length === cut.at ? cut : undefined;
    if (cutHere) cut = undefined;
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: upstream.host } },
      async (answer) => {
        const answerBody = await readBody(answer);
        if (cutHere) {
          cutHere.run();
          outgoing.socket?.destroy();
          return;
        }
        outgoing.writeHead(answer.statusCode!, answer.headers);
        outgoing.end(answerBody);
      },
    );
    forwarded.on('error', () => outgoing.socket?.destroy());
    forwarded.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get calls() {
      return calls;
    },
    reset() {
      calls = [];
      cut = undefined;
    },
    cutAt(k, run) {
      cut = { at: k, run };
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
