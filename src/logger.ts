import pino from 'pino';

/** Structured JSON logs. Secrets never reach them: these paths are redacted wherever they appear. */
export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return pino(
    {
      level,
      base: { service: 'paystream' },
      redact: {
        paths: [
          'authorization',
          'headers.authorization',
          'req.headers.authorization',
          'secret',
          'apiKey',
          'signature',
          'body',
          'rawBody',
          '*.secret',
          '*.authorization',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

export type Logger = pino.Logger;
