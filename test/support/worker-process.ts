import { openControlPlane } from '../../src/lifecycle';
import { childConnection, requiredEnv } from './lifecycle-child';

// A retry worker process, as `edgeplane worker` runs it, with fast retries: started at once,
// stopped (draining the step in flight) on SIGTERM. For the tests of two workers sharing one
// database; WRITE_LIMIT (writes an hour) and SHARE (of them for probes), when set, give it a
// small probe budget.

const budget = process.env.WRITE_LIMIT === undefined ? {} : { writeLimitPerHour: Number(requiredEnv('WRITE_LIMIT')), budgetShare: Number(requiredEnv('SHARE')) };

const opened = await openControlPlane({
  ...childConnection(),
  retry: { initialMs: 20, maxMs: 200 },
  ...budget,
  pollIntervalMs: 5,
  workerId: requiredEnv('WORKER_ID'),
});
opened.worker.start();
process.stdout.write('started\n');
process.once('SIGTERM', () => {
  void opened.close().then(() => process.exit(0));
});
