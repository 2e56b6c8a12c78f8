import { openControlPlane } from '../../src/lifecycle';

// A retry worker in its own process, for the crash test: it runs the worker until the domain is
// cached, and with CRASH_AFTER=k it SIGKILLs itself right after its k-th Fastly call came back,
// before any of that call's result can be persisted. Prints {"calls": n} when done.

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const crashAfter = Number(process.env.CRASH_AFTER ?? '0');
let calls = 0;

const opened = await openControlPlane({
  fastly: { token: env('FASTLY_API_TOKEN'), baseUrl: env('FASTLY_API_URL') },
  dbPath: env('EDGEPLANE_DB'),
  retry: { initialMs: 20, maxMs: 200 },
  workerId: 'crash-test-worker',
  onFastlyCall: () => {
    calls += 1;
    if (calls === crashAfter) process.kill(process.pid, 'SIGKILL');
  },
});

const service = env('SERVICE');
const domain = env('DOMAIN');
const giveUpAt = Date.now() + 30_000;
for (;;) {
  await opened.worker.tick();
  const record = await opened.controlPlane.getDomain(service, domain);
  if (record.state === 'cached') break;
  if (Date.now() > giveUpAt) {
    process.stderr.write(`not cached: ${JSON.stringify(record)}\n`);
    process.exit(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 10));
}
await opened.close();
process.stdout.write(JSON.stringify({ calls }));
