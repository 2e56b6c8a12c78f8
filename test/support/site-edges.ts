import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { type RunningLocalEdge, startLocalEdge } from '../../edge/local/server';
import type { RunningSimulator } from '../../src/sim/server';

// The local edge in front of one origin per service, reading each service's Config Store through
// the simulator the way the Wasm does on Fastly (the store linked under the link name). Every
// request the origin gets is recorded, so a test sees which host and path the edge forwarded.

export interface OriginHit {
  host: string;
  path: string;
}

export interface SiteOrigin {
  url: string;
  hits: OriginHit[];
  close(): Promise<void>;
}

/** An origin that answers 200 to everything, with the Host and path it got in the body. */
function startEchoOrigin(): Promise<SiteOrigin> {
  const hits: OriginHit[] = [];
  const server: Server = createServer((req, res) => {
    const hit = { host: req.headers.host ?? '', path: req.url ?? '/' };
    hits.push(hit);
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(hit));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        hits,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

export interface EdgeAnswer {
  status: number;
  location: string | null;
  /** What the origin got, when the edge forwarded the request. */
  forwarded: OriginHit | null;
}

export interface ServiceEdge {
  service: string;
  edge: RunningLocalEdge;
  origin: SiteOrigin;
  get(host: string, path?: string): Promise<EdgeAnswer>;
  close(): Promise<void>;
}

/** A local edge for one service: its own origin, its config read on every request. */
export async function startServiceEdge(sim: RunningSimulator, token: string, service: string): Promise<ServiceEdge> {
  const origin = await startEchoOrigin();
  const edge = await startLocalEdge({
    originMain: origin.url,
    originStatic: origin.url,
    fastlyUrl: sim.url,
    fastlyToken: token,
    service,
    configRefreshMs: 0,
    log: () => {},
  });
  return {
    service,
    edge,
    origin,
    async get(host, path = '/about') {
      const response = await request(`${edge.url}${path}`, { headers: { host } });
      const text = await response.body.text();
      const location = response.headers.location;
      const forwarded = response.statusCode === 200 ? (JSON.parse(text) as OriginHit) : null;
      return { status: response.statusCode, location: typeof location === 'string' ? location : null, forwarded };
    },
    async close() {
      await edge.close();
      await origin.close();
    },
  };
}
