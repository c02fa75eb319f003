import { useLayoutEffect, useState } from 'preact/hooks';

/**
 * Views live in the URL's fragment (#/transactions?status=PAID, #/transactions/<id>): the server serves one page,
 * a view can be bookmarked and reloaded, and an edited URL is just another request the API answers for the
 * session's caller (another merchant's id is "not found").
 */

export type Route = { path: string[]; params: URLSearchParams };

function currentRoute(): Route {
  const hash = window.location.hash.replace(/^#\/?/, '');
  const [path = '', query = ''] = hash.split('?');
  return { path: path.split('/').filter((part) => part !== '').map(decodeURIComponent), params: new URLSearchParams(query) };
}

export function useRoute(): Route {
  const [current, setCurrent] = useState(() => ({ hash: window.location.hash, route: currentRoute() }));
  // A layout effect, so the listener is there before the page can change the hash; and a change made between the
  // first render and this point (no listener yet: its hashchange was missed) is read here instead of lost.
  useLayoutEffect(() => {
    const update = () => setCurrent({ hash: window.location.hash, route: currentRoute() });
    window.addEventListener('hashchange', update);
    if (window.location.hash !== current.hash) update();
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return current.route;
}

export function href(path: string[], params: Record<string, string | undefined> = {}): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(name, value);
  const search = query.toString();
  return `#/${path.map(encodeURIComponent).join('/')}${search === '' ? '' : `?${search}`}`;
}

export function navigate(path: string[], params: Record<string, string | undefined> = {}): void {
  window.location.hash = href(path, params);
}
