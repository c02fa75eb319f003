// Identifiers as the API shows them. Pure, so services and providers can read the ids merchants and
// internal senders quote back to us without depending on the GraphQL layer.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Standard base64 with padding: exactly what encodeGlobalId produces, nothing more lenient.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** No row ever has the nil UUID: a malformed id therefore reads exactly like an absent one. */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * The API's global id: base64 of `<Type>:<id>`, the Relay encoding Pothos uses for every Node (a test proves
 * the two agree).
 */
export function encodeGlobalId(typename: string, id: string): string {
  return Buffer.from(`${typename}:${id}`, 'utf8').toString('base64');
}

/** The database id (lower-case uuid) behind a global id of `typename`, or undefined when it is not one. */
export function decodeGlobalId(globalId: string, typename: string): string | undefined {
  if (globalId.length === 0 || globalId.length > 200 || !BASE64.test(globalId)) return undefined;
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator <= 0 || decoded.slice(0, separator) !== typename) return undefined;
  const id = decoded.slice(separator + 1);
  return isUuid(id) ? id.toLowerCase() : undefined;
}
