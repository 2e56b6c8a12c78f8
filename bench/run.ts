import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { runAttachSection } from './attach/section';
import { runDetectionSection } from './detection/section';
import { runOffloadSection } from './offload/section';
import { runOverheadSection } from './overhead/section';
import { runReplicasSection } from './replicas/section';
import { benchSettings } from './settings';
import { checkTargets, type Summary } from './summary';
import { printTable } from './table';
import { runWorkerSection } from './worker/section';

// `npm run bench [-- --quick] [-- --seed N] [-- --only offload,overhead]`: cache offload, release
// detection and overheads, measured side by side in one run. Prints tables; writes
// bench/out/summary.json (issue 6's schema) and bench/out/details.json (everything behind the
// tables) when every section ran. Never asserts a timing.

const OUT_DIR = 'bench/out';
const SECTIONS = ['overhead', 'offload', 'detection', 'attach', 'worker', 'replicas'] as const;

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, seed: { type: 'string', default: '1' }, only: { type: 'string' } },
});
const only = values.only === undefined ? null : new Set(values.only.split(',').map((name) => name.trim()));
for (const name of only ?? []) {
  if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`--only takes sections among ${SECTIONS.join(', ')}, got ${name}`);
}
const wanted = (section: (typeof SECTIONS)[number]) => only === null || only.has(section);
const seed = Number(values.seed);
if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
const settings = benchSettings(values.quick ?? false, seed);
const started = performance.now();
// Timings depend on the machine and on what else runs on it: say both.
const load = loadavg()
  .map((value) => value.toFixed(2))
  .join(' ');
console.log(
  `edgeplane benchmarks (${settings.quick ? 'quick smoke run' : 'full run'}, seed ${seed}, Node ${process.version}, ${availableParallelism()} CPUs, load average ${load})`,
);

// Overheads first: the timings run on a small heap, before the replays fill it.
const overhead = wanted('overhead') ? await runOverheadSection(settings, OUT_DIR) : null;
const offload = wanted('offload') ? await runOffloadSection(settings) : null;
const detection = wanted('detection') ? await runDetectionSection(settings) : null;
const attach = wanted('attach') ? await runAttachSection(settings) : null;
const worker = wanted('worker') ? await runWorkerSection(settings) : null;
const replicas = wanted('replicas') ? await runReplicasSection(settings) : null;
const peakMemoryMb = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);
if (!overhead || !offload || !detection || !attach || !worker || !replicas) {
  console.log(
    `\n--only ${values.only}: took ${((performance.now() - started) / 1000).toFixed(0)} s (peak memory ${peakMemoryMb()} MB); summary.json and details.json are written by a run of every section`,
  );
  process.exit(0);
}

const summary: Summary = { offload: offload.summary, detection: detection.summary, overhead: overhead.summary };
const targets = checkTargets(summary);
printTable(
  'Targets (issue 6)',
  ['target', 'measured', 'met'],
  targets.map(({ target, measured, met }) => [target, measured, met === null ? 'not measured' : met ? 'yes' : 'NO']),
);

mkdirSync(OUT_DIR, { recursive: true });
writeFileSync(`${OUT_DIR}/summary.json`, `${JSON.stringify(summary, null, 2)}\n`);
writeFileSync(
  `${OUT_DIR}/details.json`,
  `${JSON.stringify({ settings, loadAverageAtStart: load, targets, offload: offload.details, detection: { ...detection.details, crossCheck: detection.crossCheck }, overhead: overhead.details, attach: attach.details, worker: worker.details, replicas: replicas.details }, null, 2)}\n`,
);
console.log(
  `\nwrote ${OUT_DIR}/summary.json and ${OUT_DIR}/details.json in ${((performance.now() - started) / 1000).toFixed(0)} s (peak memory ${peakMemoryMb()} MB)`,
);
