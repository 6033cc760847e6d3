// The fonts labdeck serves, from the @fontsource npm packages it depends on (never copied into labdeck): the families
// container.training decks ask a web font service for, matched by name, and an emoji font. Their @font-face rules come
// from each package's own CSS (one file per weight and style, one face per Unicode subset, so the browser fetches only
// the subsets a slide uses), renamed to the family the deck asks for and pointed at labdeck's font route.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FontVariant } from '../deck/index.ts';

/** Where the page finds the font files, relative to it: `_labdeck/fonts/<package>/<file>` (http/font-files.ts). */
export const fontsUrlPrefix = '_labdeck/fonts/';

/** Family names a deck may ask for (lower case) → the @fontsource package that has it. */
const familyPackages: Readonly<Record<string, string>> = {
  // Droid Serif is gone from font services; Noto Serif is its successor, drawn from it.
  'droid serif': 'noto-serif',
  'noto serif': 'noto-serif',
  'ubuntu mono': 'ubuntu-mono',
  inconsolata: 'inconsolata',
  'open sans': 'open-sans',
  'noto color emoji': 'noto-color-emoji',
};

/** Every package labdeck serves fonts from. */
export const fontPackages: readonly string[] = [...new Set(Object.values(familyPackages))];

/** Each font package's folder of font files, for the font route and the static export. */
export function fontFileFolders(): Readonly<Record<string, string>> {
  return Object.fromEntries(fontPackages.map((name) => [name, join(packageFolder(name), 'files')]));
}

/**
 * The @font-face rules giving `family` in `variants` (those the package lacks are left to the browser's synthesis; the
 * regular face stands in when it has none of them), or undefined when labdeck has no such family.
 */
export function localFontFaces(family: string, variants: readonly FontVariant[]): string | undefined {
  const name = familyPackages[family.toLowerCase()];
  if (name === undefined) return undefined;
  const folder = packageFolder(name);
  const read = (variant: FontVariant): string | undefined => {
    try {
      return readFileSync(join(folder, `${variant.weight}${variant.style === 'italic' ? '-italic' : ''}.css`), 'utf8');
    } catch {
      return undefined; // the package has no such weight or style
    }
  };
  const found = variants.map(read).filter((css) => css !== undefined);
  const faces = found.length > 0 ? found : [read({ weight: 400, style: 'normal' }) ?? ''];
  return faces.map((css) => asServed(css, family, name)).join('\n');
}

/** The package's faces under the deck's family name, woff2 only (every browser labdeck supports reads it). */
function asServed(css: string, family: string, name: string): string {
  return css
    .replace(/font-family:\s*[^;]+;/g, `font-family: ${JSON.stringify(family)};`)
    .replace(
      /src:\s*url\(\.\/files\/([^)]+\.woff2)\)\s*format\('woff2'\)[^;]*;/g,
      (_whole, file: string) => `src: url(${fontsUrlPrefix}${name}/${file}) format('woff2');`,
    );
}

const requireHere = createRequire(import.meta.url);
const folders = new Map<string, string>();

function packageFolder(name: string): string {
  let folder = folders.get(name);
  if (folder === undefined) {
    // The packages export their CSS files only (no package.json): the regular weight's file is always there.
    folder = dirname(requireHere.resolve(`@fontsource/${name}/400.css`));
    folders.set(name, folder);
  }
  return folder;
}
