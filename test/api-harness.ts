import { createApiApp } from '../api/app';
import { createMetrics } from '../api/metrics';
import { InMemoryControlPlane } from './api-fake-control-plane';
import { capturingLogger } from './support/capturing-logger';

// Builds the API app around the in-memory control plane, capturing every log line.

export const TOKEN = 'test-api-token-0123456789';
export const SECOND_TOKEN = 'second-api-token-9876543210';

export const toot = {
  name: 'toot',
  origins: {
    main: { address: 'lb.toot.example', port: 443 },
    static: { address: 'files-origin.toot.example', port: 443 },
  },
};

export function apiHarness(options: { rateLimitRemaining?: () => number | null; logLevel?: string } = {}) {
  const { logger, lines: logLines } = capturingLogger(options.logLevel);
  const controlPlane = new InMemoryControlPlane();
  const metrics = createMetrics(options);
  const app = createApiApp({ controlPlane, apiTokens: [TOKEN, SECOND_TOKEN], logger, metrics, bodyLimitBytes: 4096 });

  const request = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
  return { app, controlPlane, metrics, logLines, request };
}
