// `labdeck build`: a static export that works from file:// — the deck page with the deck embedded, labdeck's
// assets beside it, the font files its look names, and the workshop files the slides and the deck's stylesheet
// reference (images), at the same relative paths.
import { cp, mkdir, readdir, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { loadDeck } from '../workshop/load-deck.ts';
import { loadDeckLook } from '../workshop/deck-look.ts';
import { fontFileFolders, fontsUrlPrefix } from '../workshop/font-faces.ts';
import { openRenderCache } from '../workshop/render-cache.ts';
import { LabdeckError } from '../errors.ts';
import { relativeToWorkshop, toDeckJson } from '../deck/deck-json.ts';
import { assetsUrlPrefix, clientScriptAsset, renderDeckPage } from '../http/page.ts';
import { resolveInside } from '../http/safe-path.ts';
import { referencedPaths, replayEmbedPaths } from '../deck/references.ts';
import { containsDiagram } from '../deck/index.ts';
import { mermaidScriptAsset, mermaidScriptFile } from '../http/package-assets.ts';
import { escapeRegExp } from '../text/escape-regexp.ts';
import { deckSelectionOptions, listOption, stringOption, UsageError, workshopPathArg, type Command } from './command.ts';

export const buildCommand: Command = {
  synopsis: 'build [workshop.yml] --out DIR [--exclude a,b] [--only a,b]',
  options: {
    out: { type: 'string', valueName: 'DIR', description: 'folder to write the export to (created if missing)' },
    ...deckSelectionOptions,
  },
  async run(args, context) {
    const outOption = stringOption(args, 'out');
    if (!outOption) throw new UsageError('--out DIR is required');
    const manifest = workshopPathArg(args, context.cwd);
    const out = resolve(context.cwd, outOption);
    const workshopDir = dirname(manifest);
    if (out === workshopDir) throw new UsageError('--out must not be the workshop folder itself');
    if ((await stat(out).catch(() => undefined))?.isDirectory() === false) throw new UsageError(`--out ${outOption} is a file, not a folder`);
    await refuseForeignFolder(out);

    const selection = { exclude: listOption(args, 'exclude'), only: listOption(args, 'only') };
    const { workshop, deck } = await loadDeck(manifest, selection, openRenderCache(context.renderCacheDir), context.repository);
    const bundle = join(context.assetsDir, clientScriptAsset);
    if (!existsSync(bundle)) throw new LabdeckError(`${bundle}: the client bundle is missing: run \`npm run build\` first`);

    await mkdir(out, { recursive: true });
    await cp(context.assetsDir, join(out, assetsUrlPrefix), { recursive: true });
    // mermaid's browser build, from node_modules, for a deck with diagrams: the export draws them offline.
    if (deck.slides.some((slide) => containsDiagram(slide.html))) {
      await cp(mermaidScriptFile(), join(out, assetsUrlPrefix, mermaidScriptAsset));
    }
    const look = loadDeckLook(workshop).json;
    const served = relativeToWorkshop(toDeckJson(deck, { version: 1, title: workshop.pageTitle, ratio: workshop.ratio, error: null, look }), workshopDir);
    const deckJson = { ...served, slides: served.slides.map((slide) => ({ ...slide, html: assetUrlsRelative(slide.html) })) };
    const realWorkshopDir = await realpath(workshopDir);
    const casts = await embeddedRecordings(deck.slides, realWorkshopDir);
    await writeFile(join(out, 'index.html'), renderDeckPage({ deck: deckJson, live: false, ...(Object.keys(casts).length > 0 ? { casts } : {}) }));

    // Copied to the path the page will ask for, so the slides' relative URLs work unchanged.
    let copied = 0;
    const fonts = await copyFontFiles(`${look.fontFaces}\n${look.stylesheet ?? ''}`, out);
    for (const path of new Set([...deck.slides.flatMap((slide) => referencedPaths(slide.html)), ...look.files])) {
      const file = await resolveInside(realWorkshopDir, path);
      if (!file) continue; // missing, or outside the workshop folder: lint reports missing images
      await cp(file, join(out, relative(realWorkshopDir, file)));
      copied += 1;
    }
    context.stdout(`wrote ${join(out, 'index.html')} (${deck.slides.length} slides, ${copied} files copied, ${fonts} font files)\n`);
    return 0;
  },
};

/**
 * The recordings slides embed (`.replay[demo.cast]`), by the path the slide names: the page carries them, since a page
 * opened from file:// may not fetch the copies beside it. A missing one is left out (lint reports it; the slide says so).
 */
async function embeddedRecordings(slides: readonly { readonly html: string }[], realWorkshopDir: string): Promise<Record<string, string>> {
  const casts: Record<string, string> = {};
  for (const path of new Set(slides.flatMap((slide) => replayEmbedPaths(slide.html)))) {
    // As referencedPaths reads it: relative to the page; a URL or a root path is nothing an export holds.
    if (/^([a-z][a-z0-9+.-]*:|\/)/i.test(path)) continue;
    const file = await resolveInside(realWorkshopDir, new URL(path, 'file:///').pathname);
    if (file) casts[path] = await readFile(file, 'utf8');
  }
  return casts;
}

/**
 * Generated slides (interstitials) point at labdeck's assets from the server's root, `/_labdeck/...`: from file://
 * that would be the root of the disk, so the export makes them relative to the page.
 */
export function assetUrlsRelative(html: string): string {
  return html.replace(/(=\s*["']|url\(\s*(?:&quot;|["'])?)\/_labdeck\//g, `$1${assetsUrlPrefix}`);
}

/** Copies the font files `css` names (`_labdeck/fonts/<package>/<file>`) from their packages; returns how many. */
async function copyFontFiles(css: string, out: string): Promise<number> {
  const folders = fontFileFolders();
  const named = new Set([...css.matchAll(new RegExp(`${escapeRegExp(fontsUrlPrefix)}([-\\w]+)/([-\\w.]+\\.woff2)`, 'g'))].map((match) => `${match[1]}/${match[2]}`));
  for (const path of named) {
    const [name = '', file = ''] = path.split('/');
    const folder = folders[name];
    if (folder === undefined) continue;
    await mkdir(join(out, fontsUrlPrefix, name), { recursive: true });
    await cp(join(folder, file), join(out, fontsUrlPrefix, name, file));
  }
  return named.size;
}

/** Writing into a folder that holds other things would mix the export with them: only an earlier export is reused. */
async function refuseForeignFolder(out: string): Promise<void> {
  const entries = await readdir(out).catch(() => [] as string[]);
  if (entries.length > 0 && !entries.includes('index.html')) {
    throw new UsageError(`${out} is not empty and holds no earlier export: choose an empty or new folder`);
  }
}
