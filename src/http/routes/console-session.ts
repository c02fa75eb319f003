import { encodeGlobalID } from '@pothos/plugin-relay';
import { z } from 'zod';
import { signIn, signOut, sessionOf } from '../../services/console-sessions.ts';
import { merchantScope } from '../../services/merchant-scope.ts';
import type { Actor } from '../../services/merchants.ts';
import { HttpError, readBody, sendJson } from '../body.ts';
import { clearedSessionCookie, fromSameOrigin, servedOverHttps, sessionCookie, sessionTokenOf } from '../console-session.ts';
import { rateLimitedMessage } from '../errors.ts';
import type { Route, RouteDeps } from '../types.ts';

/**
 * `/console/session`: the console's sign-in (POST `{ "apiKey": "…" }` sets the session cookie), who is signed in
 * (GET: 204 when nobody) and sign-out (DELETE). POST and DELETE take JSON only and refuse a foreign Origin: a page elsewhere can
 * neither sign a browser in with its own key nor sign it out (CSRF). The key travels once, in the body.
 */

export const CONSOLE_SESSION_PATH = '/console/session';

const SignInBody = z.object({ apiKey: z.string().min(1).max(300) });

/** What the console knows about its session (never the key, never the token). */
type SessionView = { role: Actor['role']; merchant: { id: string; name: string } | null; expiresAt: string };

async function sessionView(deps: RouteDeps, actor: Actor, expiresAt: Date): Promise<SessionView> {
  const merchantId = merchantScope(actor);
  const merchant = merchantId === undefined ? null : await deps.db.prisma.merchant.findUnique({ where: { id: merchantId } });
  return {
    role: actor.role,
    merchant: merchant ? { id: encodeGlobalID('Merchant', merchant.id), name: merchant.name } : null,
    expiresAt: expiresAt.toISOString(),
  };
}

function refuseForeignOrigin(headers: { origin?: string | undefined; host?: string | undefined }): void {
  if (!fromSameOrigin(headers)) throw new HttpError(403, 'CSRF_REFUSED: this request comes from another origin');
}

export function consoleSessionRoutes(deps: RouteDeps): Route[] {
  const create: Route['handler'] = async (request, response) => {
    refuseForeignOrigin(request.headers);
    // JSON only: a form post (a CORS "simple" request) cannot reach this, so a foreign page cannot sign anyone in.
    if (request.headers['content-type']?.split(';')[0]?.trim().toLowerCase() !== 'application/json') {
      throw new HttpError(415, 'send Content-Type: application/json with { "apiKey": "<api key>" }');
    }
    let body: z.infer<typeof SignInBody>;
    try {
      body = SignInBody.parse(JSON.parse((await readBody(request, 4096)).toString('utf8')));
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw new HttpError(400, 'body must be JSON: { "apiKey": "<api key>" }');
    }
    const session = await signIn(deps.db, body.apiKey.trim());
    if (!session) {
      sendJson(response, 401, { error: 'UNAUTHENTICATED', message: 'unknown, malformed or revoked API key' });
      return;
    }
    if ('refused' in session) {
      sendJson(response, 403, {
        error: session.refused,
        message: 'A publishable key (pk_…) cannot sign in: it only identifies a merchant in its checkout pages. Sign in with a secret key (psk_…), a read-only key or an ADMIN key.',
      });
      return;
    }
    const decision = await deps.rateLimiter.consume(session.actor.apiKeyId);
    if (!decision.allowed) {
      await signOut(deps.db, session.token);
      deps.metrics.rateLimited.inc({ transport: 'http' });
      response.setHeader('retry-after', String(decision.retryAfterSeconds));
      throw new HttpError(429, rateLimitedMessage(decision.retryAfterSeconds));
    }
    sendJson(response, 201, await sessionView(deps, session.actor, session.expiresAt), {
      'set-cookie': sessionCookie(session.token, session.expiresAt, servedOverHttps(deps.config, request)),
    });
  };

  const show: Route['handler'] = async (request, response) => {
    const token = sessionTokenOf(request.headers.cookie);
    const session = token === undefined ? null : await sessionOf(deps.db, token);
    if (!session) {
      // Not an error: the console asks this to know whether to show its sign-in form.
      response.writeHead(204, { 'cache-control': 'no-store' });
      response.end();
      return;
    }
    sendJson(response, 200, await sessionView(deps, session.actor, session.expiresAt));
  };

  const remove: Route['handler'] = async (request, response) => {
    refuseForeignOrigin(request.headers);
    const token = sessionTokenOf(request.headers.cookie);
    if (token !== undefined) await signOut(deps.db, token);
    response.writeHead(204, { 'set-cookie': clearedSessionCookie(servedOverHttps(deps.config, request)), 'cache-control': 'no-store' });
    response.end();
  };

  return [
    { method: 'POST', path: CONSOLE_SESSION_PATH, handler: create },
    { method: 'GET', path: CONSOLE_SESSION_PATH, handler: show },
    { method: 'DELETE', path: CONSOLE_SESSION_PATH, handler: remove },
  ];
}
