import { openControlPlane } from '../../src/lifecycle';
import { childConnection, crashAfterFastlyCalls, requiredEnv } from './lifecycle-child';
import { serviceInput } from './lifecycle-harness';

// createService in its own process, for the provisioning crash test: with CRASH_AFTER=k it
// SIGKILLs itself right after its k-th Fastly call came back, before that call's result can be
// persisted, leaving the service `provisioning`. Prints {"calls": n} when it ran to the end.

const fastlyCalls = crashAfterFastlyCalls();

const opened = await openControlPlane({
  ...childConnection(),
  packagePath: requiredEnv('EDGE_PACKAGE'),
  onFastlyCall: fastlyCalls.onFastlyCall,
});
const name = requiredEnv('SERVICE');
await opened.controlPlane.createService({ ...serviceInput(name), configStoreName: name });
await opened.close();
process.stdout.write(JSON.stringify({ calls: fastlyCalls.calls() }));
