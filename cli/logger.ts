import { pino, type Logger } from 'pino';

/** JSON log lines on stdout. Secrets are redacted by path in case an object carrying one is logged. */
export function createLogger(level: string, name: string): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: ['token', '*.token', 'fastly.token', 'apiTokens', 'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization', '*.headers["fastly-key"]'],
      censor: '[redacted]',
    },
  });
}
