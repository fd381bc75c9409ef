/** Hash routing under /console/: `#/tickets`, `#/tickets/12`, `#/new/export`, `#/password`, `#/login?next=…`. */
import { useEffect, useState } from 'react';

export interface Route {
  path: string;
  query: URLSearchParams;
}

export function currentRoute(): Route {
  const hash = window.location.hash.replace(/^#/, '') || '/tickets';
  const q = hash.indexOf('?');
  return { path: q === -1 ? hash : hash.slice(0, q), query: new URLSearchParams(q === -1 ? '' : hash.slice(q + 1)) };
}

/** The current location as a `next` value (path and query). */
export const currentLocation = (): string => window.location.hash.replace(/^#/, '') || '/tickets';

export function navigate(to: string): void {
  window.location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const on = () => setRoute(currentRoute());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
