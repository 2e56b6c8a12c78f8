import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

// The local edge (`edgeplane edge serve`, in its own process) serving one object bigger than its
// cache may hold: the edge's own peak resident memory above its idle level (read from /proc by
// this process, so it is the edge's alone) and the client's time to the first body byte.

export interface LargeObjectCost {
  objectBytes: number;
  idleMb: number;
  peakMb: number;
  peakOverIdleMb: number;
  firstByteMs: number;
  seconds: number;
}

const MAIN_HOST = 'toot.example';
const FILES_HOST = 'files.toot.example';
const LARGE_PATH = '/media_attachments/files/000/000/001/original/large.mp4';
const WARM_PATH = '/media_attachments/files/000/000/002/original/small.png';
const CHUNK = Buffer.alloc(1 << 20, 0x61);
const CLI = fileURLToPath(new URL('../../cli/edgeplane.js', import.meta.url));
/** How often the edge's resident memory is sampled. */
const SAMPLE_MS = 10;

/** Object storage: the large object streamed at whatever pace the edge reads, with storage's long lifetime. */
async function startOrigin(largeBytes: number): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const size = request.url === LARGE_PATH ? largeBytes : 10_000;
    response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(size), 'cache-control': 'public, max-age=315576000, immutable' });
    let left = size;
    const write = () => {
      while (left > 0) {
        const chunk = left >= CHUNK.byteLength ? CHUNK : CHUNK.subarray(0, left);
        left -= chunk.byteLength;
        if (!response.write(chunk)) return void response.once('drain', write);
      }
      response.end();
    };
    write();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function residentMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb) / 1024;
}

function fetchThroughEdge(edgeUrl: string, path: string, onFirstByte: () => void): Promise<number> {
  const { hostname, port } = new URL(edgeUrl);
  return new Promise((resolve, reject) => {
    get({ hostname, port, path, headers: { host: FILES_HOST } }, (response: IncomingMessage) => {
      if (response.statusCode !== 200) return reject(new Error(`GET ${path} through the edge answered ${response.statusCode}`));
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        if (bytes === 0) onFirstByte();
        bytes += chunk.byteLength;
      });
      response.on('end', () => resolve(bytes));
      response.on('error', reject);
    }).on('error', reject);
  });
}

export async function measureLargeObject(objectBytes: number): Promise<LargeObjectCost> {
  if (!existsSync('/proc/self/status')) throw new Error('needs /proc to read the edge process memory');
  const origin = await startOrigin(objectBytes);
  const edge = spawn(
    process.execPath,
    [CLI, 'edge', 'serve', '--port', '0', '--origin-main', origin.url, '--origin-static', origin.url, '--main', MAIN_HOST, '--static', FILES_HOST],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => edge.once('exit', () => resolve()));
  try {
    const edgeUrl = await new Promise<string>((resolve, reject) => {
      for (const stream of [edge.stdout!, edge.stderr!]) {
        createInterface({ input: stream }).on('line', (line) => {
          const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
          if (url) resolve(url);
        });
      }
      edge.once('exit', (code) => reject(new Error(`edge serve exited with ${code} before listening`)));
    });
    // Idle: listening, every code path of a files request loaded once, the heap settled.
    await fetchThroughEdge(edgeUrl, WARM_PATH, () => {});
    await new Promise((resolve) => setTimeout(resolve, 500));
    const idleMb = residentMb(edge.pid!);
    let peakMb = idleMb;
    const sampler = setInterval(() => {
      peakMb = Math.max(peakMb, residentMb(edge.pid!));
    }, SAMPLE_MS);
    const started = performance.now();
    let firstByteMs = Number.NaN;
    let received: number;
    try {
      received = await fetchThroughEdge(edgeUrl, LARGE_PATH, () => {
        firstByteMs = performance.now() - started;
      });
    } finally {
      clearInterval(sampler);
    }
    peakMb = Math.max(peakMb, residentMb(edge.pid!));
    const seconds = (performance.now() - started) / 1000;
    if (received !== objectBytes) throw new Error(`the edge delivered ${received} of ${objectBytes} bytes`);
    return { objectBytes, idleMb, peakMb, peakOverIdleMb: peakMb - idleMb, firstByteMs, seconds };
  } finally {
    edge.kill('SIGTERM');
    await exited;
    await origin.close();
  }
}
