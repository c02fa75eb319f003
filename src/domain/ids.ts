// Identifiers as the API shows them: the one module that encodes and decodes global ids (the GraphQL layer,
// services, providers, routes and the CLI all use it). Pure, so services and providers can read the ids
// merchants and internal senders quote back to us without depending on the GraphQL layer.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Standard base64 with padding: exactly what encodeGlobalId produces, nothing more lenient.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const TYPENAME = /^[A-Z][A-Za-z0-9]*$/;

/** No row ever has the nil UUID: a malformed id therefore reads exactly like an absent one. */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * The API's global id: base64 of `<Type>:<id>`, the Relay encoding. The schema builder is configured with
 * this function, so every Node id and every id a route or the CLI prints is made here.
 */
export function encodeGlobalId(typename: string, id: string): string {
  return Buffer.from(`${typename}:${id}`, 'utf8').toString('base64');
}

export type GlobalId = { typename: string; id: string };

/**
 * The type and database id (lower-case uuid) behind a global id, or undefined when it is not one of ours
 * (bad base64, no type, not a uuid). Whether the type exists is the caller's question.
 */
export function readGlobalId(globalId: string): GlobalId | undefined {
  if (globalId.length === 0 || globalId.length > 200 || !BASE64.test(globalId)) return undefined;
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  const typename = decoded.slice(0, separator);
  const id = decoded.slice(separator + 1);
  if (separator <= 0 || !TYPENAME.test(typename) || !isUuid(id)) return undefined;
  return { typename, id: id.toLowerCase() };
}

/** The database id (lower-case uuid) behind a global id of `typename`, or undefined when it is not one. */
export function decodeGlobalId(globalId: string, typename: string): string | undefined {
  const decoded = readGlobalId(globalId);
  return decoded?.typename === typename ? decoded.id : undefined;
}
