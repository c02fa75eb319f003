import pino from 'pino';

/**
 * Structured JSON logs. Lines about a request carry its request id, merchant id and operation name
 * (src/observability/request-context.ts). Secrets never reach the logs: nothing logs
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
