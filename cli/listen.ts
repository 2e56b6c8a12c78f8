import { createServer } from 'node:net';
import { CliExit, ExitCode } from './exit-codes';

// A port that is taken printed a raw stack trace (`sim`) or `listen EADDRINUSE … 127.0.0.1:8900`
// without saying which part wanted it (`start` runs four). Every listening part is started
// through here, so the message names the part and the flag that moves it.

/** Runs `start`; a port in use or refused becomes a usage error naming `part` and `flag`. */
export async function listenAs<T>(part: string, flag: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    const { code, address, port } = error as NodeJS.ErrnoException & { address?: string; port?: number };
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
    const where = address !== undefined && port !== undefined ? `${address}:${port}` : 'its port';
    const why = code === 'EADDRINUSE' ? 'the port is already in use' : 'permission denied';
    throw new CliExit(ExitCode.usage, `the ${part} cannot listen on ${where}: ${why}; choose another port with ${flag}`);
  }
}

/** Listens on `port` and lets go at once: for a part started as a child process, whose own message would name its own flag. */
export function probePort(port: number, host = '127.0.0.1'): Promise<void> {
  if (port === 0) return Promise.resolve();
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => server.close(() => resolve()));
  });
}
