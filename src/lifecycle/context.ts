import type { Clock } from '../clock';
import type { EdgeHints } from '../fastly/edge-hint';
import type { FastlyGateway } from '../fastly/gateway';
import type { DomainRecord } from '../model';
import type { Repository } from '../store';
import type { EdgePackageSource } from './edge-package';
import type { SharedProbeBudget } from './shared-budget';

/** A pino-compatible logger (only what the lifecycle uses). */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };

/** What every lifecycle step works with. */
export interface LifecycleContext {
  gateway: FastlyGateway;
  store: Repository;
  clock: Clock;
  /** Uniform in [0, 1): jitter of the schedule. */
  random: () => number;
  retry: { initialMs: number; maxMs: number };
  /** Probes of waiting domains, counted in the database across processes. */
  budget: SharedProbeBudget;
  /** Free release hints from Fastly's edge (EDGEPLANE_FASTLY_EDGE); absent: every due probe writes. */
  edgeHints?: EdgeHints;
  /** The edge package to upload when it exists. */
  edgePackage: EdgePackageSource;
  logger: Logger;
}

/** The record as a step has changed it so far: a failure is applied on top of it. */
export interface StepProgress {
  record: DomainRecord;
}
