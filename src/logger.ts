import pino from 'pino';
import pretty from 'pino-pretty';

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

/**
 * Where a process's logs go: JSON lines for machines (log shippers, `| jq`), and the same lines made readable
 * when `stream` is a terminal (one line each, local time, level in colour; written synchronously, so nothing is
 * lost when the process exits right after a line).
 */
export function logDestination(stream: NodeJS.WriteStream = process.stdout): pino.DestinationStream | undefined {
  // Not a terminal: stdout stays pino's own fast writer on fd 1.
  if (!stream.isTTY) return stream === process.stdout ? undefined : stream;
  return pretty({ destination: stream, colorize: true, sync: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
}

export type Logger = pino.Logger;
