import { openControlPlane } from '../../src/lifecycle';
import { childConnection, crashAfterFastlyCalls, requiredEnv } from './lifecycle-child';

// The new account's worker in its own process, for the migration crash test: it ticks until the
// migration run is done, and with CRASH_AFTER=k it SIGKILLs itself right after its k-th Fastly
// call (on either account) came back, before anything of that call's result can be persisted.
// Prints {"calls": n} when done.

const fastlyCalls = crashAfterFastlyCalls();

const opened = await openControlPlane({
  ...childConnection(),
  packagePath: requiredEnv('EDGEPLANE_PACKAGE'),
  retry: { initialMs: 20, maxMs: 200 },
  workerId: 'crash-test-worker',
  onFastlyCall: fastlyCalls.onFastlyCall,
});

const service = requiredEnv('SERVICE');
const id = requiredEnv('MIGRATION');
const giveUpAt = Date.now() + 30_000;
for (;;) {
  await opened.worker.tick();
  const run = await opened.migrations.get(service, id);
  if (run.status === 'done') break;
  if (run.status === 'needs_attention' || Date.now() > giveUpAt) {
    process.stderr.write(`not done: ${JSON.stringify(run)}\n`);
    process.exit(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 10));
}
await opened.close();
process.stdout.write(JSON.stringify({ calls: fastlyCalls.calls() }));
