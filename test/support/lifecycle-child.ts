import type { RunningSimulator } from '../../src/sim/server';

// What the lifecycle test children share: their settings come from the environment (the test
// writes them with childEnv, the child reads them with requiredEnv and childConnection), and a
// crash test's child SIGKILLs itself right after its k-th Fastly call came back, before anything
// of that call's result can be persisted.

/** The environment that points a child at the simulator and a database file. */
export function childEnv(sim: RunningSimulator, dbPath: string): Record<string, string> {
  return { FASTLY_API_TOKEN: sim.defaultAccount.token, FASTLY_API_URL: sim.url, EDGEPLANE_DB: dbPath };
}

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

/** In the child: the simulator and database file childEnv named. */
export function childConnection(): { fastly: { token: string; baseUrl: string }; dbPath: string } {
  return { fastly: { token: requiredEnv('FASTLY_API_TOKEN'), baseUrl: requiredEnv('FASTLY_API_URL') }, dbPath: requiredEnv('EDGEPLANE_DB') };
}

/** Counts the child's Fastly calls; with CRASH_AFTER=k (k > 0) kills the process after the k-th. */
export function crashAfterFastlyCalls(): { onFastlyCall: () => void; calls: () => number } {
  const crashAfter = Number(process.env.CRASH_AFTER ?? '0');
  let calls = 0;
  return {
    onFastlyCall: () => {
      calls += 1;
      if (calls === crashAfter) process.kill(process.pid, 'SIGKILL');
    },
    calls: () => calls,
  };
}
