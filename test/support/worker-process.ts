import { openControlPlane } from '../../src/lifecycle';

// A retry worker process, as `edgeplane worker` runs it: started at once, stopped (draining the
// step in flight) on SIGTERM. For the test of two workers sharing one database.

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const opened = await openControlPlane({
  fastly: { token: env('FASTLY_API_TOKEN'), baseUrl: env('FASTLY_API_URL') },
  dbPath: env('EDGEPLANE_DB'),
  retry: { initialMs: 20, maxMs: 200 },
  pollIntervalMs: 5,
  workerId: env('WORKER_ID'),
});
opened.worker.start();
process.stdout.write('started\n');
process.once('SIGTERM', () => {
  void opened.close().then(() => process.exit(0));
});
