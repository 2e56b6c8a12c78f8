import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CountingConnection, getRequestBytes } from './counting-client';

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function open(url: string): Promise<CountingConnection> {
  const connection = await CountingConnection.open(url);
  closers.push(() => connection.close());
  return connection;
}

/** A TCP server that answers each request with `answers(n)` written in the given pieces, `gapMs` apart. */
async function rawServer(answers: (index: number) => string[], gapMs = 5): Promise<{ url: string; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createTcpServer((socket) => {
    sockets.push(socket);
    let index = 0;
    socket.on('data', async () => {
      for (const piece of answers(index++)) {
        socket.write(piece);
        await new Promise((resolve) => setTimeout(resolve, gapMs));
      }
    });
  });
  closers.push(() => {
    for (const socket of sockets) socket.destroy();
  });
  return { url: await listen(server), sockets };
}

describe('CountingConnection', () => {
  it('counts answers of Node’s HTTP server on one keep-alive connection, bodies of any size skipped whole', async () => {
    const big = Buffer.alloc(300_000, 'x');
    const seen: { url: string | undefined; authorization: string | undefined; socket: unknown }[] = [];
    const url = await listen(
      createHttpServer((request, response) => {
        seen.push({ url: request.url, authorization: request.headers.authorization, socket: request.socket });
        if (request.url === '/big') response.writeHead(200, { 'content-length': big.length }).end(big);
        else if (request.headers['if-none-match'] === '"t"') response.writeHead(304, { etag: '"t"' }).end();
        else response.writeHead(404, { 'content-length': 2 }).end('no');
      }),
    );
    const connection = await open(url);
    const headers = { authorization: 'Bearer abc' };
    expect(await connection.send(getRequestBytes(url, '/big', headers))).toEqual({ status: 200, bodyBytes: 300_000 });
    expect(await connection.send(getRequestBytes(url, '/x', { 'if-none-match': '"t"' }))).toEqual({ status: 304, bodyBytes: 0 });
    expect(await connection.send(getRequestBytes(url, '/missing'))).toEqual({ status: 404, bodyBytes: 2 });
    expect(await connection.send(getRequestBytes(url, '/big'))).toEqual({ status: 200, bodyBytes: 300_000 });
    expect(seen.map(({ url }) => url)).toEqual(['/big', '/x', '/missing', '/big']);
    expect(seen[0]!.authorization).toBe('Bearer abc');
    expect(new Set(seen.map(({ socket }) => socket)).size).toBe(1);
  });

  it('reads a head split anywhere, even inside its blank line, and a body that starts in the head’s packet', async () => {
    const { url } = await rawServer(() => ['HTTP/1.1 200 OK\r\nContent-Le', 'ngth: 10\r\n\r', '\nabc', 'defghij']);
    const connection = await open(url);
    expect(await connection.send(getRequestBytes(url, '/'))).toEqual({ status: 200, bodyBytes: 10 });
    expect(await connection.send(getRequestBytes(url, '/'))).toEqual({ status: 200, bodyBytes: 10 });
  });

  it('fails, saying why, on what it does not read: chunked bodies, no length, not HTTP/1.1', async () => {
    const cases: [string, RegExp][] = [
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n', /Transfer-Encoding: chunked.*Content-Length bodies only/],
      ['HTTP/1.1 200 OK\r\n\r\nabc', /a 200 answer without Content-Length/],
      ['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n', /not an HTTP\/1.1 status line/],
    ];
    for (const [answer, message] of cases) {
      const { url } = await rawServer(() => [answer]);
      const connection = await open(url);
      await expect(connection.send(getRequestBytes(url, '/'))).rejects.toThrow(message);
    }
  });

  it('fails after an answer followed by bytes nobody asked for', async () => {
    const { url } = await rawServer(() => ['HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab']);
    const connection = await open(url);
    expect(await connection.send(getRequestBytes(url, '/'))).toEqual({ status: 200, bodyBytes: 1 });
    await expect(connection.send(getRequestBytes(url, '/'))).rejects.toThrow('the server sent 1 bytes nobody asked for');
  });

  it('fails the request in flight when the server drops the connection mid-body, and every later one', async () => {
    const { url, sockets } = await rawServer(() => ['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial']);
    const connection = await open(url);
    const answer = connection.send(getRequestBytes(url, '/'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    sockets[0]!.destroy();
    await expect(answer).rejects.toThrow('the server closed the connection');
    await expect(connection.send(getRequestBytes(url, '/'))).rejects.toThrow('the server closed the connection');
  });

  it('stops after an answer that closes the connection, saying keep-alive is needed', async () => {
    const { url } = await rawServer(() => ['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok']);
    const connection = await open(url);
    expect(await connection.send(getRequestBytes(url, '/'))).toEqual({ status: 200, bodyBytes: 2 });
    await expect(connection.send(getRequestBytes(url, '/'))).rejects.toThrow('the benchmark needs keep-alive');
  });
});
