import type { Condition, DomainRecord, DomainRole, DomainState } from '../model';
import { assertTransition } from './transitions';

// Pure changes to a domain record: state moves (checked against the transition table, with a
// history event each), conditions, and the fresh record for an accepted domain.

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function newDomainRecord(input: { service: string; domain: string; role: DomainRole; move: boolean; nowMs: number }): DomainRecord {
  const at = iso(input.nowMs);
  return {
    service: input.service,
    domain: input.domain,
    role: input.role,
    state: 'queued',
    attempts: 0,
    lastAttemptAt: null,
    nextAttemptAt: at,
    lastError: null,
    conditions: queuedConditions(at),
    history: [{ at, from: null, to: 'queued', event: 'attach_requested', message: `Attach ${input.domain} as the ${input.role} domain` }],
    activeVersion: null,
    tls: null,
    caching: false,
    cachingOverride: null,
    move: input.move,
    waitingSince: null,
    backoffSince: null,
    createdAt: at,
    updatedAt: at,
  };
}

/** The conditions of a domain just accepted: nothing from an earlier attach carries over. */
function queuedConditions(at: string): Condition[] {
  return [{ type: 'Ready', status: 'False', reason: 'Queued', message: 'Accepted; the first attempt is due now', lastTransitionTime: at }];
}

/**
 * A cancelled or stopped record attached again: queued, due now, with fresh conditions and no
 * DNS records, error or wait from before (its history keeps all of that).
 */
export function reattached(record: DomainRecord, input: { role: DomainRole; move: boolean; nowMs: number }): DomainRecord {
  const requeued = moveTo(record, 'queued', 'attach_requested', `Attach ${record.domain} as the ${input.role} domain`, input.nowMs);
  const at = iso(input.nowMs);
  return {
    ...requeued,
    role: input.role,
    move: input.move,
    conditions: queuedConditions(at),
    tls: null,
    attempts: 0,
    lastAttemptAt: null,
    nextAttemptAt: at,
    lastError: null,
    waitingSince: null,
    backoffSince: null,
  };
}

/** Moves the record to `to` (checked), appending a history event. */
export function moveTo(record: DomainRecord, to: DomainState, event: string, message: string, nowMs: number): DomainRecord {
  assertTransition(record.state, to);
  const at = iso(nowMs);
  return {
    ...record,
    state: to,
    updatedAt: at,
    history: [...record.history, { at, from: record.state, to, event, message }],
  };
}

/** A history event without a state change (operator actions such as a caching override). */
export function note(record: DomainRecord, event: string, message: string, nowMs: number): DomainRecord {
  const at = iso(nowMs);
  return { ...record, updatedAt: at, history: [...record.history, { at, from: record.state, to: record.state, event, message }] };
}

/** Sets a condition; its lastTransitionTime changes only when its status does. */
export function withCondition(record: DomainRecord, type: string, status: Condition['status'], reason: string, message: string, nowMs: number): DomainRecord {
  const existing = record.conditions.find((condition) => condition.type === type);
  const lastTransitionTime = existing && existing.status === status ? existing.lastTransitionTime : iso(nowMs);
  const condition: Condition = { type, status, reason, message, lastTransitionTime };
  const conditions = existing ? record.conditions.map((c) => (c.type === type ? condition : c)) : [...record.conditions, condition];
  return { ...record, conditions };
}

export function withoutCondition(record: DomainRecord, type: string): DomainRecord {
  return { ...record, conditions: record.conditions.filter((condition) => condition.type !== type) };
}
