import { openControlPlane } from '../../src/lifecycle';

// A retry worker process with a small probe budget (WRITE_LIMIT writes an hour, SHARE of them
// for probes) and fast retries, for the test of two workers sharing one budget through their
// database. Started at once; stopped, draining its step in flight, on SIGTERM.

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const opened = await openControlPlane({
  fastly: { token: env('FASTLY_API_TOKEN'), baseUrl: env('FASTLY_API_URL') },
  dbPath: env('EDGEPLANE_DB'),
  retry: { initialMs: 20, maxMs: 200 },
  writeLimitPerHour: Number(env('WRITE_LIMIT')),
  budgetShare: Number(env('SHARE')),
  pollIntervalMs: 5,
  workerId: env('WORKER_ID'),
});
opened.worker.start();
process.stdout.write('started\n');
process.once('SIGTERM', () => {
  void opened.close().then(() => process.exit(0));
});
