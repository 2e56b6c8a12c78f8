import { openControlPlane } from '../../src/lifecycle';
import { childConnection, crashAfterFastlyCalls, requiredEnv } from './lifecycle-child';

// A retry worker in its own process, for the crash test: it runs the worker until the domain is
// cached, and with CRASH_AFTER=k it SIGKILLs itself right after its k-th Fastly call came back,
// before any of that call's result can be persisted. Prints {"calls": n} when done.

const fastlyCalls = crashAfterFastlyCalls();

const opened = await openControlPlane({
  ...childConnection(),
  retry: { initialMs: 20, maxMs: 200 },
  workerId: 'crash-test-worker',
  onFastlyCall: fastlyCalls.onFastlyCall,
});

const service = requiredEnv('SERVICE');
const domain = requiredEnv('DOMAIN');
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
process.stdout.write(JSON.stringify({ calls: fastlyCalls.calls() }));
