import { type Logger, pino } from 'pino';

/**
 * JSON log lines on stdout. Secrets are redacted by path in case an object carrying one is logged.
 * Written synchronously: pino's exit-time flush of an asynchronous stdout spins forever once the
 * reader is gone (EPIPE), which kept a `serve` whose `start` parent had died from ever exiting;
 * a synchronous write reports EPIPE at once and pino then stops logging.
 */
export function createLogger(level: string, name: string): Logger {
  return pino(
    {
      name,
      level,
      redact: {
        paths: [
          'token',
          '*.token',
          'fastly.token',
          'apiTokens',
          'authorization',
          '*.authorization',
          'headers.authorization',
          '*.headers.authorization',
          '*.headers["fastly-key"]',
        ],
        censor: '[redacted]',
      },
    },
    pino.destination({ dest: 1, sync: true }),
  );
}
