// Browser files of npm packages that the deck page loads, served from where npm installed them (node_modules) at a
// fixed path under labdeck's assets: one file each, never a folder of node_modules. They stay npm dependencies
// rather than copies in labdeck's own bundle or package (mermaid's browser build alone is 3.5 MB).
import type { RequestHandler } from 'express';
import { createRequire } from 'node:module';
import type { ServedFiles } from './static-folder.ts';

/**
 * mermaid's browser build, relative to the assets' URL (`_labdeck/`): a classic script defining `window.mermaid`,
 * which also loads from file:// (a static export), where module scripts are refused. src/client/diagrams.ts loads it.
 */
export const mermaidScriptAsset = 'vendor/mermaid.min.js';

const resolveFromLabdeck = createRequire(import.meta.url);

/** The installed file of mermaid's browser build (`labdeck build` copies it for a deck with diagrams). */
export function mermaidScriptFile(): string {
  return resolveFromLabdeck.resolve('mermaid/dist/mermaid.min.js');
}

/** Asset path (relative to `_labdeck/`) → the installed file, for every package file the page may load. */
export function packageAssets(): Readonly<Record<string, string>> {
  return { [mermaidScriptAsset]: mermaidScriptFile() };
}

/** Serves exactly the files of `assets` (mounted at the assets' URL), GET and HEAD; everything else goes on. */
export function packageFiles(assets: Readonly<Record<string, string>>): ServedFiles {
  const fileOf = (urlPath: string): string | undefined => (Object.hasOwn(assets, urlPath.slice(1)) ? assets[urlPath.slice(1)] : undefined);
  const handler: RequestHandler = (request, response, next) => {
    const file = request.method === 'GET' || request.method === 'HEAD' ? fileOf(request.path) : undefined;
    if (file === undefined) return next();
    // Revalidated like labdeck's own assets (an npm update changes them under the same URL): a 304 when unchanged.
    // npx installs packages under ~/.npm/_npx: a dotted folder above the file is fine, the path is labdeck's own.
    response.sendFile(file, { dotfiles: 'allow', headers: { 'cache-control': 'no-cache' } }, (error) => {
      if (error && !response.headersSent) next(error);
    });
  };
  return { handler, serves: async (urlPath) => fileOf(urlPath) !== undefined };
}
