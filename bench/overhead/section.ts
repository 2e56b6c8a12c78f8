import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOMAIN_PAGE_DEFAULT_LIMIT, DOMAIN_PAGE_MAX_LIMIT } from '../../src/model';
import type { BenchSettings } from '../settings';
import { round, type Summary } from '../summary';
import { printTable } from '../table';
import { type BundleSize, edgeBundleSize, WASM_PATH, type WasmSize, wasmSize } from './artifacts';
import { type DecisionCost, measureDecisions } from './decisions';
import { BENCH_SERVICE, openBenchControlPlane, seedIdleDomains } from './idle-domains';
import { type LargeObjectCost, measureLargeObject } from './large-object';
import { fetchBody, measureThroughput, startTarget, type TargetServer, type Throughput } from './throughput';

/**
 * One keep-alive connection for every server: each request waits for the previous answer, as a
 * poller's do, and the rates of all servers are measured alike.
 */
const CONNECTIONS = 1;

/** A measurement, or why there is none (a part not landed or broken is reported, not faked). */
type Measured<T> = { value: T } | { error: string };

async function attempt<T>(run: () => Promise<T> | T): Promise<Measured<T>> {
  try {
    return { value: await run() };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

const measuredValue = <T>(measured: Measured<T>): T | null => ('value' in measured ? measured.value : null);

async function measureTick(dbPath: string, ticks: number): Promise<number> {
  const opened = await openBenchControlPlane(dbPath);
  try {
    await opened.worker.tick();
    const started = performance.now();
    for (let tick = 0; tick < ticks; tick++) await opened.worker.tick();
    return (performance.now() - started) / ticks;
  } finally {
    await opened.close();
  }
}

function throughputOf(target: TargetServer, path: string, settings: BenchSettings, minRequests: number, revalidate?: string): Promise<Throughput> {
  return measureThroughput({
    url: target.url,
    path,
    headers: { authorization: `Bearer ${target.token}`, ...(revalidate === undefined ? {} : { 'if-none-match': revalidate }) },
    connections: CONNECTIONS,
    warmUpMs: settings.throughputMinMs / 2,
    minDurationMs: settings.throughputMinMs,
    minRequests,
    ...(revalidate === undefined ? {} : { status: 304 }),
  });
}

async function serverThroughput(args: string[], path: string, settings: BenchSettings, minRequests: number): Promise<Throughput> {
  const target = await startTarget(args);
  try {
    return await throughputOf(target, path, settings, minRequests);
  } finally {
    await target.stop();
  }
}

/**
 * An API list page; bare Hono answering its very bytes (what the API adds over sending them); and
 * a poller that revalidates the page with its ETag (304, no body).
 */
interface PageThroughput {
  api: Throughput;
  sameAnswer: Throughput;
  revalidated: Throughput;
  answerBytes: number;
}

async function pageThroughput(dbPath: string, path: string, settings: BenchSettings): Promise<PageThroughput> {
  const target = await startTarget(['api', dbPath]);
  const answerPath = `${dbPath}.answer.json`;
  try {
    const answer = await fetchBody(target.url, path, { authorization: `Bearer ${target.token}` });
    if (answer.etag === null) throw new Error(`GET ${path} answered without an ETag`);
    writeFileSync(answerPath, answer.body);
    const api = await throughputOf(target, path, settings, 3);
    const revalidated = await throughputOf(target, path, settings, 3, answer.etag);
    return { api, revalidated, sameAnswer: await serverThroughput(['answer', answerPath], '/', settings, 3), answerBytes: answer.body.byteLength };
  } finally {
    await target.stop();
    rmSync(answerPath, { force: true });
  }
}

export interface OverheadDetails {
  decisions: Measured<DecisionCost>;
  bundle: Measured<BundleSize | null>;
  wasm: Measured<WasmSize>;
  storeDomains: number;
  tickMillis: Measured<number>;
  bare: Measured<Throughput>;
  api: Measured<PageThroughput>;
  apiLargestPage: Measured<PageThroughput>;
  largeObject: Measured<LargeObjectCost>;
}

export interface OverheadSection {
  summary: Summary['overhead'];
  details: OverheadDetails;
}

export async function runOverheadSection(settings: BenchSettings, outDir: string): Promise<OverheadSection> {
  const decisions = await attempt(() => measureDecisions({ seed: settings.seed, sample: settings.decisionSample, minMs: settings.decisionMinMs }));
  const bundle = await attempt(() => edgeBundleSize());
  const wasm = await attempt(() => wasmSize(settings.buildWasm));

  mkdirSync(outDir, { recursive: true });
  const dbPath = join(outDir, `store-${settings.storeDomains}.db`);
  const removeDb = () => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
  };
  removeDb();
  const seeded = await attempt(() => seedIdleDomains(dbPath, settings.storeDomains));
  const notSeeded = (): Measured<never> => ({ error: `store not seeded: ${'error' in seeded ? seeded.error : ''}` });
  const tickMillis = 'value' in seeded ? await attempt(() => measureTick(dbPath, settings.ticks)) : notSeeded();
  const bare = await attempt(() => serverThroughput(['bare'], '/', settings, 100));
  // The list answers a page (100 summaries unless asked for more, at most 1,000).
  const listPath = `/v1/services/${BENCH_SERVICE}/domains`;
  const api = 'value' in seeded ? await attempt(() => pageThroughput(dbPath, listPath, settings)) : notSeeded();
  const apiLargestPage = 'value' in seeded ? await attempt(() => pageThroughput(dbPath, `${listPath}?limit=${DOMAIN_PAGE_MAX_LIMIT}`, settings)) : notSeeded();
  removeDb();
  const largeObject = await attempt(() => measureLargeObject(settings.largeObjectBytes));

  const decisionCost = measuredValue(decisions);
  const bundleSize = measuredValue(bundle);
  const wasmInfo = measuredValue(wasm);
  const bareRate = measuredValue(bare);
  const firstPage = measuredValue(api);
  const largestPage = measuredValue(apiLargestPage);
  const apiRate = firstPage?.api;
  const largestPageRate = largestPage?.api;
  const spread = (t: Throughput) =>
    `median of ${t.windowRates.length} windows, ${Math.round(Math.min(...t.windowRates)).toLocaleString('en')}–${Math.round(Math.max(...t.windowRates)).toLocaleString('en')}`;
  const kb = (bytes: number) => `${Math.round(bytes / 1024).toLocaleString('en')} KB`;
  const sameAnswerRows = (page: PageThroughput | null, measured: Measured<PageThroughput>, indent: string): (string | number)[][] => [
    [
      `${indent}bare Hono answering the same bytes (req/s)`,
      page ? page.sameAnswer.requestsPerSecond.toFixed(1) : 'null',
      page
        ? `the API's answer (${kb(page.answerBytes)}) saved once and sent as is; ${page.sameAnswer.requests} requests; ${spread(page.sameAnswer)}`
        : why(measured),
    ],
    [
      `${indent}API / bare Hono with the same answer`,
      page ? (page.api.requestsPerSecond / page.sameAnswer.requestsPerSecond).toFixed(2) : 'null',
      "what the API's own work (token, query, revision read, routing, metrics) leaves of sending those bytes",
    ],
    [
      `${indent}a poller revalidating it (req/s)`,
      page ? page.revalidated.requestsPerSecond.toFixed(1) : 'null',
      page ? `If-None-Match with the page's ETag: 304, no body; ${page.revalidated.requests} requests; ${spread(page.revalidated)}` : why(measured),
    ],
  ];
  const tick = measuredValue(tickMillis);
  const large = measuredValue(largeObject);
  const fullObject = settings.largeObjectBytes === 1024 ** 3;
  const objectSize = fullObject ? '1 GiB' : `${settings.largeObjectBytes / 1024 ** 2} MiB`;
  const smaller = fullObject ? '' : " (quick run: a smaller object than the full run's 1 GiB)";
  const why = (measured: Measured<unknown>) => ('error' in measured ? `not measured: ${measured.error}` : '');
  const domains = settings.storeDomains.toLocaleString('en');
  printTable(
    '3. Overheads',
    ['what', 'measured', 'note'],
    [
      [
        'decideRequest (µs per decision)',
        decisionCost ? decisionCost.requestMicros.toFixed(2) : 'null',
        decisionCost ? `${Math.round(decisionCost.decisionsPerSecond).toLocaleString('en')} decisions/s on one core` : why(decisions),
      ],
      [
        'decideStorage (µs per response)',
        decisionCost ? decisionCost.storageMicros.toFixed(2) : 'null',
        decisionCost ? 'the second step, once per storable origin response' : why(decisions),
      ],
      [
        'edge JS bundle (bytes, minified)',
        bundleSize ? bundleSize.minifiedBytes : 'null',
        bundleSize ? `esbuild edge/index.ts, fastly:* external; ${bundleSize.bytes} bytes unminified` : why(bundle) || 'esbuild not available',
      ],
      ['edge Wasm (bytes)', wasmInfo?.bytes ?? 'null', wasmInfo ? `${WASM_PATH}: ${wasmInfo.source}` : why(wasm)],
      [
        `API GET /v1/services/{name}/domains, ${domains} domains (req/s)`,
        apiRate ? apiRate.requestsPerSecond.toFixed(1) : 'null',
        apiRate
          ? `first page (${DOMAIN_PAGE_DEFAULT_LIMIT} summaries); ${apiRate.requests} requests in ${apiRate.seconds.toFixed(1)} s over ${CONNECTIONS} keep-alive connection, after ${(settings.throughputMinMs / 2000).toFixed(1)} s of warm-up; ${spread(apiRate)}`
          : why(api),
      ],
      [
        'bare Hono hello-world (req/s)',
        bareRate ? bareRate.requestsPerSecond.toFixed(0) : 'null',
        bareRate ? `${bareRate.requests} requests in ${bareRate.seconds.toFixed(1)} s, same server entry, client and warm-up; ${spread(bareRate)}` : why(bare),
      ],
      ['API / bare Hono', apiRate && bareRate ? (apiRate.requestsPerSecond / bareRate.requestsPerSecond).toFixed(3) : 'null', 'issue 18: goal ≥ 0.5'],
      ...sameAnswerRows(firstPage, api, '  '),
      [
        `  the same with ?limit=${DOMAIN_PAGE_MAX_LIMIT} (req/s)`,
        largestPageRate ? largestPageRate.requestsPerSecond.toFixed(1) : 'null',
        largestPageRate
          ? `the largest page; ${largestPageRate.requests} requests in ${largestPageRate.seconds.toFixed(1)} s; ${spread(largestPageRate)}; issue 18: goal ≥ 328`
          : why(apiLargestPage),
      ],
      ...sameAnswerRows(largestPage, apiLargestPage, '    '),
      [
        `local edge, one ${objectSize} object: memory above idle (MB)`,
        large ? large.peakOverIdleMb.toFixed(1) : 'null',
        large
          ? `edge serve in its own process: idle ${large.idleMb.toFixed(0)} MB, peak ${large.peakMb.toFixed(0)} MB; goal ≤ 64 MB${smaller}`
          : why(largeObject),
      ],
      [
        '  its time to first byte (ms)',
        large ? large.firstByteMs.toFixed(1) : 'null',
        large ? `whole object in ${large.seconds.toFixed(1)} s, over the cache's object cap: streamed, never held` : why(largeObject),
      ],
      [
        `reconcile tick, ${domains} idle domains (ms)`,
        tick !== null ? tick.toFixed(3) : 'null',
        tick !== null ? `mean of ${settings.ticks} ticks of the retry worker` : why(tickMillis),
      ],
    ],
  );

  const fullStore = settings.storeDomains === 10_000;
  return {
    summary: {
      decisionMicros: decisionCost ? round(decisionCost.requestMicros, 3) : null,
      edgeBundleBytes: bundleSize?.minifiedBytes ?? null,
      wasmBytes: wasmInfo?.bytes ?? null,
      apiVsBareHono: apiRate && bareRate && fullStore ? Number((apiRate.requestsPerSecond / bareRate.requestsPerSecond).toPrecision(3)) : null,
      apiLargePageRps: largestPageRate && fullStore ? round(largestPageRate.requestsPerSecond, 1) : null,
      tickMillis10k: tick !== null && fullStore ? round(tick, 3) : null,
      localEdgeLargeObjectMb: large && fullObject ? round(large.peakOverIdleMb, 1) : null,
      localEdgeFirstByteMs: large && fullObject ? round(large.firstByteMs, 1) : null,
    },
    details: { decisions, bundle, wasm, storeDomains: settings.storeDomains, tickMillis, bare, api, apiLargestPage, largeObject },
  };
}
