import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock';
import { openStore } from '../store';
import type { KyselyRepository } from '../store/kysely-repository';
import { ProbeBudget } from './budget';
import { SharedProbeBudget } from './shared-budget';

const HOUR = 60 * 60_000;

describe('SharedProbeBudget', () => {
  let store: KyselyRepository;
  let clock: ManualClock;
  /** A budget as one process has it: its own gates, the count in the shared store. */
  const processBudget = () => new SharedProbeBudget(new ProbeBudget({ clock, writeLimitPerHour: 12, share: 0.25 }), store, clock);

  beforeEach(async () => {
    store = await openStore(':memory:');
    clock = new ManualClock(Date.parse('2026-03-01T10:00:00Z'));
  });
  afterEach(() => store.close());

  it('paces the probes of every budget on the store together: one per spacing, whichever process asks', async () => {
    // 12 writes an hour at 25 %: 3 probes an hour, one every 20 minutes (and a third of the late credit).
    const [one, two] = [processBudget(), processBudget()];
    const spacing = new ProbeBudget({ clock, writeLimitPerHour: 12, share: 0.25 }).spacingMs;
    expect(spacing).toBe(Math.ceil((HOUR + 1_000) / 3));
    const start = clock.now();
    expect(await one.tryTake()).toBe(true);
    expect(await two.tryTake()).toBe(false);
    expect(await two.nextAvailableAt()).toBe(start + spacing);
    clock.advance(spacing - 1);
    expect(await two.tryTake()).toBe(false);
    // A poll a little late (within the credit) still counts at the slot, so the next slot is not pushed back.
    clock.advance(1_001);
    expect(await two.tryTake()).toBe(true);
    expect(await one.tryTake()).toBe(false);
    expect(await processBudget().nextAvailableAt()).toBe(start + 2 * spacing);
    clock.set(start + 2 * spacing);
    expect(await Promise.all([one.tryTake(), two.tryTake(), processBudget().tryTake()])).toEqual([true, false, false]);
    // Three in the hour, the share: the next one an hour (and the credit) after the first.
    expect(await one.nextAvailableAt()).toBe(start + 3 * spacing);
    // Later than the credit, a probe counts when it is sent: the pace starts again from then.
    clock.set(start + 3 * spacing + 1_001);
    expect(await two.tryTake()).toBe(true);
    expect(await one.nextAvailableAt()).toBe(start + 4 * spacing + 1_001);
  });

  it('spends nothing while Fastly holds probes back: after a 429, or once the user used the share', async () => {
    const budget = processBudget();
    budget.pauseUntil(new Date(clock.now() + 30_000));
    expect(budget.pausedUntil()).toBe(clock.now() + 30_000);
    expect(await budget.tryTake()).toBe(false);
    expect(await budget.nextAvailableAt()).toBe(clock.now() + 30_000);
    clock.advance(30_000);

    const resetAt = new Date(clock.now() + HOUR / 2);
    // 12 writes an hour, 3 for probes: with 9 left, the operator's part is all that remains.
    expect(await budget.tryTake({ remaining: 9, resetAt })).toBe(false);
    expect(await budget.nextAvailableAt()).toBe(resetAt.getTime());
    expect(await store.probesSince(new Date(clock.now() - HOUR))).toEqual({ count: 0, oldestAt: null });
  });
});
