import { describe, expect, it } from 'vitest';
import { planDueBatch } from './due-batch';

const NOW = Date.parse('2026-03-01T10:00:00Z');

describe('planDueBatch', () => {
  it('reads no waiting domain while the budget has no probe to give, and the whole batch of the others', () => {
    expect(planDueBatch({ batchSize: 25, probeAt: NOW + 14_404, nowMs: NOW })).toEqual({
      others: 25,
      waiting: false,
      reason: 'no probe to give until 2026-03-01T10:00:14.404Z: waiting domains are not read',
    });
  });

  it('with a probe to give, reads the others first and keeps one seat for the waiting domains', () => {
    for (const probeAt of [NOW, NOW - 60_000]) {
      expect(planDueBatch({ batchSize: 25, probeAt, nowMs: NOW })).toEqual({
        others: 24,
        waiting: true,
        reason: 'a probe to give: up to 24 others first, waiting domains in the seats they leave',
      });
    }
  });

  it('never leaves the others without a seat, even in a batch of one', () => {
    expect(planDueBatch({ batchSize: 1, probeAt: NOW, nowMs: NOW })).toMatchObject({ others: 1, waiting: true });
  });
});
