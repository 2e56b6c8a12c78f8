// What the lifecycle test children share: their settings come from the environment, and a crash
// test's child SIGKILLs itself right after its k-th Fastly call came back, before anything of that
// call's result can be persisted.

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
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
