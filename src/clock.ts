import { EdgeplaneError } from './errors';

/** Time source, injectable so schedules can be tested without sleeping. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** The largest time a Date holds (ECMAScript's ±100,000,000 days from the epoch). */
const LAST_DATE_MS = 8.64e15;

/** Refuses a time no Date can hold, so whatever reads the clock can always print it. */
function checkedTime(time: number): number {
  if (!Number.isFinite(time) || Math.abs(time) > LAST_DATE_MS) {
    throw new EdgeplaneError('invalid_input', `ManualClock: ${time} is not a time (a Date cannot hold it)`);
  }
  return time;
}

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  private time: number;
  constructor(time = Date.parse('2026-01-01T00:00:00Z')) {
    this.time = checkedTime(time);
  }
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time = checkedTime(this.time + ms);
  }
  set(time: number): void {
    this.time = checkedTime(time);
  }
}
