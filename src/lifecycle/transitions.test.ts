import { describe, expect, it } from 'vitest';
import { DomainState } from '../model';
import { assertTransition, canTransition, TRANSITIONS } from './transitions';

describe('the transition table', () => {
  it('has a row for every state, naming only states', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...DomainState.options].sort());
    for (const targets of Object.values(TRANSITIONS)) for (const target of targets) expect(DomainState.options).toContain(target);
  });

  it('follows the design: the happy path, the wait, the stops and cancel from anywhere', () => {
    const path: DomainState[] = ['queued', 'attaching', 'active', 'securing', 'cached'];
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
    expect(canTransition('attaching', 'waiting_for_release')).toBe(true);
    expect(canTransition('waiting_for_release', 'attaching')).toBe(true);
    expect(canTransition('needs_attention', 'queued')).toBe(true);
    for (const state of DomainState.options.filter((s) => s !== 'cancelled')) expect(canTransition(state, 'cancelled')).toBe(true);
  });

  it('refuses moves that skip the work', () => {
    expect(canTransition('queued', 'cached')).toBe(false);
    expect(canTransition('waiting_for_release', 'cached')).toBe(false);
    expect(canTransition('cancelled', 'active')).toBe(false);
    expect(() => assertTransition('cached', 'queued')).toThrow(/cannot go from cached to queued/);
  });
});
