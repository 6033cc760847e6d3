// Serves the files of one folder (the workshop's, or labdeck's own assets), through resolveInside only.
import type { RequestHandler } from 'express';
import { resolveInside } from './safe-path.ts';

export interface StaticFolderOptions {
  readonly root: string;
  /** Assets change with every client build and chapters' images while authoring: always revalidate. */
  readonly cacheControl?: string;
}

export function staticFolder({ root, cacheControl = 'no-cache' }: StaticFolderOptions): RequestHandler {
  return (request, response, next) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    resolveInside(root, request.path).then((file) => {
      if (!file) return next();
      // resolveInside already refused hidden segments below root; root itself may sit under a dotted folder.
      response.sendFile(file, { dotfiles: 'allow', headers: { 'cache-control': cacheControl } }, (error) => {
        if (error && !response.headersSent) next(error);
      });
    }, next);
  };
}
