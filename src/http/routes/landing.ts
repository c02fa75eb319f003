import { sendJson } from '../body.ts';
import { GRAPHQL_PATH, graphiqlEnabled } from '../graphql-endpoint.ts';
import type { Route, RouteDeps } from '../types.ts';

/**
 * `/`: where to go from here. With GraphiQL on (every NODE_ENV but production), a redirect to it; in production,
 * a short JSON pointer to the API and the health routes (no GraphiQL, no schema to explore).
 */
export function landingRoutes(deps: RouteDeps): Route[] {
  const handler: Route['handler'] = async (_request, response) => {
    if (graphiqlEnabled(deps.config)) {
      response.writeHead(302, { location: GRAPHQL_PATH, 'cache-control': 'no-store' });
      response.end();
      return;
    }
    sendJson(response, 200, {
      service: 'paystream',
      graphql: GRAPHQL_PATH,
      authentication: 'Authorization: Bearer <api key>',
      health: { live: '/healthz', ready: '/readyz' },
    });
  };
  return [{ method: 'GET', path: '/', handler }];
}
