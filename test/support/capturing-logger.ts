import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';

// A logger at `level` (default debug) that keeps every line it writes, for tests that check what
// reaches the log (and that no secret does).

export function capturingLogger(level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino(
    { level },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  return { logger, lines };
}
