import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { merchantReturnLocation, normaliseReturnUrl } from '../../src/domain/return-url.ts';
import { deriveReturnTicketKey, signReturnTicket, verifyReturnTicket } from '../../src/domain/signatures.ts';

describe('normaliseReturnUrl', () => {
  it('answers the WHATWG-normalised form of an absolute http(s) URL', () => {
    expect(normaliseReturnUrl('HTTPS://Shop.Example:443/a/../b?x=1#f')).toEqual({ ok: true, url: 'https://shop.example/b?x=1#f' });
    expect(normaliseReturnUrl('http://shop.example')).toEqual({ ok: true, url: 'http://shop.example/' });
  });

  it('refuses control characters as given, before the parser could drop them', () => {
    for (const control of ['\r', '\n', '\t', '\u0000', '\u001b', '\u007f', '\u009b']) {
      expect(normaliseReturnUrl(`https://shop.example/a${control}b`)).toMatchObject({ ok: false });
    }
  });

  it('refuses what is not an absolute http(s) URL with a host and without credentials', () => {
    for (const bad of ['', '/relative', 'shop.example', 'ftp://shop.example/', 'javascript:alert(1)', 'https://', 'https://u:p@shop.example/', ' https://shop.example/']) {
      expect(normaliseReturnUrl(bad), bad).toMatchObject({ ok: false });
    }
  });

  it('bounds the length as given and once normalised', () => {
    expect(normaliseReturnUrl(`https://shop.example/${'a'.repeat(2027)}`)).toMatchObject({ ok: true });
    expect(normaliseReturnUrl(`https://shop.example/${'a'.repeat(2028)}`)).toMatchObject({ ok: false });
    expect(normaliseReturnUrl(`https://shop.example/${'ü'.repeat(400)}`)).toMatchObject({ ok: false });
  });

  it('is idempotent: a normalised URL normalises to itself', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (raw) => {
        const first = normaliseReturnUrl(raw);
        if (first.ok) expect(normaliseReturnUrl(first.url)).toEqual(first);
      }),
    );
  });
});

describe('merchantReturnLocation', () => {
  const transaction = { globalId: 'VHJhbnNhY3Rpb246YQ==', status: 'CANCELLED' as const };

  it('adds the id and status, keeping the URL\'s own query exactly as written and its fragment', () => {
    expect(merchantReturnLocation('https://shop.example/r?b=2&flag&q=a%20b+c#top', transaction)).toBe(
      'https://shop.example/r?b=2&flag&q=a%20b+c&transactionId=VHJhbnNhY3Rpb246YQ%3D%3D&status=CANCELLED#top',
    );
    expect(merchantReturnLocation('https://shop.example/', transaction)).toBe('https://shop.example/?transactionId=VHJhbnNhY3Rpb246YQ%3D%3D&status=CANCELLED');
  });

  it('replaces same-named parameters, so each of ours appears once', () => {
    const location = new URL(merchantReturnLocation('https://shop.example/r?status=PAID&transactionId=forged&status=x&keep=1', transaction));
    expect(location.searchParams.getAll('status')).toEqual(['CANCELLED']);
    expect(location.searchParams.getAll('transactionId')).toEqual([transaction.globalId]);
    expect(location.searchParams.get('keep')).toBe('1');
  });
});

describe('return tickets', () => {
  const key = deriveReturnTicketKey(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey);
  const other = deriveReturnTicketKey(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey);
  const id = '01938a4e-7c1d-7000-8000-000000000abc';

  it('name the transaction they were made for, with our key only', () => {
    const ticket = signReturnTicket(key, id);
    expect(ticket).toMatch(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
    expect(verifyReturnTicket(key, ticket)).toBe(id);
    expect(verifyReturnTicket(other, ticket)).toBeUndefined();
  });

  it('cannot be moved to another transaction or altered in any character', () => {
    const ticket = signReturnTicket(key, id);
    const [, mac = ''] = ticket.split('.');
    expect(verifyReturnTicket(key, `01938a4e-7c1d-7000-8000-000000000abd.${mac}`)).toBeUndefined();
    for (let index = 0; index < ticket.length; index += 1) {
      const changed = `${ticket.slice(0, index)}${ticket[index] === 'A' ? 'B' : 'A'}${ticket.slice(index + 1)}`;
      expect(verifyReturnTicket(key, changed), changed).not.toBe(id);
    }
    expect(verifyReturnTicket(key, `${ticket}A`)).toBeUndefined();
    expect(verifyReturnTicket(key, ticket.toUpperCase())).toBeUndefined();
  });
});
