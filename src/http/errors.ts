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
