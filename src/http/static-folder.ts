// Serves the files of one folder (the workshop's, or labdeck's own assets), through resolveInside only.
import type { RequestHandler } from 'express';
import { realpath } from 'node:fs/promises';
import { sep } from 'node:path';
import { resolveInside } from './safe-path.ts';

export interface StaticFolderOptions {
  readonly root: string;
  /** Assets change with every client build and chapters' images while authoring: always revalidate. */
  readonly cacheControl?: string;
  /**
   * Folders whose files are never served, even through a link that stays inside `root` (a class's data folder).
   * Compared by real path, so a symlink to a file in them is refused too.
   */
  readonly privateFolders?: readonly string[];
}

/** A folder's files as served: the route, and whether it serves a path (a 405 must not reveal what a 404 hides). */
export interface ServedFiles {
  readonly handler: RequestHandler;
  /** Whether `urlPath` (relative to where the handler is mounted, still percent-encoded) is a file it serves. */
  serves(urlPath: string): Promise<boolean>;
}

export function staticFolder({ root, cacheControl = 'no-cache', privateFolders = [] }: StaticFolderOptions): ServedFiles {
  return {
    handler: (request, response, next) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') return next();
      resolveServable(root, request.path, privateFolders).then((file) => {
        if (!file) return next();
        // resolveInside already refused hidden segments below root; root itself may sit under a dotted folder.
        response.sendFile(file, { dotfiles: 'allow', headers: { 'cache-control': cacheControl } }, (error) => {
          if (error && !response.headersSent) next(error);
        });
      }, next);
    },
    serves: async (urlPath) => (await resolveServable(root, urlPath, privateFolders)) !== null,
  };
}

async function resolveServable(root: string, urlPath: string, privateFolders: readonly string[]): Promise<string | null> {
  const file = await resolveInside(root, urlPath);
  if (!file) return null;
  for (const folder of privateFolders) {
    // resolveInside gives a real path; a private folder that does not exist (yet) holds nothing.
    const real = await realpath(folder).catch(() => undefined);
    if (real !== undefined && (file === real || file.startsWith(real + sep))) return null;
  }
  return file;
}
