import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NotificationEvent } from '../../src/notify/model';

// A webhook receiver on 127.0.0.1 as a customer would write one: it checks the Standard Webhooks
// signature itself (HMAC-SHA256 over "id.timestamp.body", `v1,<base64>`) and keeps each event
// once by its id, counting how often each id came.

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  body: NotificationEvent;
}

export interface WebhookReceiver {
  url: string;
  /** Events by first arrival, one per id. */
  events: ReceivedWebhook[];
  /** How many times each signed request of an id arrived, answered or not (at-least-once: maybe more than once). */
  arrivals: Map<string, number>;
  /** Requests whose signature did not verify (answered 400). */
  rejected: number;
  /** Decides each request's answer before it is recorded; default: record it and answer 204. */
  respond: (request: ReceivedWebhook, res: ServerResponse) => 'record' | 'handled';
  waitFor(count: number): Promise<void>;
  close(): Promise<void>;
}

/** The key per the convention: UTF-8 bytes, or base64 after `whsec_`. */
function keyOf(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}

function verifySignature(secret: string, id: string, timestamp: string, body: string, header: string): boolean {
  const expected = Buffer.from(`v1,${createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`);
  return header.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const waiters: Array<() => void> = [];
  const receiver: WebhookReceiver = {
    url: '',
    events: [],
    arrivals: new Map(),
    rejected: 0,
    respond: () => 'record',
    async waitFor(count) {
      while (receiver.events.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const id = String(req.headers['webhook-id'] ?? '');
    const timestamp = String(req.headers['webhook-timestamp'] ?? '');
    if (!verifySignature(secret, id, timestamp, body, String(req.headers['webhook-signature'] ?? ''))) {
      receiver.rejected += 1;
      res.writeHead(400).end('bad signature');
      return;
    }
    const request: ReceivedWebhook = { id, timestamp, body: JSON.parse(body) };
    receiver.arrivals.set(id, (receiver.arrivals.get(id) ?? 0) + 1);
    if (receiver.respond(request, res) === 'handled') return;
    if (!receiver.events.some((event) => event.id === id)) receiver.events.push(request);
    res.writeHead(204).end();
    for (const wake of waiters.splice(0)) wake();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}
