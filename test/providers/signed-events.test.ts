import { describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/domain/ids.ts';
import { parseSignedEvent } from '../../src/providers/signed-events.ts';

const id = '0190f0f0-1234-7abc-8def-0123456789ab';
const envelope = (overrides: Record<string, unknown> = {}, payment: Record<string, unknown> = {}) =>
  Buffer.from(
    JSON.stringify({
      id: 'evt_1',
      type: 'payment.captured',
      created: '2026-11-26T12:00:00Z',
      payment: { id: encodeGlobalId('Transaction', id), status: 'CAPTURED', providerReference: 'psp-9', amount: { value: '19.99', currency: 'EUR' }, ...payment },
      ...overrides,
    }),
  );

describe('parseSignedEvent', () => {
  it('normalises the envelope', () => {
    expect(parseSignedEvent(envelope())).toEqual({
      ok: true,
      notification: {
        sender: 'SIGNED_EVENT',
        externalId: 'evt_1',
        eventType: 'payment.captured',
        transactionReference: encodeGlobalId('Transaction', id),
        transactionId: id,
        target: 'CAPTURED',
        source: 'PROVIDER_NOTIFICATION',
        amount: { minorUnits: 1999n, currency: 'EUR' },
        providerReference: 'psp-9',
        reason: null,
      },
    });
  });

  it('takes payment.paid as settlement', () => {
    expect(parseSignedEvent(envelope({ type: 'payment.paid' }, { status: 'PAID' }))).toMatchObject({ ok: true, notification: { target: 'PAID', source: 'SETTLEMENT' } });
  });

  it('lets a rejection go without an amount but not a capture', () => {
    expect(parseSignedEvent(envelope({ type: 'payment.rejected' }, { status: 'REJECTED', amount: null }))).toMatchObject({ ok: true });
    expect(parseSignedEvent(envelope({}, { amount: undefined }))).toMatchObject({ ok: false, error: expect.stringMatching(/amount is required/) });
  });

  it.each([
    [envelope({ type: 'payment.paid' }), /does not match/],
    [envelope({ created: 'yesterday' }), /created/],
    [envelope({ id: '' }), /^id/],
    [envelope({}, { status: 'captured' }), /payment\.status/],
    [envelope({}, { amount: { value: '19.999', currency: 'EUR' } }), /payment\.amount/],
    [envelope({}, { amount: { value: '-1', currency: 'EUR' } }), /out of range/],
    [Buffer.from('null'), /body|expected object/i],
    [Buffer.from('{"id":'), /not JSON/],
    [Buffer.from([0x7b, 0xff, 0x7d]), /UTF-8/],
  ])('refuses %#', (body, message) => {
    const parsed = parseSignedEvent(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });
});
