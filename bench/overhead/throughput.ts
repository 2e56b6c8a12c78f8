import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { percentile, sortedAscending } from '../stats';
import { CountingConnection, getRequestBytes } from './counting-client';

// Requests per second a server sustains, measured from this process over keep-alive connections
// with a client that only counts the answers (counting-client.ts).

export interface Throughput {
  /** The median of the windows' rates. */
  requestsPerSecond: number;
  /** Each window's rate, in order. */
  windowRates: number[];
  requests: number;
  seconds: number;
}

export interface LoadOptions {
  url: string;
  path: string;
  headers?: Record<string, string>;
  connections: number;
  /** Requests sent first and not counted, so a fresh process is measured after its JIT warm-up. */
  warmUpMs: number;
  /** Measure at least this long, in `windows` equal windows (default 5)... */
  minDurationMs: number;
  windows?: number;
  /** ...and until at least this many requests completed. */
  minRequests: number;
  /** The status every answer must have; default 200. */
  status?: number;
}

export async function measureThroughput(options: LoadOptions): Promise<Throughput> {
  const connections = await Promise.all(Array.from({ length: options.connections }, () => CountingConnection.open(options.url)));
  const requestBytes = getRequestBytes(options.url, options.path, options.headers);
  const expected = options.status ?? 200;
  const run = async (minDurationMs: number, minRequests: number) => {
    const started = performance.now();
    let requests = 0;
    const enough = () => performance.now() - started >= minDurationMs && requests >= minRequests;
    const worker = async (connection: CountingConnection) => {
      while (!enough()) {
        const { status } = await connection.send(requestBytes);
        if (status !== expected) throw new Error(`GET ${options.path} answered ${status}, not ${expected}`);
        requests++;
      }
    };
    await Promise.all(connections.map(worker));
    return { requests, seconds: (performance.now() - started) / 1000 };
  };
  try {
    await run(options.warmUpMs, 1);
    // Consecutive windows, the median reported: one slow stretch (a collection, the scheduler
    // moving a process) moves one window, not the result.
    const windows = options.windows ?? 5;
    const measured = [];
    for (let window = 0; window < windows; window++) measured.push(await run(options.minDurationMs / windows, Math.ceil(options.minRequests / windows)));
    const windowRates = measured.map(({ requests, seconds }) => requests / seconds);
    return {
      requestsPerSecond: percentile(sortedAscending(windowRates), 50),
      windowRates,
      requests: measured.reduce((sum, { requests }) => sum + requests, 0),
      seconds: measured.reduce((sum, { seconds }) => sum + seconds, 0),
    };
  } finally {
    for (const connection of connections) connection.close();
  }
}

/** The body of one GET, as sent, and its ETag. */
export async function fetchBody(url: string, path: string, headers: Record<string, string> = {}): Promise<{ body: Uint8Array; etag: string | null }> {
  const response = await request(new URL(path, url), { headers });
  const body = new Uint8Array(await response.body.arrayBuffer());
  if (response.statusCode !== 200) throw new Error(`GET ${path} answered ${response.statusCode}`);
  const etag = response.headers.etag;
  return { body, etag: typeof etag === 'string' ? etag : null };
}

export interface TargetServer {
  url: string;
  token: string;
  stop(): Promise<void>;
}

/** Starts serve-target.ts in a child process and waits until it listens. */
export async function startTarget(args: string[]): Promise<TargetServer> {
  const script = fileURLToPath(new URL('./serve-target.ts', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const firstLine = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`serve-target ${args.join(' ')} exited with ${code} before listening`)));
  });
  const { url, token } = JSON.parse(firstLine) as { url: string; token: string };
  return {
    url,
    token,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
