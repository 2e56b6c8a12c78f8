import { Webhook } from 'standardwebhooks';

// The webhook channel, per the Standard Webhooks convention: the signature is HMAC-SHA256 over
// "id.timestamp.body", sent as `v1,<base64>`. The key is the secret's UTF-8 bytes, or the base64
// after a `whsec_` prefix, as the convention says.

const WHSEC = 'whsec_';

function webhookSigner(secret: string): Webhook {
  return secret.startsWith(WHSEC) ? new Webhook(secret) : new Webhook(new TextEncoder().encode(secret), { format: 'raw' });
}

/** The three headers of one delivery attempt (the timestamp is the attempt's, the id the event's). */
function webhookHeaders(secret: string, id: string, at: Date, body: string): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': webhookSigner(secret).sign(id, at, body),
  };
}

/**
 * POSTs the event; throws with the receiver's status (or the network error) unless it answers 2xx.
 * The platform's fetch, so that the Cloudflare Worker sends webhooks too (undici's own API does
 * not bundle for workerd); a redirect is an answer, not followed.
 */
export async function sendWebhook(target: { url: string; secret: string }, id: string, body: string, at: Date, timeoutMs: number): Promise<void> {
  let response: Response;
  try {
    response = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'edgeplane', ...webhookHeaders(target.secret, id, at, body) },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    // fetch says only "fetch failed"; its cause says why (refused, reset, no such host).
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new Error(`${error instanceof Error ? error.message : String(error)}${cause}`, { cause: error });
  }
  const text = await response.text().catch(() => '');
  if (response.status < 200 || response.status >= 300) {
    throw new Error(`the receiver answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
  }
}
