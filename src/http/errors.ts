import { GraphQLError } from 'graphql';

/** The GraphQL errors of the HTTP layer: refusals before any resolver runs, with their HTTP status. */

export const UNAUTHENTICATED_MESSAGE = 'missing, malformed, unknown or revoked API key';

export function unauthenticatedError(): GraphQLError {
  return new GraphQLError(`${UNAUTHENTICATED_MESSAGE}: send Authorization: Bearer <api key>`, {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } } },
  });
}

export function rateLimitedMessage(retryAfterSeconds: number): string {
  return `rate limit exceeded for this API key; retry in ${retryAfterSeconds} s`;
}

export function rateLimitedError(retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(rateLimitedMessage(retryAfterSeconds), {
    extensions: {
      code: 'RATE_LIMITED',
      retryAfterSeconds,
      http: { status: 429, headers: { 'Retry-After': String(retryAfterSeconds) } },
    },
  });
}

export function publishableKeyNeedsPostError(): GraphQLError {
  return new GraphQLError('a publishable key is accepted on POST only (its client secret goes in the body, never in a URL)', {
    extensions: { code: 'BAD_REQUEST', http: { status: 405, headers: { Allow: 'POST' } } },
  });
}

export const INVALID_CLIENT_SECRET_MESSAGE = 'the client secret is not valid for this publishable key (wrong, expired, or for another transaction)';

/** Every client secret that opens nothing gets this one answer: it tells a guesser nothing. */
export function invalidClientSecretError(): GraphQLError {
  return new GraphQLError(INVALID_CLIENT_SECRET_MESSAGE, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** A key used from a page whose origin may not use it: a secret key in any foreign page, a publishable one outside its merchant's origins. */
export function originRefusedError(publishable: boolean): GraphQLError {
  return new GraphQLError(originRefusedMessage(publishable), { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
}

export function originRefusedMessage(publishable: boolean): string {
  return publishable
    ? "this page's origin is not one of the merchant's allowed origins (setAllowedOrigins)"
    : 'a secret key must never be used from a browser page: the page uses the publishable key (docs/FRONTEND.md)';
}
