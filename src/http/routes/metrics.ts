import type { IncomingMessage } from 'node:http';
import { constantTimeEqual } from '../../domain/signatures.ts';
import { sendText } from '../body.ts';
import type { Route, RouteDeps } from '../types.ts';

/**
 * GET /metrics (Prometheus text format). Business volumes are not for everyone's eyes, so:
 * - METRICS_TOKEN set: `Authorization: Bearer <METRICS_TOKEN>` is required, from any address;
 * - unset: only loopback clients (a Prometheus or agent on the same host). Behind a reverse proxy on the
 *   same host every client looks local: set METRICS_TOKEN there.
 */
export function metricsRoutes(deps: RouteDeps): Route[] {
  const { config, metrics } = deps;
  const handler: Route['handler'] = async (request, response) => {
    const refusal = refuse(request, config.metricsToken);
    if (refusal) {
      sendText(response, refusal.status, refusal.message, refusal.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
      return;
    }
    const body = await metrics.registry.metrics();
    response.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
    response.end(body);
  };
  return [{ method: 'GET', path: '/metrics', handler }];
}

function refuse(request: IncomingMessage, token: string | undefined): { status: number; message: string } | undefined {
  if (token === undefined) {
    return isLoopback(request.socket.remoteAddress) ? undefined : { status: 403, message: 'metrics are served to loopback clients only; set METRICS_TOKEN to scrape from elsewhere' };
  }
  const presented = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (presented === undefined || !constantTimeEqual(Buffer.from(presented), Buffer.from(token))) {
    return { status: 401, message: 'send Authorization: Bearer <METRICS_TOKEN>' };
  }
  return undefined;
}

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
