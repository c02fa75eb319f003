import { z } from 'zod';
import { integer, optionalString, origins, port, type EnvironmentOf } from './parsers.ts';

/** The process itself: where it listens, how it logs, how long it may take to stop, who may read its metrics. */
export const serverEnvironment = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_BASE_URL: optionalString.refine((value) => value === undefined || URL.canParse(value), 'must be an absolute URL'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Browser origins answered with CORS headers on /graphql; unset: none (GraphiQL is same-origin).
  CORS_ORIGINS: origins,
  METRICS_TOKEN: optionalString.refine((value) => value === undefined || value.length >= 16, 'must be at least 16 characters'),
  SHUTDOWN_TIMEOUT_SECONDS: integer(1, 600).default(10),
};

export type ServerConfig = {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** Where consumers and Alipay reach us; defaults to http://HOST:PORT. */
  publicBaseUrl: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Origins whose browser pages may call /graphql (CORS); empty: no CORS headers for anyone. */
  corsOrigins: readonly string[];
  /** Bearer token for GET /metrics; unset: /metrics answers loopback clients only. */
  metricsToken: string | undefined;
  /** Upper bound for a graceful shutdown (drain in-flight requests, close subscriptions and the database). */
  shutdownTimeoutSeconds: number;
};

export function serverConfig(env: EnvironmentOf<typeof serverEnvironment>): ServerConfig {
  return {
    nodeEnv: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    publicBaseUrl: env.PUBLIC_BASE_URL,
    logLevel: env.LOG_LEVEL,
    corsOrigins: env.CORS_ORIGINS,
    metricsToken: env.METRICS_TOKEN,
    shutdownTimeoutSeconds: env.SHUTDOWN_TIMEOUT_SECONDS,
  };
}
