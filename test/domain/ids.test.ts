import { encodeGlobalID } from '@pothos/plugin-relay';
import { describe, expect, it } from 'vitest';
import { decodeGlobalId, encodeGlobalId, isUuid, readGlobalId } from '../../src/domain/ids.ts';

const id = '0190f0f0-1234-7abc-8def-0123456789ab';

describe('global ids', () => {
  it('encode exactly as the Relay convention (Pothos relay) does', () => {
    expect(encodeGlobalId('Transaction', id)).toBe(encodeGlobalID('Transaction', id));
  });

  it('decode to the lower-case uuid of the named type only', () => {
    expect(decodeGlobalId(encodeGlobalId('Transaction', id), 'Transaction')).toBe(id);
    expect(decodeGlobalId(encodeGlobalId('Transaction', id.toUpperCase()), 'Transaction')).toBe(id);
    expect(decodeGlobalId(encodeGlobalId('Merchant', id), 'Transaction')).toBeUndefined();
    expect(decodeGlobalId(encodeGlobalId('Transaction', 'not-a-uuid'), 'Transaction')).toBeUndefined();
    for (const malformed of ['', 'not base64!', id, 'VHJhbnNhY3Rpb24', encodeGlobalId('Transaction', `${id}:x`), 'A'.repeat(400)]) {
      expect(decodeGlobalId(malformed, 'Transaction')).toBeUndefined();
    }
  });

  it('read the type and id of any global id, and nothing of a malformed one', () => {
    expect(readGlobalId(encodeGlobalId('Merchant', id.toUpperCase()))).toEqual({ typename: 'Merchant', id });
    for (const malformed of ['', 'garbage', encodeGlobalId('', id), encodeGlobalId('lower', id), encodeGlobalId('Bad Type', id), encodeGlobalId('Merchant', '')]) {
      expect(readGlobalId(malformed)).toBeUndefined();
    }
  });

  it('knows a uuid', () => {
    expect(isUuid(id)).toBe(true);
    expect(isUuid(`${id}0`)).toBe(false);
  });
});
