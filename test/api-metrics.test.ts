import { describe, expect, it } from 'vitest';
import { apiHarness, toot } from './api-harness';

function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

describe('GET /metrics', () => {
  it('reports domains by state, probes and Fastly calls by outcome, and the rate-limit remaining', async () => {
    let remaining: number | null = null;
    const { request, metrics } = apiHarness({ rateLimitRemaining: () => remaining });
    await request('POST', '/v1/services', toot);
    await request('POST', '/v1/services/toot/domains', { domain: 'toot.example', role: 'main' });
    await request('POST', '/v1/services/toot/domains', { domain: 'files.toot.example', role: 'static' });
    await request('DELETE', '/v1/services/toot/domains/files.toot.example');

    const before = await (await request('GET', '/metrics')).text();
    expect(sample(before, 'edgeplane_fastly_ratelimit_remaining')).toBeNaN();

    metrics.recordFastlyCall({ method: 'POST', operation: 'addDomain', outcome: 'domain_held_by_other_account', status: 400, durationMs: 12 });
    metrics.recordFastlyCall({ method: 'POST', operation: 'addDomain', outcome: 'domain_held_by_other_account', status: 400, durationMs: 9 });
    metrics.recordFastlyCall({ method: 'POST', operation: 'addDomain', outcome: 'ok', status: 200, durationMs: 10 });
    metrics.recordFastlyCall({ method: 'PUT', operation: 'activateVersion', outcome: 'ok', status: 200, durationMs: 30 });
    remaining = 996;

    const response = await request('GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(sample(text, 'edgeplane_domains', '{state="queued"}')).toBe(1);
    expect(sample(text, 'edgeplane_domains', '{state="cancelled"}')).toBe(1);
    expect(sample(text, 'edgeplane_domains', '{state="cached"}')).toBe(0);
    expect(sample(text, 'edgeplane_domain_probes_total', '{outcome="domain_held_by_other_account"}')).toBe(2);
    expect(sample(text, 'edgeplane_domain_probes_total', '{outcome="ok"}')).toBe(1);
    expect(sample(text, 'edgeplane_fastly_calls_total', '{operation="activateVersion",outcome="ok"}')).toBe(1);
    expect(sample(text, 'edgeplane_fastly_ratelimit_remaining')).toBe(996);
    expect(sample(text, 'edgeplane_http_requests_total', '{method="POST",route="/v1/services/:name/domains",status="202"}')).toBe(2);
  });

  it('counts the requests refused before their route ran: a wrong token, a body too large', async () => {
    const { request } = apiHarness();
    expect((await request('GET', '/v1/services/toot/domains', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await request('POST', '/v1/services', { ...toot, configStoreName: 'x'.repeat(10_000) })).status).toBe(413);
    const text = await (await request('GET', '/metrics')).text();
    expect(sample(text, 'edgeplane_http_requests_total', '{method="GET",route="/v1/services/:name/domains",status="401"}')).toBe(1);
    expect(sample(text, 'edgeplane_http_requests_total', '{method="POST",route="/v1/services",status="413"}')).toBe(1);
  });
});

describe('request logs', () => {
  it('are JSON lines with method, route and status, and never the bearer token', async () => {
    const { request, logLines } = apiHarness();
    await request('GET', '/v1/services/nope');
    const entries = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toContainEqual(expect.objectContaining({ method: 'GET', route: '/v1/services/:name', status: 404, msg: 'request' }));
    expect(logLines.join('')).not.toContain('test-api-token');
  });

  it('log successful reads at debug, changes and failures at info', async () => {
    const { request, logLines } = apiHarness({ logLevel: 'info' });
    await request('POST', '/v1/services', toot);
    await request('GET', '/v1/services/toot');
    await request('GET', '/v1/services/toot/domains');
    await request('GET', '/v1/services/nope');
    const entries = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.msg === 'request');
    expect(entries.map(({ method, path, status }) => [method, path, status])).toEqual([
      ['POST', '/v1/services', 201],
      ['GET', '/v1/services/nope', 404],
    ]);

    const verbose = apiHarness({ logLevel: 'debug' });
    await verbose.request('POST', '/v1/services', toot);
    await verbose.request('GET', '/v1/services/toot');
    expect(verbose.logLines.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ method: 'GET', path: '/v1/services/toot', status: 200, msg: 'request', level: 20 }),
    );
  });
});
