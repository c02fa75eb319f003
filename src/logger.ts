import pino from 'pino';
import { requestLogFields } from './observability/request-context.ts';

/**
 * Structured JSON logs. While a request is served every line carries its request id, merchant id and
 * operation name (src/observability/request-context.ts). Secrets never reach the logs: nothing logs
 * headers or bodies, and as a second line of defence these paths are redacted wherever they appear.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return pino(
    {
      level,
      base: { service: 'paystream' },
      mixin: () => {
        const fields: Record<string, string> = {};
        for (const [key, value] of Object.entries(requestLogFields())) if (value !== undefined) fields[key] = value;
        return fields;
      },
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
