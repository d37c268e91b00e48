/**
 * The site's pages and the address bar: the playground (`?`), the lesson list (`?lessons`) and
 * one lesson (`?lesson=ID`). Moving between them pushes a history entry; back and forward follow it.
 */

/** Which page the site shows. */
export type Route = { page: 'playground' } | { page: 'lessons' } | { page: 'lesson'; id: string };

/** The page an address asks for. */
export function routeOf(url: URL): Route {
  const id = url.searchParams.get('lesson');
  if (id) return { page: 'lesson', id };
  return url.searchParams.has('lessons') ? { page: 'lessons' } : { page: 'playground' };
}

/** The address of a page (its search part; the path and a share link's fragment stay). */
export function searchOf(to: Route): string {
  return to.page === 'lesson' ? `?lesson=${encodeURIComponent(to.id)}` : to.page === 'lessons' ? '?lessons' : '';
}

/** The current page, kept in step with the address bar. */
export class Router {
  route: Route = $state(routeOf(new URL(location.href)));

  /** Goes to a page, with a history entry. */
  navigate(to: Route): void {
    const url = new URL(location.href);
    url.search = searchOf(to);
    history.pushState(null, '', url);
    this.route = to;
  }

  /** Follows the browser's back and forward buttons; returns what stops it. */
  listen(): () => void {
    const onPop = () => (this.route = routeOf(new URL(location.href)));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }
}
