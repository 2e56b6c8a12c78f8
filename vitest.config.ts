import { defineConfig } from 'vitest/config';

// Tests beside their code that start real servers or processes (PostgreSQL, workerd, the control
// plane with its retry worker) or replay a whole workload: they run with the cross-part tests.
const INTEGRATION_BESIDE_CODE = [
  'src/store/kysely-repository.test.ts',
  'cloudflare/d1-store.test.ts',
  'cli/wait.test.ts',
  'cli/client.test.ts',
  'bench/offload/replay.test.ts',
  'bench/detection/end-to-end.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{src,api,edge,cli,cloudflare,bench}/**/*.test.ts'],
          exclude: INTEGRATION_BESIDE_CODE,
          // Pure and in-process: threads start faster than forked processes.
          pool: 'threads',
          isolate: false,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts', ...INTEGRATION_BESIDE_CODE],
          // Mostly waiting on child processes, servers and timers: two files at a time on two cores.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
