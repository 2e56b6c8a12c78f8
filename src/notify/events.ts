import { createHash } from 'node:crypto';
import type { DomainSummary, ServiceRecord } from '../model';
import type { EventType, IdentifiedEvent, NotificationEvent } from './model';

// Which events a saved change makes: pure functions of the record before and after, so the store
// can write them in the same transaction as the change (docs/ARCHITECTURE.md, notifications).

type DomainView = DomainSummary & { history?: ReadonlyArray<{ message: string }> };
type ServiceView = Pick<ServiceRecord, 'name' | 'status' | 'lastError' | 'updatedAt'>;

const isStale = (record: DomainView) => record.conditions.some((c) => c.type === 'Stale' && c.status === 'True');

/**
 * The stable id of an event: the same change saved again gives the same id, so a retried save
 * adds no second event, and every delivery attempt carries it (receivers dedupe by it).
 */
export function eventId(parts: readonly string[]): string {
  return `msg_${createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 27)}`;
}

/** The event types a domain's change is worth telling about, in the order they happened. */
export function domainEventTypes(before: DomainView | null, after: DomainView): EventType[] {
  const types: EventType[] = [];
  const entered = (state: DomainView['state']) => after.state === state && before?.state !== state;
  if (before?.state === 'needs_attention' && after.state !== 'needs_attention' && after.state !== 'cancelled') types.push('domain.recovered');
  // Only the first refusal: a domain back to waiting after a retry has been told about already.
  if (entered('waiting_for_release') && (before?.waitingSince ?? null) === null) types.push('domain.waiting_for_release');
  if (isStale(after) && !(before && isStale(before))) types.push('domain.stale');
  if (entered('active')) types.push('domain.active');
  const records = after.tls?.dnsRecords.length ?? 0;
  const hadRecords = before?.state === 'securing' && (before.tls?.dnsRecords.length ?? 0) > 0;
  if (after.state === 'securing' && records > 0 && !hadRecords) types.push('domain.securing');
  if (entered('cached')) types.push('domain.cached');
  if (entered('needs_attention')) types.push('domain.needs_attention');
  return types;
}

export function domainEvents(before: DomainView | null, after: DomainView): IdentifiedEvent[] {
  const message = after.history?.at(-1)?.message ?? after.conditions.find((c) => c.type === 'Ready')?.message ?? '';
  return domainEventTypes(before, after).map((type) => {
    const event: NotificationEvent = {
      type,
      timestamp: after.updatedAt,
      data: {
        service: after.service,
        domain: after.domain,
        state: after.state,
        attempts: after.attempts,
        lastError: after.lastError,
        nextAttemptAt: after.nextAttemptAt,
        dnsRecords: after.tls?.dnsRecords ?? [],
        message: type === 'domain.stale' ? (after.conditions.find((c) => c.type === 'Stale')?.message ?? message) : message,
      },
    };
    return { id: eventId([after.service, after.domain, type, after.updatedAt]), event };
  });
}

export function serviceEvents(before: ServiceView | null, after: ServiceView): IdentifiedEvent[] {
  if (after.status !== 'needs_attention' || before?.status === 'needs_attention') return [];
  const event: NotificationEvent = {
    type: 'service.needs_attention',
    timestamp: after.updatedAt,
    data: {
      service: after.name,
      domain: null,
      state: after.status,
      attempts: 0,
      lastError: after.lastError,
      nextAttemptAt: null,
      dnsRecords: [],
      message: after.lastError?.detail ?? `The service ${after.name} needs attention`,
    },
  };
  return [{ id: eventId([after.name, event.type, after.updatedAt]), event }];
}
