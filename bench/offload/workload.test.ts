import { describe, expect, it } from 'vitest';
import { OriginModel } from './origin';
import { type TrafficGroup, trafficGroup } from './replay';
import { type BenchRequest, CATALOGUE, MastodonWorkload, START_MS } from './workload';

function generate(seed: number, requests: number): BenchRequest[] {
  return [...new MastodonWorkload({ seed, requests }).requests()];
}

describe('MastodonWorkload', () => {
  const requests = generate(11, 40_000);

  it('repeats for a seed and differs between seeds', () => {
    expect(generate(11, 500)).toEqual(requests.slice(0, 500));
    expect(generate(12, 500).map((request) => request.target)).not.toEqual(requests.slice(0, 500).map((request) => request.target));
  });

  it('follows the request mix of the policy document', () => {
    const share = (group: TrafficGroup) => requests.filter((request) => trafficGroup(request) === group).length / requests.length;
    expect(share('files')).toBeGreaterThanOrEqual(0.45);
    expect(share('files')).toBeLessThanOrEqual(0.6);
    expect(share('static')).toBeGreaterThanOrEqual(0.05);
    expect(share('static')).toBeLessThanOrEqual(0.1);
    expect(share('api')).toBeGreaterThanOrEqual(0.15);
    expect(share('api')).toBeLessThanOrEqual(0.25);
    expect(share('anonymousApi')).toBeGreaterThanOrEqual(0.02);
    expect(share('anonymousApi')).toBeLessThanOrEqual(0.06);
    expect(share('inbox')).toBeGreaterThanOrEqual(0.1);
    expect(share('inbox')).toBeLessThanOrEqual(0.2);
    const streaming = requests.filter((request) => request.resource === 'streaming').length / requests.length;
    expect(streaming).toBeGreaterThan(0.0003);
    expect(streaming).toBeLessThan(0.003);
  });

  it('puts 85–95 % of the bytes on the files domain', () => {
    const origin = new OriginModel({ seed: 11, authorizedFetch: false, startMs: START_MS, durationMs: 3_600_000 });
    let files = 0;
    let total = 0;
    for (const request of requests) {
      const bytes = origin.answer(request, request.headers, request.atMs).bytes;
      total += bytes;
      if (trafficGroup(request) === 'files') files += bytes;
    }
    expect(files / total).toBeGreaterThanOrEqual(0.85);
    expect(files / total).toBeLessThanOrEqual(0.95);
  });

  it('makes popularity heavy-tailed: a few URLs take a large share, most are asked once', () => {
    const counts = new Map<string, number>();
    for (const request of requests) if (request.host.startsWith('files.')) counts.set(request.target, (counts.get(request.target) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    const total = sorted.reduce((sum, count) => sum + count, 0);
    const top = sorted.slice(0, Math.ceil(sorted.length / 100)).reduce((sum, count) => sum + count, 0);
    expect(top / total).toBeGreaterThan(0.1);
    expect(sorted.filter((count) => count === 1).length / sorted.length).toBeGreaterThan(0.5);
  });

  it('sends cookies, bearer tokens and HTTP signatures where Mastodon clients do', () => {
    const withHeader = (name: string) => requests.filter((request) => request.headers[name] !== undefined);
    expect(withHeader('cookie').length).toBeGreaterThan(0);
    expect(withHeader('cookie').every((request) => request.clientKind === 'user' && request.host === 'toot.example')).toBe(true);
    expect(withHeader('authorization').every((request) => request.clientKind === 'user' || request.clientKind === 'app')).toBe(true);
    const signed = withHeader('signature');
    expect(signed.every((request) => request.clientKind === 'server')).toBe(true);
    expect(signed.some((request) => request.method === 'GET')).toBe(true);
    expect(signed.some((request) => request.method === 'POST')).toBe(true);
  });

  it('asks for one status URL both as HTML and as ActivityPub JSON', () => {
    const statusPages = requests.filter((request) => request.resource === 'status' && request.target.startsWith('/@'));
    expect(statusPages.some((request) => request.clientKind === 'server')).toBe(true);
    expect(statusPages.some((request) => request.clientKind !== 'server')).toBe(true);
  });

  it('sends a share of server fetches to posts that are still fanning out', () => {
    const statusFetches = requests.filter((request) => request.resource === 'status' && request.clientKind === 'server');
    const fresh = statusFetches.filter((request) => request.objectId >= CATALOGUE.status);
    expect(fresh.length / statusFetches.length).toBeGreaterThan(0.4);
    expect(fresh.length / statusFetches.length).toBeLessThan(0.7);
    const browserMedia = requests.filter((request) => request.resource === 'preview' && request.clientKind === 'browser');
    expect(browserMedia.every((request) => request.objectId < CATALOGUE.preview)).toBe(true);
  });

  it("sends anonymous API reads without credentials, in the visitors' own locales", () => {
    const reads = requests.filter((request) => request.resource === 'api-anonymous');
    expect(
      reads.every((request) => request.method === 'GET' && request.clientKind === 'browser' && !request.headers.authorization && !request.headers.cookie),
    ).toBe(true);
    expect(new Set(reads.map((request) => request.headers['accept-language'])).size).toBeGreaterThan(5);
    expect(reads.some((request) => request.target.startsWith('/api/v1/trends/'))).toBe(true);
  });

  it('moves simulated time forward at the configured rate', () => {
    const simulatedSpan = (requests.at(-1)!.atMs - requests[0]!.atMs) / 1000;
    expect(simulatedSpan).toBeGreaterThan((40_000 / 20) * 0.95);
    expect(simulatedSpan).toBeLessThan((40_000 / 20) * 1.05);
    expect(requests.every((request, index) => index === 0 || request.atMs >= requests[index - 1]!.atMs)).toBe(true);
  });
});
