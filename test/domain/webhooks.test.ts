import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import {
  endpointStreaks,
  checkEndpointUrl,
  isAllowedAddress,
  judgeStatusCode,
  newWebhookSecret,
  parseDuration,
  parseRetryAfter,
  retryDelayMs,
  webhookHeaders,
} from '../../src/domain/webhooks.ts';

const message = { id: 'ZXYxOjEyMzoxMjQ', timestamp: Math.floor(Date.now() / 1000), body: '{"type":"transaction.paid","data":{"sequence":4}}' };

describe('Standard Webhooks signatures', () => {
  it('are accepted by the spec authors’ own verifier (standardwebhooks)', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const headers = webhookHeaders(message, [secret]);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(message.body, headers)).toEqual(JSON.parse(message.body));
  });

  it('carry one signature per secret during a rotation, each verifying on its own', () => {
    const [current, previous] = [newWebhookSecret(), newWebhookSecret()];
    const headers = webhookHeaders(message, [current, previous]);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secret of [current, previous]) expect(() => new Webhook(secret).verify(message.body, headers)).not.toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(message.body, headers)).toThrow();
  });

  it('fail when a byte of the body, the id or the timestamp changes', () => {
    const secret = newWebhookSecret();
    const headers = webhookHeaders(message, [secret]);
    const verifier = new Webhook(secret);
    expect(() => verifier.verify(`${message.body} `, headers)).toThrow();
    expect(() => verifier.verify(message.body, { ...headers, 'webhook-id': `${message.id}x` })).toThrow();
    expect(() => verifier.verify(message.body, { ...headers, 'webhook-timestamp': String(message.timestamp - 1) })).toThrow();
  });
});

describe('addresses a webhook may reach', () => {
  it.each([
    ['93.184.216.34', false, true],
    ['2606:2800:220:1:248:1893:25c8:1946', false, true],
    ['127.0.0.1', false, false],
    ['127.0.0.1', true, true],
    ['::1', true, true],
    ['10.1.2.3', true, false],
    ['172.16.0.1', false, false],
    ['192.168.1.1', false, false],
    ['169.254.169.254', true, false],
    ['100.64.0.1', false, false],
    ['0.0.0.0', true, false],
    ['::', false, false],
    ['fe80::1', false, false],
    ['fd00::1', false, false],
    ['::ffff:127.0.0.1', false, false],
    ['::ffff:10.0.0.1', true, false],
    ['224.0.0.1', false, false],
    ['255.255.255.255', false, false],
    ['not an address', true, false],
  ])('%s (loopback allowed: %s) -> %s', (address, allowLoopback, allowed) => {
    expect(isAllowedAddress(address, allowLoopback)).toBe(allowed);
  });

  it('endpoint URLs: https on a public host; http and loopback only when local receivers are allowed', () => {
    expect(checkEndpointUrl('https://hooks.shop.example/paystream', false)).toMatchObject({ ok: true });
    expect(checkEndpointUrl('http://hooks.shop.example/', false)).toEqual({ ok: false, problem: 'must be an https:// URL' });
    expect(checkEndpointUrl('http://127.0.0.1:9000/', true)).toMatchObject({ ok: true });
    for (const url of ['https://127.0.0.1/', 'https://[::1]/', 'https://0x7f.1/', 'https://2130706433/', 'https://[::ffff:7f00:1]/', 'https://169.254.169.254/latest']) {
      expect(checkEndpointUrl(url, false), url).toMatchObject({ ok: false, problem: expect.stringContaining('private, loopback') });
    }
    expect(checkEndpointUrl('https://10.0.0.1/', true)).toMatchObject({ ok: false });
    expect(checkEndpointUrl('https://user:pw@hooks.shop.example/', false)).toMatchObject({ ok: false, problem: expect.stringContaining('credentials') });
    expect(checkEndpointUrl('https://hooks.shop.example/#x', false)).toMatchObject({ ok: false, problem: expect.stringContaining('fragment') });
    expect(checkEndpointUrl('ftp://hooks.shop.example/', true)).toMatchObject({ ok: false });
    expect(checkEndpointUrl('/relative', true)).toEqual({ ok: false, problem: 'must be an absolute URL' });
    expect(checkEndpointUrl(`https://hooks.shop.example/${'a'.repeat(2048)}`, false)).toMatchObject({ ok: false });
  });
});

describe('retries', () => {
  const schedule = loadConfig({ NODE_ENV: 'test' }).webhooks.retryScheduleMs;

  it('the default schedule makes 10 attempts spanning about three days', () => {
    expect(schedule).toHaveLength(9);
    const total = schedule.reduce((sum, step) => sum + step, 0);
    expect(total / 86_400_000).toBeGreaterThan(3);
    expect(total / 86_400_000).toBeLessThan(3.5);
  });

  it('waits each step with ±10% jitter, and gives up once the schedule is used up', () => {
    expect(retryDelayMs(1, schedule, undefined, () => 0)).toBe(4_500);
    expect(retryDelayMs(1, schedule, undefined, () => 1)).toBe(5_500);
    expect(retryDelayMs(9, schedule, undefined, () => 0.5)).toBe(86_400_000);
    expect(retryDelayMs(10, schedule, undefined)).toBeUndefined();
  });

  it('honours a longer Retry-After, capped at the longest step', () => {
    expect(retryDelayMs(1, schedule, 60_000, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(2, schedule, 1_000, () => 0.5)).toBe(300_000);
    expect(retryDelayMs(1, schedule, 10 * 86_400_000, () => 0.5)).toBe(86_400_000);
    const now = new Date('2026-12-06T12:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 06 Dec 2026 12:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('2xx succeeds, 410 means gone, everything else (3xx, 4xx, 5xx, no answer) is retried', () => {
    expect([200, 204, 299].map(judgeStatusCode)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect([301, 400, 404, 429, 500, 503, undefined].map(judgeStatusCode)).toEqual(Array(7).fill('retry'));
    expect(judgeStatusCode(410)).toBe('gone');
  });

  it('durations and schedules in the settings', () => {
    expect([parseDuration('500ms'), parseDuration('5s'), parseDuration('30m'), parseDuration('2h'), parseDuration('5d')]).toEqual([500, 5_000, 1_800_000, 7_200_000, 432_000_000]);
    expect(parseDuration('5 weeks')).toBeUndefined();
    expect(loadConfig({ NODE_ENV: 'test', WEBHOOK_RETRY_SCHEDULE: '50ms,1s', WEBHOOK_DISABLE_AFTER: '1h' }).webhooks).toMatchObject({ retryScheduleMs: [50, 1000], disableAfterMs: 3_600_000 });
    expect(() => loadConfig({ WEBHOOK_RETRY_SCHEDULE: '5s,soon' })).toThrow('WEBHOOK_RETRY_SCHEDULE must be 1 to 30 comma-separated durations');
    expect(() => loadConfig({ WEBHOOK_DISABLE_AFTER: 'x' })).toThrow('WEBHOOK_DISABLE_AFTER must be a duration');
    expect(() => loadConfig({ NODE_ENV: 'production', WEBHOOK_ALLOW_LOCAL_RECEIVERS: 'true' })).toThrow('WEBHOOK_ALLOW_LOCAL_RECEIVERS must not be true in production');
  });
});

describe('failure streaks from a batch of attempts (in the order they ended)', () => {
  const at = (second: number) => new Date(Date.UTC(2026, 11, 6, 12, 0, second));
  it('a success ends the streak; failures with no success before them continue the endpoint’s streak; after a success, a new one starts', () => {
    const streaks = endpointStreaks([
      { endpointId: 'a', attemptedAt: at(1), succeeded: false, disableReason: null },
      { endpointId: 'b', attemptedAt: at(1), succeeded: false, disableReason: null },
      { endpointId: 'a', attemptedAt: at(2), succeeded: false, disableReason: null },
      { endpointId: 'b', attemptedAt: at(2), succeeded: true, disableReason: null },
      { endpointId: 'c', attemptedAt: at(2), succeeded: true, disableReason: null },
      { endpointId: 'b', attemptedAt: at(3), succeeded: false, disableReason: null },
      { endpointId: 'b', attemptedAt: at(4), succeeded: false, disableReason: 'the receiver answered 410 Gone' },
    ]);
    expect(streaks).toEqual([
      { endpointId: 'a', failingSince: at(1), continuesEarlier: true, disableReason: null, disabledAt: at(1) },
      { endpointId: 'b', failingSince: at(3), continuesEarlier: false, disableReason: 'the receiver answered 410 Gone', disabledAt: at(4) },
      { endpointId: 'c', failingSince: null, continuesEarlier: false, disableReason: null, disabledAt: at(2) },
    ]);
  });
});
