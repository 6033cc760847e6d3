// 405 instead of 404 for a method a path does not take, when the path exists with other methods: the routes (read
// from the app's own route table, so no list to keep in step with them) and the files of the folders served.
// Mounted after the routes: a request that gets here was taken by none of them.
import type { RequestHandler } from 'express';
import type { ServedFiles } from './static-folder.ts';

export interface ServedFolder {
  /** Where the folder is mounted ('' for the root). */
  readonly prefix: string;
  /** Asked, not the disk: a file the folder does not serve (an unreferenced workshop.yml) is a 404, not a 405. */
  readonly files: Pick<ServedFiles, 'serves'>;
}

export interface MethodNotAllowedOptions {
  /** The app's router (`app.router`): its routes, and the routers mounted in it. */
  readonly router: unknown;
  /** Folders served with GET and HEAD, the most specific prefix first (a path belongs to the first that matches). */
  readonly folders: readonly ServedFolder[];
}

export function methodNotAllowed(options: MethodNotAllowedOptions): RequestHandler {
  return (request, response, next) => {
    if (request.method === 'GET' || request.method === 'HEAD') return next();
    const methods = routeMethods(options.router, request.path);
    servedFile(options.folders, request.path).then((isFile) => {
      if (isFile) methods.add('GET');
      if (methods.size === 0) return next();
      if (methods.has('GET')) methods.add('HEAD');
      const allow = [...methods].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).join(', ');
      response.status(405).set('allow', allow).type('text/plain').send(`${request.method} is not allowed here (${allow} are).\n`);
    }, next);
  };
}

/** GET and HEAD first, as people read an Allow header. */
function rank(method: string): number {
  return method === 'GET' ? 0 : method === 'HEAD' ? 1 : 2;
}

/** The shape of express's route table (router@2 layers) that this reads; anything else is skipped. */
interface Layer {
  match(path: string): false | { readonly path: string };
  readonly route?: { readonly methods: Readonly<Record<string, boolean>> };
  readonly handle?: { readonly stack?: unknown };
}

/** The methods of the routes of `router` (and of the routers mounted in it) whose path is `path`. */
function routeMethods(router: unknown, path: string, methods = new Set<string>()): Set<string> {
  const stack = (router as { stack?: unknown } | undefined)?.stack;
  if (!Array.isArray(stack)) return methods;
  for (const layer of stack as Layer[]) {
    const match = layer.match(path);
    if (!match) continue;
    if (layer.route) {
      for (const [method, taken] of Object.entries(layer.route.methods)) if (taken && method !== '_all') methods.add(method.toUpperCase());
    } else if (layer.handle?.stack) {
      routeMethods(layer.handle, path.slice(match.path.length) || '/', methods);
    }
  }
  return methods;
}

async function servedFile(folders: readonly ServedFolder[], path: string): Promise<boolean> {
  const folder = folders.find((candidate) => candidate.prefix === '' || path === candidate.prefix || path.startsWith(`${candidate.prefix}/`));
  if (!folder) return false;
  return folder.files.serves(path.slice(folder.prefix.length) || '/');
}
