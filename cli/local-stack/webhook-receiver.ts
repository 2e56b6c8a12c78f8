import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

// The local stack's webhook receiver: it checks each request's Standard Webhooks signature,
// keeps each event once by its id (deliveries are at least once), and tells what arrived.

export interface LocalWebhookReceiver {
  url: string;
  close(): Promise<void>;
}

export async function startWebhookReceiver(secret: string, onEvent: (line: string) => void): Promise<LocalWebhookReceiver> {
  const verifier = new Webhook(secret);
  const seen = new Set<string>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    let event: { type: string; data: { domain: string | null; service: string; message: string } };
    try {
      event = verifier.verify(body, req.headers as Record<string, string>) as typeof event;
    } catch (error) {
      onEvent(`webhook refused: ${error instanceof Error ? error.message : String(error)}`);
      res.writeHead(400).end();
      return;
    }
    const id = String(req.headers['webhook-id']);
    if (!seen.has(id)) {
      seen.add(id);
      onEvent(`webhook ${event.type} ${event.data.domain ?? event.data.service}: ${event.data.message}`);
    }
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/edgeplane-events`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
