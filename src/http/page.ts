// The deck page: an HTML shell holding the deck as JSON; the client bundle builds the slides from it. Every URL in it
// is relative, so the same page works served at `/` and opened from a static export over file://.
import { pageDataElementId, type PageData } from '../protocol.ts';

/** Where labdeck's own assets live, relative to the deck page (served from public/, copied by `labdeck build`). */
export const assetsUrlPrefix = '_labdeck/';
/** The client bundle inside labdeck's public/ folder, built by scripts/build-client.mjs (`npm run build`). */
export const clientScriptAsset = 'build/labdeck.js';
const clientStyleAsset = 'build/labdeck.css';

export function renderDeckPage(data: PageData): string {
  const title = escapeHtml(data.deck.title || 'labdeck');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="${assetsUrlPrefix}${clientStyleAsset}">
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

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

/** JSON that cannot end its <script> element early: `<` is written as an escape, which JSON.parse reads back. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
