import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock';
import { EdgeplaneError } from '../errors';
import { type RunningSimulator, startSimulator } from '../sim/server';
import { createFastlyGateway } from './create-gateway';
import type { FastlyFailure } from './failure';
import type { FastlyCallEvent, FastlyGateway, FastlyGatewayOptions } from './gateway';

// How the gateway classifies the simulator's real answers and real socket failures, and that
// the Fastly token never reaches an error.

let sim: RunningSimulator;

async function control(path: string, body?: unknown): Promise<Record<string, string>> {
  const response = await fetch(`${sim.url}/__sim${path}`, {
    method: body === undefined ? 'DELETE' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`simulator control ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, string>;
}

const setFaults = (faults: { errorRate?: number; statuses?: number[]; latencyMs?: number; resetRate?: number }) => control('/faults', faults);

/** The waits between read retries go to `waits` instead of a timer. */
function gatewayFor(token: string, options: Partial<FastlyGatewayOptions> = {}) {
  const calls: FastlyCallEvent[] = [];
  const waits: number[] = [];
  const gateway = createFastlyGateway({ token, baseUrl: sim.url, wait: async (ms) => void waits.push(ms), onCall: (event) => calls.push(event), ...options });
  return { gateway, calls, waits };
}

async function failureOf(pending: Promise<unknown>): Promise<EdgeplaneError> {
  const error = await pending.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(EdgeplaneError);
  return error as EdgeplaneError;
}

/** Everything of an error a logger could print. */
const printable = (error: Error) =>
  [inspect(error, { depth: Infinity, showHidden: true }), JSON.stringify(error.cause), error.message, error.stack ?? ''].join('\n');

let serial = 0;
const uniqueName = (prefix: string) => `${prefix}-${++serial}`;
const uniqueDomain = (prefix: string) => `${uniqueName(prefix)}.example.org`;

/** A VCL service (no package needed to activate) with `domain` on its active version 1. */
async function activeServiceWith(gateway: FastlyGateway, domain: string) {
  const service = await gateway.createService(uniqueName('holder'), 'vcl');
  await gateway.addDomain(service.id, 1, domain);
  await gateway.activateVersion(service.id, 1);
  return service;
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0, releaseDelayMs: 60_000 });
});

afterEach(async () => {
  await setFaults({ errorRate: 0, latencyMs: 0, resetRate: 0 });
});

afterAll(async () => {
  await sim.close();
});

describe('domains held by someone else', () => {
  it("another account holding the domain: domain_held_by_other_account with Fastly's words", async () => {
    const other = await control('/accounts', { name: 'old-account' });
    const domain = uniqueDomain('held');
    await control('/holds', { domain, account: other.customerId });
    const { gateway } = gatewayFor(sim.defaultAccount.token);
    const service = await gateway.createService(uniqueName('new-home'));

    const error = await failureOf(gateway.addDomain(service.id, 1, domain));
    expect(error).toMatchObject({ code: 'domain_held_by_other_account', status: 409, detail: `Domain '${domain}' is owned by another customer` });
    expect((error.cause as FastlyFailure).status).toBe(400);
  });

  it("another account's active service on the domain: the same", async () => {
    const other = await control('/accounts', { name: 'old-service-account' });
    const domain = uniqueDomain('migrating');
    await activeServiceWith(gatewayFor(other.token!).gateway, domain);
    const { gateway } = gatewayFor(sim.defaultAccount.token);
    const service = await gateway.createService(uniqueName('migrated'));
    await expect(gateway.addDomain(service.id, 1, domain)).rejects.toMatchObject({ code: 'domain_held_by_other_account' });
  });

  it("held, said in Domain Management's {errors:[{title, detail}]}: the same code", async () => {
    const other = await control('/accounts', { name: 'certificate-holder' });
    const domain = uniqueDomain('certified');
    await control('/holds', { domain, account: other.customerId });
    const { gateway } = gatewayFor(sim.defaultAccount.token);

    const viaManaged = await failureOf(gateway.createManagedDomain(domain));
    expect(viaManaged).toMatchObject({ code: 'domain_held_by_other_account', detail: `Domain '${domain}' is owned by another customer` });
    expect((viaManaged.cause as FastlyFailure).body).toEqual({
      errors: [{ title: 'Invalid value for fqdn', detail: `Domain '${domain}' is owned by another customer` }],
    });
  });

  it('one of our own services holding it: domain_held_by_own_service naming that service', async () => {
    const { gateway } = gatewayFor(sim.defaultAccount.token);
    const domain = uniqueDomain('own');
    const holder = await activeServiceWith(gateway, domain);
    const service = await gateway.createService(uniqueName('second'));

    const error = await failureOf(gateway.addDomain(service.id, 1, domain));
    expect(error).toMatchObject({ code: 'domain_held_by_own_service', detail: `Domain '${domain}' is already taken by service '${holder.name}'` });
  });
});

describe('other refusals', () => {
  it('editing an active version: version_locked', async () => {
    const { gateway } = gatewayFor(sim.defaultAccount.token);
    const service = await activeServiceWith(gateway, uniqueDomain('locked'));
    const error = await failureOf(gateway.addDomain(service.id, 1, uniqueDomain('more')));
    expect(error.code).toBe('version_locked');
    expect(error.detail).toBe(`Version '1' for service '${service.id}' is locked`);
  });

  it("the same domain twice on a version: fastly_rejected with Fastly's detail verbatim", async () => {
    const { gateway } = gatewayFor(sim.defaultAccount.token);
    const service = await gateway.createService(uniqueName('twice'));
    const domain = uniqueDomain('twice');
    await gateway.addDomain(service.id, 1, domain);
    await expect(gateway.addDomain(service.id, 1, domain)).rejects.toMatchObject({ code: 'fastly_rejected', detail: `Duplicate domain '${domain}'` });
  });

  it("a TLS subscription for a domain on no active version, a second one, a second managed domain: fastly_rejected, Fastly's words", async () => {
    const { gateway } = gatewayFor(sim.defaultAccount.token);
    const domain = uniqueDomain('again');
    await expect(gateway.createTlsSubscription(domain)).rejects.toMatchObject({
      code: 'fastly_rejected',
      detail: `Please add ${domain} to an active service to begin TLS enablement.`,
    });
    await activeServiceWith(gateway, domain);
    const subscription = await gateway.createTlsSubscription(domain);
    await expect(gateway.createTlsSubscription(domain)).rejects.toMatchObject({
      code: 'fastly_rejected',
      detail: `Domain '${domain}' already has a TLS subscription ('${subscription.id}')`,
    });
    await gateway.createManagedDomain(domain);
    await expect(gateway.createManagedDomain(domain)).rejects.toMatchObject({ code: 'fastly_rejected', detail: 'fqdn has already been taken' });
  });

  it('an unknown service: not_found', async () => {
    const { gateway } = gatewayFor(sim.defaultAccount.token);
    await expect(gateway.getService('unknown')).rejects.toMatchObject({ code: 'not_found', detail: "Couldn't find Service 'unknown'" });
  });

  it('the rate-limit headers of a refused write are read too', async () => {
    const { gateway } = gatewayFor(sim.defaultAccount.token);
    const service = await activeServiceWith(gateway, uniqueDomain('budget'));
    const before = gateway.rateLimit.remaining!;
    await expect(gateway.addDomain(service.id, 1, uniqueDomain('refused'))).rejects.toMatchObject({ code: 'version_locked' });
    expect(gateway.rateLimit.remaining).toBe(before - 1);
  });
});

describe('unauthorized, and the token kept out of errors', () => {
  const wrongToken = 'wrong-token-0123456789abcdefghijkl';

  it('a wrong token: unauthorized, and the token appears nowhere in the error (fastly-js path)', async () => {
    const { gateway, calls } = gatewayFor(wrongToken);
    const error = await failureOf(gateway.createService(uniqueName('denied')));
    expect(error).toMatchObject({ code: 'unauthorized', status: 401, detail: 'Provided credentials are missing or invalid' });
    expect(calls).toMatchObject([{ operation: 'createService', outcome: 'unauthorized', status: 401 }]);
    expect(printable(error)).not.toContain(wrongToken);
  });

  it('a wrong token on a read: unauthorized, not retried, token nowhere (fetch path)', async () => {
    const { gateway, calls } = gatewayFor(wrongToken);
    const error = await failureOf(gateway.listManagedDomains());
    expect(error.code).toBe('unauthorized');
    expect(calls).toHaveLength(1);
    expect(printable(error)).not.toContain(wrongToken);
  });

  it('a valid token stays out of a refusal, a 5xx and a network failure', async () => {
    const token = sim.defaultAccount.token;
    const { gateway } = gatewayFor(token, { readRetries: 0 });
    const service = await activeServiceWith(gateway, uniqueDomain('secret'));
    const refused = await failureOf(gateway.addDomain(service.id, 1, uniqueDomain('secret-more')));
    await setFaults({ errorRate: 1, statuses: [503] });
    const unavailable = await failureOf(gateway.getService(service.id));
    await setFaults({ errorRate: 0, resetRate: 1 });
    const reset = await failureOf(gateway.getService(service.id));
    for (const error of [refused, unavailable, reset]) expect(printable(error)).not.toContain(token);
    expect([refused.code, unavailable.code, reset.code]).toEqual(['version_locked', 'fastly_unavailable', 'fastly_unavailable']);
  });
});

describe('rate limit', () => {
  let limited: RunningSimulator;

  beforeAll(async () => {
    limited = await startSimulator({ port: 0, writeLimitPerHour: 2 });
  });

  afterAll(async () => {
    await limited.close();
  });

  it('past the write limit: rate_limited with resetAt from Fastly-RateLimit-Reset, tried once', async () => {
    const calls: FastlyCallEvent[] = [];
    const gateway = createFastlyGateway({ token: limited.defaultAccount.token, baseUrl: limited.url, onCall: (event) => calls.push(event) });
    const service = await gateway.createService('first');
    await gateway.createService('second');
    expect(gateway.rateLimit.remaining).toBe(0);

    const error = await failureOf(gateway.addDomain(service.id, 1, 'limited.example.org'));
    expect(error).toMatchObject({
      code: 'rate_limited',
      status: 429,
      detail: 'You have exceeded your hourly rate limit. Please contact support@fastly.com if you think this is a mistake.',
    });
    const reset = Number((error.cause as FastlyFailure).headers['fastly-ratelimit-reset']);
    expect(error.resetAt).toEqual(new Date(reset * 1000));
    expect(gateway.rateLimit).toEqual({ remaining: 0, resetAt: new Date(reset * 1000) });
    expect(calls.filter((call) => call.operation === 'addDomain')).toHaveLength(1);

    // Reads are not limited.
    expect((await gateway.getService(service.id)).id).toBe(service.id);
  });
});

describe('a 429 that says only Retry-After', () => {
  let server: HttpServer;
  let url: string;
  beforeAll(async () => {
    server = createHttpServer((_request, response) => {
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '30' });
      response.end(JSON.stringify({ msg: 'Too many requests' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('ends 30 s after the time of the injected clock', async () => {
    const clock = new ManualClock(Date.parse('2026-03-01T10:00:00Z'));
    const gateway = createFastlyGateway({ token: 'x', baseUrl: url, clock });
    const error = await failureOf(gateway.createService('limited'));
    expect(error.code).toBe('rate_limited');
    expect(error.resetAt).toEqual(new Date('2026-03-01T10:00:30Z'));
  });
});

describe('Fastly unavailable', () => {
  it.each([500, 502, 503, 504])('a write answered %i: fastly_unavailable, never retried', async (status) => {
    const { gateway, calls } = gatewayFor(sim.defaultAccount.token);
    await setFaults({ errorRate: 1, statuses: [status] });
    const error = await failureOf(gateway.createService(uniqueName('unavailable')));
    expect(error).toMatchObject({ code: 'fastly_unavailable', status: 503, detail: 'Injected fault' });
    expect(calls).toMatchObject([{ operation: 'createService', method: 'POST', outcome: 'fastly_unavailable', status }]);
  });

  it('a read answered 503 is tried three times in all, waiting 250 ms then 500 ms, then fails', async () => {
    const { gateway, calls, waits } = gatewayFor(sim.defaultAccount.token);
    const service = await gateway.createService(uniqueName('read'));
    calls.length = 0;
    await setFaults({ errorRate: 1, statuses: [503] });
    await expect(gateway.getService(service.id)).rejects.toMatchObject({ code: 'fastly_unavailable' });
    expect(calls.map((call) => [call.operation, call.outcome, call.status])).toEqual([
      ['getService', 'fastly_unavailable', 503],
      ['getService', 'fastly_unavailable', 503],
      ['getService', 'fastly_unavailable', 503],
    ]);
    expect(waits).toEqual([250, 500]);
  });

  it('retries of reads can be switched off', async () => {
    const { gateway, calls } = gatewayFor(sim.defaultAccount.token, { readRetries: 0 });
    await setFaults({ errorRate: 1, statuses: [502] });
    await expect(gateway.findServiceByName('anything')).rejects.toMatchObject({ code: 'fastly_unavailable' });
    expect(calls).toHaveLength(1);
  });

  it('a read refused for good (404) is not retried', async () => {
    const { gateway, calls } = gatewayFor(sim.defaultAccount.token);
    await expect(gateway.getService('missing')).rejects.toMatchObject({ code: 'not_found' });
    expect(calls).toHaveLength(1);
  });

  it('a dropped connection: fastly_unavailable', async () => {
    const { gateway, calls } = gatewayFor(sim.defaultAccount.token, { readRetries: 0 });
    await setFaults({ resetRate: 1 });
    const error = await failureOf(gateway.createService(uniqueName('reset')));
    expect(error.code).toBe('fastly_unavailable');
    expect((error.cause as FastlyFailure).networkCode).toBe('ECONNRESET');
    expect(calls).toMatchObject([{ outcome: 'fastly_unavailable', status: null }]);
  });

  it('a hung Fastly: the call times out (fastly-js and fetch paths)', async () => {
    const { gateway } = gatewayFor(sim.defaultAccount.token, { timeoutMs: 50, readRetries: 0 });
    await setFaults({ latencyMs: 1000 });
    const viaFastlyJs = await failureOf(gateway.findServiceByName('slow'));
    const viaFetch = await failureOf(gateway.listManagedDomains());
    expect(viaFastlyJs.code).toBe('fastly_unavailable');
    expect(viaFastlyJs.detail).toContain('Timeout of 50ms exceeded');
    expect(viaFetch.code).toBe('fastly_unavailable');
    expect((viaFetch.cause as FastlyFailure).networkCode).toBe('ETIMEDOUT');
  });

  it('nothing listening: fastly_unavailable (connection refused)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const calls: FastlyCallEvent[] = [];
    const gateway = createFastlyGateway({ token: 'x', baseUrl: `http://127.0.0.1:${port}`, wait: async () => {}, onCall: (event) => calls.push(event) });
    const write = await failureOf(gateway.createService('nowhere'));
    expect(write.code).toBe('fastly_unavailable');
    expect((write.cause as FastlyFailure).networkCode).toBe('ECONNREFUSED');
    const read = await failureOf(gateway.listManagedDomains());
    expect((read.cause as FastlyFailure).networkCode).toBe('ECONNREFUSED');
    expect(calls.map((call) => call.operation)).toEqual(['createService', 'listManagedDomains', 'listManagedDomains', 'listManagedDomains']);
  });
});

describe('a read retried after a dropped connection', () => {
  let proxy: Server;
  let proxyUrl: string;
  let dropsLeft = 0;

  /** A TCP proxy to the simulator that drops the next `dropsLeft` connections. */
  beforeAll(async () => {
    const target = new URL(sim.url);
    proxy = createServer((client: Socket) => {
      if (dropsLeft > 0) {
        dropsLeft -= 1;
        client.destroy();
        return;
      }
      const upstream = connect(Number(target.port), target.hostname, () => {
        client.pipe(upstream).pipe(client);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  });

  it('succeeds on the next attempt, and a write that was dropped is not sent again', async () => {
    const calls: FastlyCallEvent[] = [];
    const gateway = createFastlyGateway({ token: sim.defaultAccount.token, baseUrl: proxyUrl, wait: async () => {}, onCall: (event) => calls.push(event) });
    const name = uniqueName('proxied');
    dropsLeft = 1;
    await expect(gateway.createService(name)).rejects.toMatchObject({ code: 'fastly_unavailable' });
    expect(await gateway.findServiceByName(name)).toBeNull();

    const service = await gateway.createService(name);
    dropsLeft = 1;
    expect((await gateway.getService(service.id)).name).toBe(name);
    expect(calls.map((call) => [call.operation, call.outcome])).toEqual([
      ['createService', 'fastly_unavailable'],
      ['findServiceByName', 'not_found'],
      ['createService', 'ok'],
      ['getService', 'fastly_unavailable'],
      ['getService', 'ok'],
    ]);
  });
});
