// The font files labdeck serves to the deck page (`/_labdeck/fonts/<package>/<file>.woff2`): from each font package,
// its folder of font files and only the woff2 ones; nothing else of node_modules is reachable. The folders come from
// workshop/font-faces.ts.
import type { ServedFolder } from './method-not-allowed.ts';
import { staticFolder, type ServedFiles } from './static-folder.ts';

/** Where the font packages are mounted; the page names them relative to itself (`_labdeck/fonts/…`). */
export const fontsPath = '/_labdeck/fonts';
/** A font package's files never change under a version: a day of caching spares every slide change a revalidation. */
const fontCacheControl = 'public, max-age=86400';

/** `folders`: package name → its folder of font files. Each is mounted at `${fontsPath}/<package>`. */
export function fontFolders(folders: Readonly<Record<string, string>>): (ServedFolder & { readonly files: ServedFiles })[] {
  return Object.entries(folders).map(([name, root]) => {
    const files = staticFolder({ root, cacheControl: fontCacheControl });
    const isFont = (urlPath: string): boolean => /^\/[^/]+\.woff2$/.test(urlPath);
    return {
      prefix: `${fontsPath}/${name}`,
      files: {
        handler: (request, response, next) => (isFont(request.path) ? files.handler(request, response, next) : next()),
        serves: async (urlPath) => isFont(urlPath) && (await files.serves(urlPath)),
      },
    };
  });
}
