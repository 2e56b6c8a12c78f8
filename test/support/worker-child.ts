import { openControlPlane } from '../../src/lifecycle';
import { childConnection, requiredEnv } from './lifecycle-child';

// The program of a retry worker process, as `edgeplane worker` runs it, with fast retries:
// started at once, stopped (draining the step in flight) on SIGTERM. Prints `started`, then
// `tick` each time a tick of its loop ends, for the tests to wait on. WRITE_LIMIT (writes an
// hour) and SHARE (of them for probes), when set, give it a small probe budget.

const budget =
  process.env.WRITE_LIMIT === undefined ? {} : { writeLimitPerHour: Number(requiredEnv('WRITE_LIMIT')), budgetShare: Number(requiredEnv('SHARE')) };

const opened = await openControlPlane({
  ...childConnection(),
  retry: { initialMs: 20, maxMs: 200 },
  ...budget,
  pollIntervalMs: 5,
  workerId: requiredEnv('WORKER_ID'),
  onWorkerTick: () => process.stdout.write('tick\n'),
});
opened.worker.start();
process.stdout.write('started\n');
process.once('SIGTERM', () => {
  void opened.close().then(() => process.exit(0));
});
