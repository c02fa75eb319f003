import { decodeGlobalID } from '@pothos/plugin-relay';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** No row ever has the nil UUID: a malformed id therefore reads exactly like an absent one. */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** The database id behind a global id of `typename`, or undefined when it is not one. */
export function parseGlobalId(globalId: string, typename: string): string | undefined {
  try {
    const decoded = decodeGlobalID(globalId);
    return decoded.typename === typename && isUuid(decoded.id) ? decoded.id.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}
