import { request } from 'undici';
import { classifyEdgeAnswer, type EdgeHints } from './edge-hint';

// Node only: undici sends the domain as the Host header (fetch may not), and the Worker's bundle
// must not import undici, so this lives apart from the hint's types and classifier.

const HINT_TIMEOUT_MS = 5_000;

/** Reads hints from Fastly's edge at `address` (`host` or `host:port`): GET / with the domain as Host. */
export function fastlyEdgeHints(address: string, timeoutMs: number = HINT_TIMEOUT_MS): EdgeHints {
  return {
    address,
    async read(domain) {
      try {
        const response = await request(`http://${address}/`, {
          method: 'GET',
          headers: { host: domain, 'user-agent': 'edgeplane release hint' },
          signal: AbortSignal.timeout(timeoutMs),
        });
        // A served host's page is not read: only the edge's own 500 page matters.
        if (response.statusCode !== 500) {
          await response.body.dump();
          return 'served';
        }
        return classifyEdgeAnswer(response.statusCode, await response.body.text());
      } catch {
        return 'no_answer';
      }
    },
  };
}
