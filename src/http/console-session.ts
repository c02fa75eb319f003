import type { IncomingMessage } from 'node:http';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { sessionOf } from '../services/console-sessions.ts';
import { authenticate, type Actor } from '../services/merchants.ts';

/**
 * The console's session cookie on the wire, and the one way every HTTP entry point authenticates a request:
 * `Authorization: Bearer <key>` when the request has an Authorization header (a wrong one is never rescued by a
 * cookie), else the session cookie. The cookie is httpOnly, SameSite=Strict, Path=/ (it serves /graphql and
 * /reports/* too), Secure when the console is served over https. CSRF on cookie-authenticated requests is the
 * CSRF plugin's rule (plugins/csrf.ts counts a cookie as a credential) plus SameSite=Strict; the session routes
 * and WebSocket upgrades check the Origin as well.
 */

export const SESSION_COOKIE = 'paystream_session';

/** How the credential sweep names a session (a Bearer authorization never starts so). */
const SESSION_CREDENTIAL_PREFIX = 'Session ';

export function sessionCredential(token: string): string {
  return `${SESSION_CREDENTIAL_PREFIX}${token}`;
}

/** The session token of a sweep credential, or undefined for a Bearer authorization. */
export function tokenOfSessionCredential(credential: string): string | undefined {
  return credential.startsWith(SESSION_CREDENTIAL_PREFIX) ? credential.slice(SESSION_CREDENTIAL_PREFIX.length) : undefined;
}

/** The session token in a Cookie header, if any. */
export function sessionTokenOf(cookieHeader: string | null | undefined): string | undefined {
  for (const pair of (cookieHeader ?? '').split(';')) {
    const separator = pair.indexOf('=');
    if (separator > 0 && pair.slice(0, separator).trim() === SESSION_COOKIE) return pair.slice(separator + 1).trim();
  }
  return undefined;
}

/** Secure cookies when the public URL is https or the request came over TLS. */
export function servedOverHttps(config: Config, request: IncomingMessage): boolean {
  return config.publicBaseUrl?.startsWith('https:') === true || (request.socket as { encrypted?: boolean }).encrypted === true;
}

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

/**
 * True unless the request names another origin than the host it was sent to. Browsers send Origin on every
 * cross-origin request, on same-origin POST/DELETE and on WebSocket upgrades; a client that sends none is not a
 * browser acting for a foreign page.
 */
export function fromSameOrigin(headers: { origin?: string | undefined; host?: string | undefined }): boolean {
  if (headers.origin === undefined) return true;
  try {
    return new URL(headers.origin).host === headers.host;
  } catch {
    return false;
  }
}

export type AuthenticatedRequest = {
  actor: Actor;
  /** What the credential sweep re-checks while a stream stays open: the authorization, or the session. */
  credential: string;
};

/**
 * The caller of a request: its Bearer key when it sends an Authorization header, else its console session. A
 * publishable key counts only where `publishable` says a browser may use one (/graphql).
 */
export async function authenticateRequest(
  db: Database,
  headers: { authorization: string | null | undefined; cookie: string | null | undefined },
  options: { publishable?: boolean } = {},
): Promise<AuthenticatedRequest | null> {
  if (headers.authorization !== null && headers.authorization !== undefined) {
    const actor = await authenticate(db, headers.authorization, options);
    return actor ? { actor, credential: headers.authorization } : null;
  }
  const token = sessionTokenOf(headers.cookie);
  if (token === undefined) return null;
  const session = await sessionOf(db, token);
  return session ? { actor: session.actor, credential: sessionCredential(token) } : null;
}
