import { describe, expect, it } from 'vitest';
import { record, t0 } from '../../test/support/domain-record';
import { domainEvents, domainEventTypes, serviceEvents } from './events';

const stale = { type: 'Stale', status: 'True' as const, reason: 'WaitingTooLong', message: 'Waiting since 2025-12-25', lastTransitionTime: t0 };

describe('notification events of a change', () => {
  it('tells the first refusal only, and staleness once', () => {
    const waiting = record({ state: 'waiting_for_release', waitingSince: t0 });
    expect(domainEventTypes(record(), waiting)).toEqual(['domain.waiting_for_release']);
    expect(domainEventTypes(waiting, { ...waiting, attempts: 2 })).toEqual([]);
    // Back to waiting after a retry from needs_attention: already told.
    expect(domainEventTypes(record({ state: 'queued', waitingSince: t0 }), waiting)).toEqual([]);
    const staleRecord = { ...waiting, conditions: [stale] };
    expect(domainEventTypes(waiting, staleRecord)).toEqual(['domain.stale']);
    expect(domainEventTypes(staleRecord, { ...staleRecord, attempts: 9 })).toEqual([]);
    expect(domainEvents(waiting, staleRecord)[0]!.event.data.message).toBe('Waiting since 2025-12-25');
  });

  it('tells activation, DNS records to create, caching, trouble and recovery', () => {
    const dns = {
      subscriptionId: 's',
      state: 'pending' as const,
      dnsRecords: [{ type: 'CNAME' as const, name: '_acme-challenge.toot.example', value: 'x.fastly-validations.com', purpose: 'acme_challenge' as const }],
    };
    expect(domainEventTypes(record({ state: 'attaching' }), record({ state: 'active' }))).toEqual(['domain.active']);
    expect(domainEventTypes(record({ state: 'active' }), record({ state: 'securing', tls: { ...dns, dnsRecords: [] } }))).toEqual([]);
    expect(domainEventTypes(record({ state: 'securing', tls: { ...dns, dnsRecords: [] } }), record({ state: 'securing', tls: dns }))).toEqual([
      'domain.securing',
    ]);
    expect(domainEventTypes(record({ state: 'securing', tls: dns }), record({ state: 'securing', tls: dns }))).toEqual([]);
    expect(domainEventTypes(record({ state: 'securing', tls: dns }), record({ state: 'cached', tls: dns }))).toEqual(['domain.cached']);
    expect(domainEventTypes(record({ state: 'securing' }), record({ state: 'needs_attention' }))).toEqual(['domain.needs_attention']);
    expect(domainEventTypes(record({ state: 'needs_attention' }), record({ state: 'queued' }))).toEqual(['domain.recovered']);
    expect(domainEventTypes(record({ state: 'needs_attention' }), record({ state: 'cancelled' }))).toEqual([]);
  });

  it('gives the same change the same id, and another change another', () => {
    const before = record({ state: 'attaching' });
    const after = record({ state: 'active', updatedAt: '2026-01-01T00:01:00.000Z' });
    expect(domainEvents(before, after)[0]!.id).toBe(domainEvents(before, after)[0]!.id);
    expect(domainEvents(before, after)[0]!.id).not.toBe(domainEvents(before, { ...after, updatedAt: '2026-01-01T00:02:00.000Z' })[0]!.id);
    expect(domainEvents(before, after)[0]!.id).toMatch(/^msg_[\w-]{27}$/);
  });

  it('tells a service that needs attention once', () => {
    const ready = { name: 'toot', status: 'ready' as const, lastError: null, updatedAt: t0 };
    const broken = { ...ready, status: 'needs_attention' as const, lastError: { code: 'unauthorized' as const, detail: 'bad token' } };
    expect(serviceEvents(ready, broken).map((e) => e.event.type)).toEqual(['service.needs_attention']);
    expect(serviceEvents(broken, broken)).toEqual([]);
    expect(serviceEvents(null, ready)).toEqual([]);
  });
});
