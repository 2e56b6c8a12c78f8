import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiApp } from '../api/app';
import { createMetrics } from '../api/metrics';
import { ManualClock } from '../src/clock';
import { createFastlyApiClient } from '../src/fastly/api-client';
import * as Fastly from '../src/fastly/fastly-classes';
import { type OpenedControlPlane, openControlPlane } from '../src/lifecycle';
import { MigrationRun } from '../src/migrate/run-model';
import { type RunningSimulator, startSimulator } from '../src/sim/server';
import { makeEdgePackage, serviceInput } from './support/lifecycle-harness';
import { type OldSite, planForOldSite, setUpOldSite } from './support/old-account';
import { activeVersion, serviceWithId, simControl } from './support/sim-control';

// `migrate run` end to end on the simulator: the old account has an active service with the
// domains, a TLS subscription each, a Domain Management record and an uploaded certificate
// TLS-activated for files.toot.example; the job takes every claim off
// the old account in Fastly's order, then the domains wait for Fastly's release on the new
// account like any other and end cached there. Time is a manual clock both sides share.

const RELEASE_DELAY_MS = 120_000;
const SITE = [
  { domain: 'toot.example', role: 'main' as const },
  { domain: 'files.toot.example', role: 'static' as const },
];

let clock: ManualClock;
let sim: RunningSimulator;
let dir: string;
let packagePath: string;
let site: OldSite;
let opened: OpenedControlPlane;

beforeEach(async () => {
  clock = new ManualClock(Date.parse('2026-03-01T19:00:00Z'));
  sim = await startSimulator({ releaseDelayMs: RELEASE_DELAY_MS, tlsDelayMs: 30_000, clock });
  dir = mkdtempSync(join(tmpdir(), 'edgeplane-migrate-'));
  packagePath = await makeEdgePackage(dir);
  site = await setUpOldSite(sim, { packagePath, service: { ...serviceInput('toot'), configStoreName: 'old-toot' }, domains: SITE });
  opened = await openControlPlane({
    fastly: { token: sim.defaultAccount.token, baseUrl: sim.url },
    dbPath: join(dir, 'new.db'),
    packagePath,
    retry: { initialMs: 60_000, maxMs: 120_000 },
    workerId: 'new-account-worker',
    random: () => 0.5,
    clock,
  });
});

afterEach(async () => {
  await opened?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Ticks the new account's worker, moving the clock, until the run is done (or says why not). */
async function tickUntilDone(id: string): Promise<MigrationRun> {
  let run: MigrationRun | undefined;
  for (let tick = 0; tick < 100; tick++) {
    await opened.worker.tick();
    run = await opened.migrations.get('toot', id);
    if (run.status === 'done' || run.status === 'needs_attention') return run;
    clock.advance(30_000);
  }
  throw new Error(`the migration did not finish: ${JSON.stringify(run, null, 2)}`);
}

describe('migrate run', () => {
  it('takes every claim off the old account in order and ends with the domains cached on the new one', { timeout: 60_000 }, async () => {
    const before = await simControl(sim).state();
    const oldService = serviceWithId(before, site.serviceId);
    const oldActivations = oldService.versions.reduce((sum, version) => sum + version.activations, 0);
    const started = await opened.migrations.start(planForOldSite(site, 'toot', new Date(clock.now()).toISOString()), site.token);
    expect(started.status).toBe('running');

    const releasedAt = `Released on the old side at ${new Date(clock.now()).toISOString().slice(11, 16)} UTC`;
    // One tick: every step on the old account, then the first attempt on the new one, which
    // Fastly refuses for its release delay; the records say the old side let go.
    await opened.worker.tick();
    const afterFirstTick = await opened.migrations.get('toot', started.id);
    expect(afterFirstTick.status, JSON.stringify(afterFirstTick.history, null, 2)).toBe('waiting');
    const waiting = await opened.controlPlane.getDomain('toot', 'toot.example');
    expect(waiting.state).toBe('waiting_for_release');
    expect(waiting.conditions.find((c) => c.type === 'OldAccount')).toMatchObject({ status: 'True', reason: 'Released', message: releasedAt });
    expect(waiting.conditions.find((c) => c.type === 'Ready')?.message).toMatch(new RegExp(`^${releasedAt}, Fastly still refusing; next probe at `));
    expect(waiting.history.find((event) => event.event === 'refused')?.message).toBe(
      `Fastly refused: Domain 'toot.example' is owned by another customer (${releasedAt})`,
    );

    const done = await tickUntilDone(started.id);
    expect(done.status, JSON.stringify(done, null, 2)).toBe('done');
    expect(done.history.map((event) => event.event)).toEqual([
      'started',
      ...done.plan.steps.map((step) => (step.where === 'dns' ? 'operator_step' : 'step_done')),
      'waiting',
      'done',
    ]);
    for (const { domain } of SITE) expect((await opened.controlPlane.getDomain('toot', domain)).state).toBe('cached');

    const after = await simControl(sim).state();
    // Nothing of the site is left on the old account, and its service was activated once more.
    expect(after.tlsSubscriptions.filter((sub) => sub.customerId === site.customerId)).toEqual([]);
    expect(after.managedDomains.filter((managed) => managed.customerId === site.customerId)).toEqual([]);
    expect(after.tlsActivations.filter((activation) => activation.customerId === site.customerId)).toEqual([]);
    expect(after.tlsCertificates.filter((certificate) => certificate.customerId === site.customerId)).toEqual([]);
    const oldAfter = serviceWithId(after, site.serviceId);
    expect(activeVersion(oldAfter)?.domains).toEqual([]);
    expect(oldAfter.versions.reduce((sum, version) => sum + version.activations, 0)).toBe(oldActivations + 1);
    expect(after.configStores.find((store) => store.id === site.configStoreId)?.items).not.toHaveProperty('caching:toot.example');
    // On the new account: one service with the old origins, both domains on one activation.
    const newService = after.services.find((service) => service.customerId === sim.defaultAccount.customerId && service.name === 'toot');
    const withDomains = newService?.versions.filter((version) => SITE.every(({ domain }) => version.domains.includes(domain)));
    expect(withDomains?.reduce((sum, version) => sum + version.activations, 0)).toBe(1);
    expect((await opened.controlPlane.getService('toot')).origins).toEqual(site.origins);
    expect(
      after.tlsSubscriptions
        .filter((sub) => sub.customerId === sim.defaultAccount.customerId)
        .flatMap((sub) => sub.domains)
        .sort(),
    ).toEqual(SITE.map(({ domain }) => domain).sort());
  });

  it("stops at Fastly's refusal of a certificate activated since the plan, and is retried once the operator removed the activation", {
    timeout: 60_000,
  }, async () => {
    // The plan was read before the certificate was activated: its activations step has none.
    const stale = planForOldSite(site, 'toot', new Date(clock.now()).toISOString());
    stale.steps = stale.steps.map((step) => (step.action === 'delete_tls_activations' ? { ...step, activations: [] } : step));
    const started = await opened.migrations.start(stale, site.token);
    await opened.worker.tick();
    const stopped = await opened.migrations.get('toot', started.id);
    const certificateStep = stale.steps.find((step) => step.action === 'delete_tls_certificate')!;
    expect(stopped.status, JSON.stringify(stopped.history, null, 2)).toBe('needs_attention');
    expect(stopped.stepsDone).toBe(certificateStep.order - 1);
    expect(stopped.lastError).toMatchObject({ code: 'fastly_rejected' });
    expect(stopped.conditions.find((c) => c.type === 'Ready')?.message).toContain('then retry the run');

    // The operator disables the certificate on the old account, then retries: the run goes on from that step.
    const activations = new Fastly.TlsActivationsApi(createFastlyApiClient(site.token, sim.url));
    await activations.deleteTlsActivation({ tls_activation_id: site.certificate.activationId });
    const retried = await opened.migrations.retry('toot', started.id);
    expect(retried.status).toBe('running');
    expect(retried.history.at(-1)).toMatchObject({ event: 'retried', step: certificateStep.order });
    const done = await tickUntilDone(started.id);
    expect(done.status, JSON.stringify(done.history, null, 2)).toBe('done');
    expect(done.history.filter((entry) => entry.event === 'failed').map((entry) => entry.step)).toEqual([certificateStep.order]);
    expect((await simControl(sim).state()).tlsCertificates.filter((certificate) => certificate.customerId === site.customerId)).toEqual([]);
  });

  it('stops when a domain it moved is removed on the new account, and ends done without the old error once it is attached again and retried', {
    timeout: 60_000,
  }, async () => {
    const started = await opened.migrations.start(planForOldSite(site, 'toot', new Date(clock.now()).toISOString()), site.token);
    await opened.worker.tick();
    expect((await opened.migrations.get('toot', started.id)).status).toBe('waiting');

    await opened.controlPlane.removeDomain('toot', 'files.toot.example');
    const stopped = await tickUntilDone(started.id);
    expect(stopped.status, JSON.stringify(stopped.history, null, 2)).toBe('needs_attention');
    expect(stopped.lastError).toEqual({
      code: 'conflict',
      detail: 'files.toot.example was cancelled on the new account: attach it again, or start the migration again',
    });

    await opened.controlPlane.attachDomain('toot', { domain: 'files.toot.example', role: 'static' });
    expect((await opened.migrations.retry('toot', started.id)).status).toBe('waiting');
    const done = await tickUntilDone(started.id);
    expect(done.status, JSON.stringify(done.history, null, 2)).toBe('done');
    expect(done.lastError).toBeNull();
    expect(done.history.map((entry) => entry.event).slice(-3)).toEqual(['failed', 'retried', 'done']);
  });

  it('runs from the API with both tokens: the old account read, planned and emptied, the domains cached here', { timeout: 60_000 }, async () => {
    const app = createApiApp({
      controlPlane: opened.controlPlane,
      migrations: { planner: { controlPlane: opened.controlPlane, gatewayFor: opened.gatewayFor, clock }, runs: opened.migrations },
      apiTokens: ['api-token-0123456789'],
      logger: pino({ level: 'silent' }),
      metrics: createMetrics(),
    });
    const answer = await app.request('/v1/services/toot/migrations', {
      method: 'POST',
      headers: { authorization: 'Bearer api-token-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify({ fromToken: site.token, domains: SITE.map(({ domain }) => domain) }),
    });
    const text = await answer.text();
    expect(answer.status, text).toBe(202);
    expect(text).not.toContain(site.token);
    const started = MigrationRun.parse(JSON.parse(text));
    const done = await tickUntilDone(started.id);
    expect(done.status, JSON.stringify(done.history, null, 2)).toBe('done');
    // The plan read the activated certificate and disabled it before deleting it.
    expect(done.plan.steps.filter((step) => step.action.startsWith('delete_tls_')).map((step) => [step.action, step.domains])).toEqual([
      ['delete_tls_subscription', ['toot.example', 'files.toot.example']], // the apex is files' parent
      ['delete_tls_subscription', ['files.toot.example']],
      ['delete_tls_activations', ['files.toot.example']],
      ['delete_tls_certificate', ['files.toot.example']],
    ]);
    for (const { domain } of SITE) expect((await opened.controlPlane.getDomain('toot', domain)).state).toBe('cached');
    const after = await simControl(sim).state();
    expect(after.tlsCertificates.filter((certificate) => certificate.customerId === site.customerId)).toEqual([]);
    expect(after.tlsSubscriptions.filter((sub) => sub.customerId === site.customerId)).toEqual([]);
    expect(after.managedDomains.filter((managed) => managed.customerId === site.customerId)).toEqual([]);
    expect(activeVersion(serviceWithId(after, site.serviceId))?.domains).toEqual([]);
  });
});
