import { EdgeplaneError } from '../errors';
import type { DomainState } from '../model';

/**
 * Every state change a domain record may make (docs/ARCHITECTURE.md). A reconcile step that finds
 * Fastly further along than the record (say, after a crash) may skip ahead, hence the jumps.
 */
export const TRANSITIONS: Readonly<Record<DomainState, readonly DomainState[]>> = {
  queued: ['attaching', 'waiting_for_release', 'active', 'needs_attention', 'cancelled'],
  attaching: ['active', 'waiting_for_release', 'needs_attention', 'cancelled'],
  waiting_for_release: ['attaching', 'active', 'needs_attention', 'cancelled'],
  active: ['securing', 'needs_attention', 'cancelled'],
  securing: ['cached', 'needs_attention', 'cancelled'],
  cached: ['securing', 'cancelled'],
  needs_attention: ['queued', 'cancelled'],
  cancelled: ['queued'],
};

export function canTransition(from: DomainState, to: DomainState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: DomainState, to: DomainState): void {
  if (!canTransition(from, to)) {
    throw new EdgeplaneError('conflict', `a domain cannot go from ${from} to ${to}`);
  }
}

/** States in which the retry job has nothing left to do. */
export const RESTING_STATES: readonly DomainState[] = ['cached', 'needs_attention', 'cancelled'];
