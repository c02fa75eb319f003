/**
 * What an API key may look like: the characters an `Authorization: Bearer <key>` header carries (RFC 6750's
 * token68, plus `_` and `~`) and a bounded length. Authentication parses headers with it, and configuration
 * refuses an ADMIN_API_KEY outside it, since such a key could be stored but never presented.
 */

export const API_KEY_CHARACTERS = 'A-Za-z0-9_\\-.~+/=';
export const API_KEY_MIN_LENGTH = 16;
export const API_KEY_MAX_LENGTH = 256;

/** `Authorization: Bearer <key>`: the scheme is case-insensitive and followed by one or more spaces (RFC 7235); the key is not. */
export const BEARER_AUTHORIZATION = new RegExp(`^Bearer +([${API_KEY_CHARACTERS}]{${API_KEY_MIN_LENGTH},${API_KEY_MAX_LENGTH}})$`, 'i');

/** True when `secret` could be presented as a bearer key, and is at least `minLength` long. */
export function isPresentableApiKey(secret: string, minLength: number = API_KEY_MIN_LENGTH): boolean {
  return secret.length >= minLength && secret.length <= API_KEY_MAX_LENGTH && new RegExp(`^[${API_KEY_CHARACTERS}]*$`).test(secret);
}
