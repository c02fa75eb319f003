import pino from 'pino';

/**
 * Structured JSON logs. A request's completion line and its masked errors carry its request id, merchant id
 * and operation name; the route handlers' own lines carry the request id (src/observability/request-context.ts).
 * Secrets never reach the logs: nothing logs
 * headers or bodies, and as a second line of defence these paths are redacted wherever they appear.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return pino(
    {
      level,
      base: { service: 'paystream' },
      redact: {
        paths: [
          'authorization',
          'headers',
          'req.headers',
          'secret',
          'apiKey',
          'signature',
          'sign',
          'body',
          'rawBody',
          'variables',
          'params',
          '*.secret',
          '*.authorization',
          '*.signature',
          '*.sign',
          '*.body',
          '*.rawBody',
          '*.headers',
          '*.variables',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

export type Logger = pino.Logger;
