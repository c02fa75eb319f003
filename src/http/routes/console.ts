import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sendText } from '../body.ts';
import type { Route, RouteHandler } from '../types.ts';

/**
 * The operations console (docs/CONSOLE.md): the files `npm run console:build` writes to console/dist (npm install
 * runs it), served from memory, gzipped once at start. The page is /console (its views live in the URL's
 * fragment, so no other path is needed); assets are content-hashed, so they are cached for good.
 */

export const CONSOLE_DIST = join(import.meta.dirname, '..', '..', '..', 'console', 'dist');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Only our own files, scripts and styles; no framing; nothing leaks in Referer. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

function staticFile(body: Buffer, contentType: string, cacheControl: string): RouteHandler {
  const gzipped = gzipSync(body, { level: 9 });
  return async (request, response) => {
    const gzip = /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
    response.writeHead(200, {
      ...PAGE_HEADERS,
      'content-type': contentType,
      'cache-control': cacheControl,
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    response.end(gzip ? gzipped : body);
  };
}

export function consoleRoutes(dist: string = CONSOLE_DIST): Route[] {
  const index = join(dist, 'index.html');
  if (!existsSync(index)) {
    const notBuilt: RouteHandler = async (_request, response) =>
      sendText(response, 503, 'the console is not built: run `npm run console:build` (npm install does it) and restart');
    return [{ method: 'GET', path: '/console', handler: notBuilt }];
  }
  const routes: Route[] = [{ method: 'GET', path: '/console', handler: staticFile(readFileSync(index), CONTENT_TYPES['.html'] ?? '', 'no-cache') }];
  const assets = join(dist, 'assets');
  for (const name of existsSync(assets) ? readdirSync(assets) : []) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType === undefined) continue;
    routes.push({ method: 'GET', path: `/console/assets/${name}`, handler: staticFile(readFileSync(join(assets, name)), contentType, 'public, max-age=31536000, immutable') });
  }
  return routes;
}
