import type { RetryWorker } from '../control-plane';
import type { DomainRecord, DomainState } from '../model';
import { PollLoop, type Sleep } from '../poll-loop';
import type { Lease } from '../store';
import type { LifecycleContext } from './context';
import { planDueBatch } from './due-batch';
import { isAttachState, reconcileAttachBatch, reconcileDomain } from './reconcile';
import { withCondition } from './record';
import { decideOnHint, withEdgeHint } from './release-hint';
import { isProvisioningDue, resumeProvisioning } from './resume-provisioning';
import { nextProbeDelay, unavailableDelay } from './schedule';

export interface WorkerOptions {
  /** Lease owner; a restarted worker with the same id takes its own leases back at once. */
  workerId: string;
  pollIntervalMs?: number;
  /** How long a lease lasts (default 2 min); a crashed worker's leases expire after it. */
  leaseMs?: number;
  /** Most records read per tick. */
  batchSize?: number;
  /** Hears each tick of the running loop end, with the steps it took: the event a test waits for. */
  onTick?: (stepped: number) => void;
  /** How the running loop waits between ticks (default a timer); a test passes one it watches. */
  sleep?: Sleep;
}

/** Other durable work run at the start of every tick, before the due domains (the migration job). */
export interface TickJob {
  /** Steps what is due; resolves to how many steps were taken. */
  tick(deadline: number): Promise<number>;
}

/** The key of the lease a step must hold: per service, since all its domains share one draft version. */
export const serviceLeaseKey = (service: string) => `service:${service}`;

export const DEFAULT_LEASE_MS = 120_000;

/** Steps one record may take in a row within a tick when each leaves the next one due at once. */
const MAX_CHAINED_STEPS = 6;

const WAITING: readonly DomainState[] = ['waiting_for_release'];

const isDue = (record: DomainRecord, nowMs: number) => record.nextAttemptAt !== null && Date.parse(record.nextAttemptAt) <= nowMs;

/**
 * The retry job: each tick reads the due records (the oldest due first; those not waiting for
 * release before those that are, `planDueBatch`), takes the lease of each record's service, and
 * runs reconcile steps, persisting after each. The due domains of a service that are to be
 * attached go in one attach attempt: one draft, one activation. Probes of waiting domains draw
 * from the shared budget; a domain denied a probe keeps its place in the queue, so when many wait
 * they are probed in turn.
 */
export class LeasedRetryWorker implements RetryWorker {
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private readonly loop: PollLoop;
  private ticking: Promise<number> = Promise.resolve(0);

  constructor(
    private readonly ctx: LifecycleContext,
    private readonly options: WorkerOptions,
    private readonly jobs: readonly TickJob[] = [],
  ) {
    this.loop = new PollLoop(() => this.loopTick(), options.pollIntervalMs ?? 1_000, options.sleep);
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.batchSize = options.batchSize ?? 100;
  }

  start(): void {
    this.loop.start();
  }

  /** Ticks never overlap: a tick asked for while one runs starts after it. */
  tick(options: { deadline?: number } = {}): Promise<number> {
    const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
    const next = this.ticking.catch(() => 0).then(() => this.tickOnce(deadline));
    this.ticking = next;
    return next;
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.ticking.catch(() => 0);
  }

  private async loopTick(): Promise<void> {
    try {
      const stepped = await this.tick();
      this.options.onTick?.(stepped);
    } catch (error) {
      this.ctx.logger.error({ err: error }, 'retry worker tick failed');
    }
  }

  private async tickOnce(deadline: number): Promise<number> {
    const { store, clock, budget } = this.ctx;
    if (budget.pausedUntil() > clock.now()) return 0;
    const resumed = (await this.runJobs(deadline)) + (await this.resumeAbandonedProvisioning(deadline));
    // The others first, so that no free domain waits behind waiting ones for a probe slot.
    const plan = planDueBatch({ batchSize: this.batchSize, probeAt: await budget.nextAvailableAt(), nowMs: clock.now() });
    this.ctx.logger.debug({ reason: plan.reason }, 'due batch');
    const now = new Date(clock.now());
    const others = await store.listDue(now, plan.others, { except: WAITING });
    const seats = this.batchSize - others.length;
    const waiting = plan.waiting && seats > 0 ? await store.listDue(now, seats, { only: WAITING }) : [];
    const due = [...others, ...waiting];
    const byService = new Map<string, string[]>();
    for (const { service, domain } of due) byService.set(service, [...(byService.get(service) ?? []), domain]);
    const stepped = await Promise.all([...byService].map(([service, domains]) => this.runService(service, domains, deadline)));
    return stepped.reduce((sum, count) => sum + count, resumed);
  }

  /** The other jobs first: what they make due (a migration's domains) is stepped in the same tick. */
  private async runJobs(deadline: number): Promise<number> {
    let stepped = 0;
    for (const job of this.jobs) {
      try {
        stepped += await job.tick(deadline);
      } catch (error) {
        this.ctx.logger.error({ err: error }, 'job tick failed');
      }
    }
    return stepped;
  }

  /** Services a crashed createService left `provisioning` are finished here, each under its lease. */
  private async resumeAbandonedProvisioning(deadline: number): Promise<number> {
    const { store, clock, retry } = this.ctx;
    const due = (await store.listServices()).filter((service) => isProvisioningDue(service, clock.now(), retry));
    let resumed = 0;
    for (const { name } of due) {
      if (clock.now() >= deadline) break;
      const lease = await this.renewLease(name);
      if (!lease) continue;
      try {
        // Read again under the lease: createService or another worker may have finished it.
        const current = await store.getService(name);
        if (!current || !isProvisioningDue(current, clock.now(), retry)) continue;
        await resumeProvisioning(this.fenced(lease), current);
        resumed += 1;
      } finally {
        await store.releaseLease(serviceLeaseKey(name), this.options.workerId);
      }
    }
    return resumed;
  }

  private async runService(service: string, domains: string[], deadline: number): Promise<number> {
    const { store, clock, budget, gateway } = this.ctx;
    let stepped = 0;
    try {
      const due: DomainRecord[] = [];
      let held: Lease | null = null;
      for (const domain of domains) {
        if (clock.now() >= deadline) break;
        held = await this.renewLease(service);
        if (!held) return 0;
        // Read again under the lease: another worker may have stepped it since the listing.
        const record = await store.getDomain(service, domain);
        if (!record || !isDue(record, clock.now())) continue;
        if (budget.pausedUntil() > clock.now()) break;
        due.push(record);
      }
      const ready: DomainRecord[] = [];
      for (const record of await this.withHints(due)) {
        if (record.state === 'waiting_for_release' && held && !(await this.probeNow(held, record))) continue;
        if (record.state === 'waiting_for_release' && !(await budget.tryTake(gateway.rateLimit))) continue;
        ready.push(record);
      }
      stepped = ready.length;
      // The domains to attach share one draft and one activation; each then goes on by itself.
      const attaching = ready.filter((record) => isAttachState(record.state));
      const next = attaching.length > 0 ? await this.attachTogether(attaching) : [];
      if (next === null) return stepped;
      for (const record of [...ready.filter((record) => !isAttachState(record.state)), ...next]) {
        if (clock.now() >= deadline) break;
        const lease = await this.renewLease(service);
        if (!lease) break;
        if (budget.pausedUntil() > clock.now()) break;
        try {
          if (!(await this.stepChain(lease, record))) break;
        } catch (error) {
          await this.postpone(this.fenced(lease), record, error);
        }
      }
    } finally {
      await store.releaseLease(serviceLeaseKey(service), this.options.workerId);
    }
    return stepped;
  }

  /** The waiting records with what Fastly's edge says of each (read together; no API call, no budget). */
  private async withHints(records: DomainRecord[]): Promise<DomainRecord[]> {
    const { edgeHints, clock } = this.ctx;
    if (!edgeHints) return records;
    return Promise.all(
      records.map(async (record) =>
        record.state === 'waiting_for_release' ? withEdgeHint(record, await edgeHints.read(record.domain), edgeHints.address, clock.now()) : record,
      ),
    );
  }

  /**
   * Whether a due waiting record gets a write probe now, by its edge hint; when not, it is saved
   * with the hint and due again at the fast rate, to look at the edge again.
   */
  private async probeNow(lease: Lease, record: DomainRecord): Promise<boolean> {
    const { edgeHints, clock, retry, random } = this.ctx;
    const hint = record.conditions.find((condition) => condition.type === 'EdgeServes');
    if (!edgeHints || !hint) return true;
    const nowMs = clock.now();
    const retryRequestedAt = record.history.findLast((event) => event.event === 'retry_requested')?.at;
    const decision = decideOnHint(hint.status === 'True' ? 'served' : hint.status === 'False' ? 'unknown' : 'no_answer', {
      lastAttemptAtMs: record.lastAttemptAt === null ? null : Date.parse(record.lastAttemptAt),
      retryRequestedAtMs: retryRequestedAt === undefined ? null : Date.parse(retryRequestedAt),
      nowMs,
    });
    if (decision.probe) return true;
    const nextAttemptAt = new Date(nowMs + nextProbeDelay({ waitingSinceMs: nowMs, nowMs, ...retry, random })).toISOString();
    const next = withCondition(
      record,
      'Ready',
      'False',
      'WaitingForRelease',
      `Another Fastly account holds the domain; ${decision.reason}; next look at ${nextAttemptAt}`,
      nowMs,
    );
    await this.fenced(lease).store.saveDomain({ ...next, nextAttemptAt, updatedAt: new Date(nowMs).toISOString() });
    return false;
  }

  /**
   * One attach attempt for the service's due domains together, each result persisted. Returns the
   * records whose next step is due at once (to chain), or null when the lease was lost.
   */
  private async attachTogether(records: DomainRecord[]): Promise<DomainRecord[] | null> {
    const lease = await this.renewLease(records[0]!.service);
    if (!lease) return null;
    const ctx = this.fenced(lease);
    let results: DomainRecord[];
    try {
      results = await reconcileAttachBatch(ctx, records);
    } catch (error) {
      for (const record of records) await this.postpone(ctx, record, error);
      return [];
    }
    const chain: DomainRecord[] = [];
    for (const [index, next] of results.entries()) {
      await ctx.store.saveDomain(next);
      const before = records[index]!;
      if (next.state !== before.state) this.logMove(before, next);
      if (next.state !== before.state && next.state !== 'waiting_for_release' && isDue(next, this.ctx.clock.now())) chain.push(next);
    }
    return chain;
  }

  private logMove(from: DomainRecord, to: DomainRecord): void {
    this.ctx.logger.info(
      { service: to.service, domain: to.domain, from: from.state, to: to.state, attempts: to.attempts },
      `${to.domain}: ${from.state} → ${to.state}`,
    );
  }

  /** A step failed for a reason of ours (database, bug): log it and try that record again later. */
  private async postpone(ctx: LifecycleContext, record: DomainRecord, error: unknown): Promise<void> {
    const { logger, clock, store } = ctx;
    logger.error({ err: error, service: record.service, domain: record.domain, state: record.state }, 'lifecycle step failed unexpectedly');
    const detail = error instanceof Error ? error.message : String(error);
    const nextAttemptAt = new Date(clock.now() + unavailableDelay({ ...this.ctx.retry, random: this.ctx.random })).toISOString();
    try {
      const current = (await store.getDomain(record.service, record.domain)) ?? record;
      await store.saveDomain({ ...current, lastError: { code: 'internal', detail }, nextAttemptAt });
    } catch (saveError) {
      logger.error({ err: saveError, domain: record.domain }, 'could not postpone the record');
    }
  }

  /** Takes or extends the service's lease; renewed before every step, so no step outlives it. */
  private renewLease(service: string): Promise<Lease | null> {
    return this.ctx.store.acquireLease(serviceLeaseKey(service), this.options.workerId, new Date(this.ctx.clock.now()), this.leaseMs);
  }

  /**
   * The context of a step under `lease`: its writes are fenced by the lease's token, so a worker
   * paused past its lease (another took it meanwhile) cannot write what it had computed.
   */
  private fenced(lease: Lease): LifecycleContext {
    return { ...this.ctx, store: this.ctx.store.fencedBy(lease) };
  }

  /** Steps the record while each step leaves the next one due at once; false when the lease was lost. */
  private async stepChain(lease: Lease, first: DomainRecord): Promise<boolean> {
    let record = first;
    let held: Lease | null = lease;
    for (let step = 0; step < MAX_CHAINED_STEPS; step++) {
      if (step > 0) held = await this.renewLease(record.service);
      if (!held) return false;
      const ctx = this.fenced(held);
      const next = await reconcileDomain(ctx, record);
      await ctx.store.saveDomain(next);
      const moved = next.state !== record.state;
      if (moved) this.logMove(record, next);
      if (!moved || next.state === 'waiting_for_release' || !isDue(next, this.ctx.clock.now())) return true;
      record = next;
    }
    return true;
  }
}
