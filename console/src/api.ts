import type { TypedDocumentString } from './generated/graphql.ts';

/**
 * The console's only ways to reach the server: its session (/console/session), GraphQL over HTTP (POST JSON, so
 * the CSRF rule of the server is met) and the CSV downloads. The API key is sent once, to sign in; after that the
 * browser's httpOnly session cookie authenticates everything, and this code never sees it.
 */

/** MERCHANT_READ_ONLY: a merchant's read-only key (it views everything of its merchant and changes nothing). */
export type Role = 'ADMIN' | 'MERCHANT' | 'MERCHANT_READ_ONLY';
export type Session = { role: Role; merchant: { id: string; name: string } | null; expiresAt: string };

/** A read-only session: every button that would change something is disabled (the API refuses it anyway). */
export function readOnly(session: Session): boolean {
  return session.role === 'MERCHANT_READ_ONLY';
}

/** Shown beside a disabled button of a read-only session. */
export const READ_ONLY_REASON = 'Signed in with a read-only key: nothing can be changed';

/** A refusal the console shows as it is: the server's message and its code. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** A mutation result union's typed refusal (ValidationError, NotFoundError, ...) as an error to show; undefined on success. */
export function refusal(result: { __typename?: string; message?: string; code?: string }): ApiError | undefined {
  return result.message !== undefined ? new ApiError(result.message, result.code ?? 'REFUSED') : undefined;
}

let signedOutHandler: () => void = () => undefined;

/** Called when the server says the session is gone (expired, signed out elsewhere, key revoked). */
export function onSignedOut(handler: () => void): void {
  signedOutHandler = handler;
}

export function sessionEnded(): void {
  signedOutHandler();
}

async function jsonOf(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    throw new ApiError(`the server answered ${response.status} ${response.statusText}`.trim(), `HTTP_${response.status}`);
  }
}

function messageOf(body: unknown, fallback: string): string {
  return typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string' ? body.message : fallback;
}

function errorCodeOf(body: unknown, fallback: string): string {
  return typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'string' ? body.error : fallback;
}

export async function signIn(apiKey: string): Promise<Session> {
  const response = await fetch('/console/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiKey }),
    credentials: 'same-origin',
  });
  if (response.status === 201) return (await response.json()) as Session;
  if (response.status === 401) throw new ApiError('This API key is unknown, malformed or revoked.', 'UNAUTHENTICATED');
  if (response.status === 429) throw new ApiError('Too many requests with this key: wait a moment and try again.', 'RATE_LIMITED');
  const body: unknown = await response.json().catch(() => null);
  throw new ApiError(messageOf(body, `Sign-in failed (${response.status}).`), errorCodeOf(body, `HTTP_${response.status}`));
}

/** The signed-in session, or null when there is none. */
export async function currentSession(): Promise<Session | null> {
  const response = await fetch('/console/session', { credentials: 'same-origin' });
  if (response.status === 204) return null;
  if (!response.ok) throw new ApiError(`the server answered ${response.status}`, `HTTP_${response.status}`);
  return (await response.json()) as Session;
}

export async function signOut(): Promise<void> {
  await fetch('/console/session', { method: 'DELETE', credentials: 'same-origin' });
}

type GraphQLResponse<TResult> = { data?: TResult | null; errors?: { message: string; extensions?: { code?: string } }[] };

/** One query or mutation; a GraphQL error (FORBIDDEN, VALIDATION_FAILED, ...) is thrown as an ApiError. */
export async function request<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>, variables: TVariables): Promise<TResult> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify({ query: document.toString(), variables }),
    credentials: 'same-origin',
  });
  if (response.status === 401) {
    sessionEnded();
    throw new ApiError('Your session has ended: sign in again.', 'UNAUTHENTICATED');
  }
  const body = (await jsonOf(response)) as GraphQLResponse<TResult>;
  const error = body.errors?.[0];
  if (error) throw new ApiError(error.message, error.extensions?.code ?? `HTTP_${response.status}`);
  if (!body.data) throw new ApiError(`the server answered ${response.status} without data`, `HTTP_${response.status}`);
  return body.data;
}

/** A CSV download's URL: a plain link, the session cookie authenticates it (no key in the URL). */
export function csvUrl(path: '/reports/daily.csv' | '/reports/stats.csv', parameters: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined && value !== '') query.set(name, value);
  return `${path}?${query.toString()}`;
}
