import { openControlPlane } from '../../src/lifecycle';
import { serviceInput } from './lifecycle-harness';

// createService in its own process, for the provisioning crash test: with CRASH_AFTER=k it
// SIGKILLs itself right after its k-th Fastly call came back, before that call's result can be
// persisted, leaving the service `provisioning`. Prints {"calls": n} when it ran to the end.

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
  packagePath: env('EDGE_PACKAGE'),
  onFastlyCall: () => {
    calls += 1;
    if (calls === crashAfter) process.kill(process.pid, 'SIGKILL');
  },
});
const name = env('SERVICE');
await opened.controlPlane.createService({ ...serviceInput(name), configStoreName: name });
await opened.close();
process.stdout.write(JSON.stringify({ calls }));
