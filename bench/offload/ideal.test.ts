import { describe, expect, it } from 'vitest';
import { IdealPolicy } from './ideal';
import { OriginModel } from './origin';
import { MAIN_HOST } from './site';
import { type BenchRequest, START_MS } from './workload';

const SECOND = 1000;
const visitor = (atSeconds: number, target = '/api/v1/accounts/lookup?acct=user5'): BenchRequest => ({
  atMs: START_MS + atSeconds * SECOND,
  method: 'GET',
  host: MAIN_HOST,
  target,
  headers: { host: MAIN_HOST, accept: 'application/json' },
  client: `browser:${atSeconds}`,
  clientKind: 'browser',
  resource: 'api-anonymous',
  objectId: 5,
});
const model = () => new OriginModel({ seed: 3, authorizedFetch: false, startMs: START_MS, durationMs: 3_600_000 });

describe('IdealPolicy', () => {
  it('keeps an unchanged answer for as long as it stays unchanged, whatever its lifetime', () => {
    const ideal = new IdealPolicy(model());
    expect(ideal.serve(visitor(0)).fromCache).toBe(false);
    expect(ideal.serve(visitor(60)).fromCache).toBe(true);
  });

  it('bounded: keeps it only as long as the origin allows (15 s fresh, 30 s stale while it asks again)', () => {
    const bounded = new IdealPolicy(model(), { boundedByOriginLifetimes: true });
    expect(bounded.name).toBe('bounded ideal');
    expect(bounded.serve(visitor(0))).toMatchObject({ fromCache: false, originRequests: 1 });
    expect(bounded.serve(visitor(10))).toMatchObject({ fromCache: true, originRequests: 0 });
    expect(bounded.serve(visitor(30))).toMatchObject({ fromCache: true, originRequests: 1 });
    expect(bounded.serve(visitor(40))).toMatchObject({ fromCache: true, originRequests: 0 });
    expect(bounded.serve(visitor(200))).toMatchObject({ fromCache: false, originRequests: 1 });
  });

  it('never stores what the origin refuses to share', () => {
    const bounded = new IdealPolicy(model(), { boundedByOriginLifetimes: true });
    bounded.serve(visitor(0, '/api/v1/timelines/home'));
    expect(bounded.serve(visitor(1, '/api/v1/timelines/home')).fromCache).toBe(false);
  });
});
