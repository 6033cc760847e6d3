// The answer to a Google Fonts stylesheet request (`https://fonts.googleapis.com/css?family=Droid+Serif:400,700,400italic`,
// as container.training's workshop.css @imports), made from the @fontsource packages installed in node_modules, so
// that the remark.js reference page gets the deck's fonts and nothing leaves the machine. Each family is served
// under the name the stylesheet asks for, with the weights and styles it asks for (the others are synthesized by
// the browser, as they are with Google's answer).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const nodeModules = resolve(import.meta.dirname, '../../node_modules');

/** The families container.training decks ask for, and the @fontsource package that has each (Noto Serif is Droid Serif's successor). */
export const fontsourcePackages: Readonly<Record<string, string>> = {
  'Droid Serif': 'noto-serif',
  'Ubuntu Mono': 'ubuntu-mono',
  Inconsolata: 'inconsolata',
  'Open Sans': 'open-sans',
};

export interface FontRequest {
  readonly family: string;
  readonly weight: number;
  readonly italic: boolean;
}

/** `family=Droid+Serif:400,700,400italic|Inconsolata` (Google Fonts' css API v1) → one request per face. */
export function parseGoogleFontsUrl(url: string): FontRequest[] {
  const families = new URL(url).searchParams.get('family') ?? '';
  return families
    .split('|')
    .filter((spec) => spec !== '')
    .flatMap((spec) => {
      const [family = '', variants = '400'] = spec.split(':');
      return variants.split(',').map((variant) => {
        const weight = Number(/^\d+/.exec(variant)?.[0] ?? (/^b/.test(variant) ? 700 : 400));
        return { family: family.trim(), weight, italic: /i/.test(variant) };
      });
    });
}

/**
 * The CSS answering `url`: @fontsource's @font-face rules (every unicode subset) for each requested face, renamed to
 * the family asked for, their files under `filesUrl` + `<package>/files/<file>` (see `fontFilePath`). Throws when a
 * family or a face is not installed: a comparison in a fallback font would measure nothing.
 */
export function localFontsCss(url: string, filesUrl: string): string {
  return parseGoogleFontsUrl(url)
    .map(({ family, weight, italic }) => {
      const pkg = fontsourcePackages[family];
      if (!pkg) throw new Error(`no @fontsource package for the font family "${family}" (${url})`);
      const css = readFileSync(join(nodeModules, '@fontsource', pkg, `${weight}${italic ? '-italic' : ''}.css`), 'utf8');
      return css.replace(/font-family: '[^']*';/g, `font-family: '${family}';`).replace(/url\(\.\/files\//g, `url(${filesUrl}${pkg}/files/`);
    })
    .join('\n');
}

/** The file of `<package>/files/<file>` (as `localFontsCss` names them), or undefined for any other path. */
export function fontFilePath(path: string): string | undefined {
  const match = /^([a-z-]+)\/files\/([a-z0-9-]+\.woff2?)$/.exec(path);
  if (!match || !Object.values(fontsourcePackages).includes(match[1] ?? '')) return undefined;
  return join(nodeModules, '@fontsource', match[1] ?? '', 'files', match[2] ?? '');
}
