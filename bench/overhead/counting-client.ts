import { connect, type Socket } from 'node:net';

// The throughput benchmark's client: one keep-alive HTTP/1.1 connection that sends a prepared GET
// and reads the answer's status line and headers, then skips its body by Content-Length without
// keeping or decoding it. A load generator must cost less per answer than the server it measures:
// measured against one server sending one 53 KB answer, undici's Pool (body read as text), undici's
// Client with a handler that drops the body, Node's http client and autocannon all took longer per
// answer than the server, so their rates measured themselves (bench/README.md, issue 18).
// It reads only what the servers measured here send: no chunked bodies, no pipelining.

/** Status line and headers are small; more than this before the blank line is not HTTP we expect. */
const MAX_HEAD_BYTES = 64 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');
const READ_BUFFER_BYTES = 64 * 1024;

export interface CountedAnswer {
  status: number;
  /** Body bytes received (and dropped). */
  bodyBytes: number;
}

/** The bytes of a GET of `path` on `url`'s host with `headers`, made once and sent for every request. */
export function getRequestBytes(url: string, path: string, headers: Record<string, string> = {}): Buffer {
  const lines = [`GET ${path} HTTP/1.1`, `host: ${new URL(url).host}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

interface Head {
  status: number;
  contentLength: number;
  closes: boolean;
}

function parseHead(text: string): Head {
  const [statusLine = '', ...lines] = text.split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1];
  if (status === undefined) throw new Error(`not an HTTP/1.1 status line: ${JSON.stringify(statusLine.slice(0, 80))}`);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  if (headers.has('transfer-encoding'))
    throw new Error(`the answer is sent with Transfer-Encoding: ${headers.get('transfer-encoding')}; this client reads Content-Length bodies only`);
  const length = headers.get('content-length');
  const bodiless = status === '204' || status === '304';
  if (length === undefined && !bodiless) throw new Error(`a ${status} answer without Content-Length`);
  const contentLength = length === undefined ? 0 : Number(length);
  if (!Number.isSafeInteger(contentLength) || contentLength < 0) throw new Error(`Content-Length ${length} is not a byte count`);
  return { status: Number(status), contentLength, closes: headers.get('connection')?.toLowerCase() === 'close' };
}

export class CountingConnection {
  private pending: { resolve: (answer: CountedAnswer) => void; reject: (error: Error) => void } | null = null;
  /** Bytes of a head not complete yet. */
  private head: Buffer | null = null;
  private answer: (CountedAnswer & { remaining: number; closes: boolean }) | null = null;
  private failure: Error | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('the server closed the connection')));
  }

  static open(url: string): Promise<CountingConnection> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      let connection: CountingConnection | undefined;
      // Every read lands in this one buffer. A fresh buffer per read (Node's default) can cost a
      // page fault per 4 KB read, and in a virtual machine those made the same server's rate
      // differ threefold from one client process to the next (bench/README.md).
      const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
      const socket = connect({
        host: hostname,
        port: Number(port),
        noDelay: true,
        onread: {
          buffer,
          callback: (bytes) => {
            connection?.receive(buffer.subarray(0, bytes));
            return true;
          },
        },
      });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        connection = new CountingConnection(socket);
        resolve(connection);
      });
    });
  }

  /** Sends `request` (from getRequestBytes) and resolves with its answer once the whole body arrived. */
  send(request: Buffer): Promise<CountedAnswer> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error('one request at a time on a connection'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(request);
    });
  }

  close(): void {
    this.failure ??= new Error('closed');
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    try {
      let rest = chunk;
      while (rest.length > 0) {
        if (this.answer === null) {
          rest = this.readHead(rest);
          continue;
        }
        const taken = Math.min(this.answer.remaining, rest.length);
        this.answer.remaining -= taken;
        this.answer.bodyBytes += taken;
        rest = rest.subarray(taken);
        if (this.answer.remaining === 0) this.complete();
      }
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
      this.socket.destroy();
    }
  }

  /** Adds `chunk` to the head; once the head is whole, starts the answer and returns the bytes after it. */
  private readHead(chunk: Buffer): Buffer {
    if (this.pending === null) throw new Error(`the server sent ${chunk.length} bytes nobody asked for`);
    const head = this.head === null ? chunk : Buffer.concat([this.head, chunk]);
    const end = head.indexOf(HEAD_END);
    if (end === -1) {
      if (head.length > MAX_HEAD_BYTES) throw new Error(`no end of the answer's headers in ${head.length} bytes`);
      // A copy: the read buffer is used again for the next read.
      this.head = Buffer.from(head);
      return Buffer.alloc(0);
    }
    this.head = null;
    const { status, contentLength, closes } = parseHead(head.toString('latin1', 0, end));
    this.answer = { status, bodyBytes: 0, remaining: contentLength, closes };
    if (contentLength === 0) this.complete();
    return head.subarray(end + HEAD_END.length);
  }

  private complete(): void {
    const { status, bodyBytes, closes } = this.answer!;
    this.answer = null;
    const pending = this.pending!;
    this.pending = null;
    // A server that ends keep-alive would make every later request fail: say why at once.
    if (closes) this.failure = new Error('the server answered Connection: close; the benchmark needs keep-alive');
    pending.resolve({ status, bodyBytes });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const pending = this.pending;
    this.pending = null;
    pending?.reject(error);
  }
}
