import type { IncomingMessage, ServerResponse } from 'node:http';
import { ForbiddenError, ValidationFailedError } from '../services/errors.ts';
import type { Actor } from '../services/merchants.ts';
import { HttpError } from './body.ts';
import { authenticateRequest } from './console-session.ts';
import { rateLimitedMessage } from './errors.ts';
import type { RouteDeps } from './types.ts';

/**
 * What the routes taking an API key share (the report downloads /reports/*.csv, the sandbox's settlement): the
 * caller, authenticated like GraphQL (401 with WWW-Authenticate: Bearer), spending its key's one budget, shared
 * with GraphQL, WebSocket and SSE (429 with Retry-After); and a service's refusal as the answer (FORBIDDEN 403,
 * VALIDATION_FAILED 400 naming each field). `authorization` is the request's header unless a page's form gave the key.
 */
export async function reportCaller(
  deps: RouteDeps,
  request: IncomingMessage,
  response: ServerResponse,
  authorization: string | undefined = request.headers.authorization,
): Promise<Actor> {
  // The console's session cookie works here too: its CSV links are plain downloads (GET, nothing changes).
  const actor = (await authenticateRequest(deps.db, { authorization, cookie: request.headers.cookie }))?.actor;
  if (!actor) {
    response.setHeader('www-authenticate', 'Bearer');
    throw new HttpError(401, 'missing, malformed, unknown or revoked API key: send Authorization: Bearer <api key>');
  }
  const decision = await deps.rateLimiter.consume(actor.apiKeyId);
  if (!decision.allowed) {
    deps.metrics.rateLimited.inc({ transport: 'http' });
    response.setHeader('retry-after', String(decision.retryAfterSeconds));
    throw new HttpError(429, rateLimitedMessage(decision.retryAfterSeconds));
  }
  return actor;
}

/** Runs `work`; a FORBIDDEN or VALIDATION_FAILED refusal becomes the route's 403 or 400 (`name` spells a field's path). */
export async function answeringRefusals<T>(work: () => Promise<T>, name: (path: readonly string[]) => string = (path) => path.join('.')): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ForbiddenError) throw new HttpError(403, error.message);
    if (error instanceof ValidationFailedError) throw new HttpError(400, error.fields.map((field) => `${name(field.path)}: ${field.message}`).join('\n'));
    throw error;
  }
}
