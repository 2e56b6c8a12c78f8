import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock';
import { packComputePackage } from '../src/compute-package';
import { type RunningSimulator, startSimulator } from '../src/sim/server';
import { type CaseBody, RECORDED_CASES, type RecordedCase, UNRECORDED_OPERATIONS } from './support/recorded-fastly-cases';

// Replays the conformance cases (what real Fastly answered, from go-fastly's recordings) against
// the simulator over 127.0.0.1, in order, one account: status, Content-Type, rate-limit headers,
// error bodies verbatim, the fields our zod schemas read and the values Fastly recorded.

let sim: RunningSimulator;
const captured: Record<string, string> = {};
let validPackage: Uint8Array;

beforeAll(async () => {
  sim = await startSimulator({ clock: new ManualClock(Date.parse('2026-03-01T10:00:00Z')) });
  const manifest = 'manifest_version = 3\nname = "test-package"\ndescription = "An empty starter kit project template."\nlanguage = "javascript"\n';
  validPackage = await packComputePackage('test-package', {
    'fastly.toml': manifest,
    'bin/main.wasm': new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]),
  });
});

afterAll(() => sim?.close());

/** Fills {name} from earlier captures, in strings and in nested bodies. */
function fill<T>(value: T): T {
  if (typeof value === 'string') return value.replace(/\{(\w+)\}/g, (_, name: string) => captured[name] ?? `{${name}}`) as T;
  if (Array.isArray(value)) return value.map(fill) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, fill(inner)])) as T;
  return value;
}

/** Every value at a path like `versions[].number` (`[]` = each element, a leading `[]` when the answer is a list; `0` = an index). */
function valuesAt(body: unknown, path: string): unknown[] {
  let current: unknown[] = [body];
  for (const part of path.split('.')) {
    const [, key, each] = /^([^[]*)(\[\])?$/.exec(part)!;
    current = current.flatMap((item) => {
      const inner = key === '' ? item : item && typeof item === 'object' ? (item as Record<string, unknown>)[key!] : undefined;
      if (each) return Array.isArray(inner) ? inner : [undefined];
      return [inner];
    });
  }
  return current;
}

function requestInit(body: CaseBody | undefined): { headers: Record<string, string>; body?: BodyInit } {
  if (!body) return { headers: {} };
  if ('form' in body) return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fill(body.form)).toString() };
  if ('json' in body) return { headers: { 'content-type': body.contentType ?? 'application/json' }, body: JSON.stringify(fill(body.json)) };
  if ('headers' in body) return { headers: body.headers };
  const form = new FormData();
  const bytes = body.package === 'valid' ? validPackage : new TextEncoder().encode('not a package');
  form.append('package', new Blob([Buffer.from(bytes)], { type: 'application/gzip' }), 'package.tar.gz');
  return { headers: {}, body: form };
}

async function replay(testCase: RecordedCase) {
  const init = requestInit(testCase.body);
  const response = await fetch(sim.url + fill(testCase.path), {
    method: testCase.method,
    headers: { 'Fastly-Key': sim.defaultAccount.token, ...init.headers },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const text = await response.text();
  return { response, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

describe('the simulator answers as Fastly did in the recordings', () => {
  it.each(RECORDED_CASES.map((testCase) => [`${testCase.method} ${testCase.path} (${testCase.operation})`, testCase] as const))('%s', async (_, testCase) => {
    const { response, body } = await replay(testCase);
    const where = `${testCase.operation}, as recorded in ${testCase.source}`;
    expect(response.status, `${where}: ${JSON.stringify(body)}`).toBe(testCase.status);

    const contentType = response.headers.get('content-type');
    if (testCase.contentType === null) expect(contentType ?? '', where).not.toMatch(/json/);
    else expect(contentType, where).toContain(testCase.contentType);
    expect(response.headers.has('fastly-ratelimit-remaining'), `${where}: rate-limit headers`).toBe(testCase.rateLimitHeaders);
    expect(response.headers.has('fastly-ratelimit-reset'), `${where}: rate-limit headers`).toBe(testCase.rateLimitHeaders);

    if (testCase.error !== undefined) expect(body, where).toEqual(fill(testCase.error));
    if (testCase.schema) {
      const parsed = testCase.schema.safeParse(body);
      expect(parsed.success, `${where}: ${parsed.error?.message}`).toBe(true);
    }
    for (const path of testCase.fields ?? []) {
      const found = valuesAt(body, path);
      expect(found.length > 0 && found.every((value) => value !== undefined), `${where}: ${path} in ${JSON.stringify(body)}`).toBe(true);
    }
    for (const [path, expected] of Object.entries(fill(testCase.values ?? {}))) {
      expect(valuesAt(body, path), `${where}: ${path}`).toContain(expected);
    }
    for (const [name, path] of Object.entries(testCase.capture ?? {})) captured[name] = String(valuesAt(body, path)[0]);
  });
});

describe('the conformance table', () => {
  it('covers every Fastly call the gateway makes, by a recording or a stated reason', () => {
    const source = readFileSync(new URL('../src/fastly/create-gateway.ts', import.meta.url), 'utf8');
    const operations = [...source.matchAll(/(?:operation: |\b(?:sdk|http)\()'(\w+)'/g)].map((match) => match[1]!);
    expect(operations.length).toBeGreaterThan(20);
    const recorded = new Set(RECORDED_CASES.map((testCase) => testCase.operation.split(' ')[0]));
    const missing = operations.filter((operation) => !recorded.has(operation) && !(operation in UNRECORDED_OPERATIONS));
    expect(missing).toEqual([]);
    // A stated reason is only for what no recording covers.
    expect(Object.keys(UNRECORDED_OPERATIONS).filter((operation) => recorded.has(operation))).toEqual([]);
  });
});
