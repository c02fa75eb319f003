import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('production settings in the configuration', () => {
  it('has defaults that leave every client operation inside the limits', () => {
    const config = loadConfig({});
    expect(config.graphqlLimits).toEqual({ maxDepth: 8, maxCost: 30_000, maxAliases: 15, maxDirectives: 20, maxTokens: 1_000, maxPageSize: 100, maxNodeIds: 100 });
    expect(config.corsOrigins).toEqual([]);
    expect(config.rateLimit).toEqual({ requests: 6000, windowSeconds: 60 });
    expect(config.redisKeyPrefix).toBe('paystream:');
    expect(config.metricsToken).toBeUndefined();
    expect(config.shutdownTimeoutSeconds).toBe(10);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      GRAPHQL_MAX_DEPTH: '5',
      GRAPHQL_MAX_COST: '1000',
      GRAPHQL_MAX_ALIASES: '0',
      GRAPHQL_MAX_DIRECTIVES: '3',
      GRAPHQL_MAX_TOKENS: '200',
      GRAPHQL_MAX_PAGE_SIZE: '50',
      GRAPHQL_MAX_NODE_IDS: '7',
      CORS_ORIGINS: 'https://shop.example, http://localhost:3000',
      RATE_LIMIT_REQUESTS: '0',
      RATE_LIMIT_WINDOW_SECONDS: '1',
      REDIS_KEY_PREFIX: 'tenant-a:',
      METRICS_TOKEN: 'a-long-enough-token',
      SHUTDOWN_TIMEOUT_SECONDS: '30',
    });
    expect(config.graphqlLimits).toEqual({ maxDepth: 5, maxCost: 1000, maxAliases: 0, maxDirectives: 3, maxTokens: 200, maxPageSize: 50, maxNodeIds: 7 });
    expect(config.corsOrigins).toEqual(['https://shop.example', 'http://localhost:3000']);
    expect(config.rateLimit).toEqual({ requests: 0, windowSeconds: 1 });
    expect(config.redisKeyPrefix).toBe('tenant-a:');
    expect(config.metricsToken).toBe('a-long-enough-token');
    expect(config.shutdownTimeoutSeconds).toBe(30);
  });

  it.each([
    ['GRAPHQL_MAX_DEPTH', '0', 'must be a whole number from 1 to 100'],
    ['GRAPHQL_MAX_PAGE_SIZE', '5000', 'must be a whole number from 1 to 1000'],
    ['GRAPHQL_MAX_TOKENS', '1.5', 'must be a whole number of at least 1'],
    ['RATE_LIMIT_REQUESTS', '-1', 'must be a whole number of at least 0'],
    ['RATE_LIMIT_WINDOW_SECONDS', 'a minute', 'must be a whole number from 1 to 86400'],
    ['REDIS_KEY_PREFIX', 'has space', 'must be up to 64 characters'],
    ['METRICS_TOKEN', 'short', 'must be at least 16 characters'],
    ['SHUTDOWN_TIMEOUT_SECONDS', '0', 'must be a whole number from 1 to 600'],
    ['PORT', 'abc', 'must be a whole number from 0 to 65535'],
    // ADMIN_API_KEY values no Authorization: Bearer header can carry (test/security/authentication.test.ts sweeps them).
    ['ADMIN_API_KEY', 'an admin key with spaces in it', 'must be 24 to 256 characters of A-Z a-z 0-9 - . _ ~ + / ='],
    ['ADMIN_API_KEY', 'psk_admin_key_with_a_comma,0123', 'must be 24 to 256 characters of A-Z a-z 0-9 - . _ ~ + / ='],
    ['ADMIN_API_KEY', 'k'.repeat(300), 'must be 24 to 256 characters of A-Z a-z 0-9 - . _ ~ + / ='],
    ['ADMIN_API_KEY', 'too-short-for-an-admin', 'must be 24 to 256 characters of A-Z a-z 0-9 - . _ ~ + / ='],
  ])('%s=%j is refused with one line naming it', (variable, value, message) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(`invalid configuration: ${variable} ${message}`);
  });
});

describe('the sandbox in production (#13.1)', () => {
  const gateway = { ALIPAY_GATEWAY_URL: 'https://openapi.alipay.example/gateway.do', ALIPAY_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----x', ALIPAY_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----x' };

  it('refuses NODE_ENV=production without a gateway, naming the variable and the explicit way out', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /^invalid configuration: ALIPAY_GATEWAY_URL must be set when NODE_ENV=production: .* \(set SANDBOX_IN_PRODUCTION=true to run the sandbox in production anyway\)$/,
    );
    expect(() => loadConfig({ NODE_ENV: 'production', SANDBOX_IN_PRODUCTION: 'false' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', SANDBOX_IN_PRODUCTION: 'yes' })).toThrow('invalid configuration: SANDBOX_IN_PRODUCTION must be true or false');
  });

  it('runs the sandbox in production only when SANDBOX_IN_PRODUCTION=true; a real gateway or another NODE_ENV needs nothing', () => {
    expect(loadConfig({ NODE_ENV: 'production', SANDBOX_IN_PRODUCTION: 'true' }).alipay.gatewayUrl).toBeUndefined();
    expect(loadConfig({ NODE_ENV: 'production', ...gateway }).alipay.gatewayUrl).toBe(gateway.ALIPAY_GATEWAY_URL);
    expect(loadConfig({ NODE_ENV: 'development' }).alipay.gatewayUrl).toBeUndefined();
  });
});
