// The deck page: an HTML shell holding the deck as JSON; the client bundle builds the slides from it. Every URL in it
// is relative, so the same page works served at `/` and opened from a static export over file://.
import { deckStyleElementId, defaultThemeElementId, fontFacesElementId, pageDataElementId, type DeckLookJson, type PageData } from '../protocol.ts';

/** Where labdeck's own assets live, relative to the deck page (served from public/, copied by `labdeck build`). */
export const assetsUrlPrefix = '_labdeck/';
/** The client bundle inside labdeck's public/ folder, built by scripts/build-client.mjs (`npm run build`). */
export const clientScriptAsset = 'build/labdeck.js';
const clientStyleAsset = 'build/labdeck.css';
/** labdeck's look for slides, for decks without a stylesheet of their own (disabled while a deck has one). */
export const defaultThemeAsset = 'build/default-theme.css';

export function renderDeckPage(data: PageData): string {
  const title = escapeHtml(data.deck.title || 'labdeck');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="${assetsUrlPrefix}${clientStyleAsset}">
${renderLook(data.deck.look)}
</head>
<body>
<main id="labdeck-slides" class="labdeck-slides" aria-label="Slides"></main>
<noscript>This deck needs JavaScript to show its slides.</noscript>
<script type="application/json" id="${pageDataElementId}">${scriptSafeJson(data)}</script>
<script src="${assetsUrlPrefix}${clientScriptAsset}"></script>
</body>
</html>
`;
}

/**
 * The fonts labdeck serves, then either labdeck's default theme or the deck's own stylesheet (scoped to the slides by
 * deck/deck-style.ts): after labdeck's stylesheet, so that the deck's rules win where both style a slide. The client
 * keeps these three elements in step with live reloads (client/deck-look.ts).
 */
export function renderLook(look: DeckLookJson | undefined): string {
  const own = look?.stylesheet ?? null;
  return [
    `<style id="${fontFacesElementId}">${styleText(look?.fontFaces ?? '')}</style>`,
    `<link rel="stylesheet" id="${defaultThemeElementId}" href="${assetsUrlPrefix}${defaultThemeAsset}"${own === null ? '' : ' disabled'}>`,
    `<style id="${deckStyleElementId}">${styleText(own ?? '')}</style>`,
  ].join('\n');
}

/** CSS that cannot end its <style> element early: `</` is written `<\/`, which CSS reads as the same characters. */
function styleText(css: string): string {
  return css.replace(/<\//g, '<\\/');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

/** JSON that cannot end its <script> element early: `<` is written as an escape, which JSON.parse reads back. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
