import { z } from 'zod';
import { alipayConfig, alipayEnvironment, checkAlipayEnvironment, type AlipayConfig } from './config/alipay.ts';
import { apiConfig, apiEnvironment, type ApiConfig } from './config/api.ts';
import { serverConfig, serverEnvironment, type ServerConfig } from './config/server.ts';
import { storageConfig, storageEnvironment, type StorageConfig } from './config/storage.ts';
import { checkWebhooksEnvironment, webhooksConfig, webhooksEnvironment, type WebhooksConfig } from './config/webhooks.ts';

/**
 * Environment -> one typed, validated configuration, its variables declared by area under src/config/. Every
 * problem is reported as one line naming the variable, so a misconfigured deployment fails at start rather than
 * on the first request.
 */

const environmentSchema = z
  .object({ ...serverEnvironment, ...storageEnvironment, ...apiEnvironment, ...alipayEnvironment, ...webhooksEnvironment })
  .superRefine((env, ctx) => {
    checkWebhooksEnvironment(env, ctx);
    checkAlipayEnvironment(env, ctx);
  });

export type Config = Readonly<ServerConfig & StorageConfig & ApiConfig & AlipayConfig & WebhooksConfig>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = issue?.path.join('.') ?? 'environment';
    throw new ConfigError(`invalid configuration: ${variable} ${issue?.message ?? 'is invalid'}`);
  }
  const environment = parsed.data;
  return {
    ...serverConfig(environment),
    ...storageConfig(environment),
    ...apiConfig(environment),
    ...alipayConfig(environment),
    ...webhooksConfig(environment),
  };
}
