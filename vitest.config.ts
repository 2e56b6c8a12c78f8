import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Tests beside their code that start real servers or processes (PostgreSQL, workerd, the control
// plane with its retry worker) or replay a whole workload: they run with the cross-part tests.
const INTEGRATION_BESIDE_CODE = [
  'src/store/kysely-repository.test.ts',
  'cloudflare/d1-store.test.ts',
  'cli/wait.test.ts',
  'cli/client.test.ts',
  'cli/local-stack/edge-package.test.ts',
  'bench/offload/replay.test.ts',
  'bench/detection/end-to-end.test.ts',
];

// The files that ran longest on CI (.ci/run), longest first. A fresh clone has no durations from
// an earlier run, so vitest would start the largest files first and these, short files that start
// workerd or many processes, could come last and run alone on one core: they start first instead.
const LONGEST_FIRST = [
  'test/cloudflare-crash.test.ts',
  'test/cli-commands.test.ts',
  'test/migrate-run-crash.test.ts',
  'test/start-stack.test.ts',
  'test/data-safety.test.ts',
  'test/cloudflare-worker.test.ts',
  'test/lifecycle-provision-crash.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = LONGEST_FIRST.findIndex((name) => file.moduleId.endsWith(`/${name}`));
      return index === -1 ? LONGEST_FIRST.length : index;
    };
    const group = (file: TestSpecification) => file.project.config.sequence.groupOrder;
    // Within each project group, after vitest's own order (which the sort keeps for the rest).
    return (await super.sort(files)).sort((a, b) => group(a) - group(b) || rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 60_000,
    sequence: { sequencer: LongestFirst },
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
          setupFiles: ['test/setup/stop-cli-children.ts'],
          include: ['test/**/*.test.ts', ...INTEGRATION_BESIDE_CODE],
          // Mostly waiting on child processes, servers and timers: two files at a time on two cores.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
