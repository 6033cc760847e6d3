// The replay page's HTML, sent in two parts: first its head and the deck (to show the slide they were on) as JSON,
// at once, so that the browser fetches the stylesheets and the player's bundle (src/client/replay-page.ts) while the
// server reads the recording; then the attendee's Timeline itself, as JSON in the page. Carried by the page, the
// timeline costs no second request: fetched by the page's script instead, it was asked for only once the stylesheets
// had arrived and that script had run, 150-200 ms after the page (bench/replay.ts), and needed the page's token again.
// Served at `/replay/<attendee>`: `<base href="../">` makes its relative URLs the deck page's, so slides' pictures load
// too.
import { replayDataElementId, replayTimelineElementId, type ReplayPageData, type ReplayPageTimeline } from '../protocol.ts';
import { assetsUrlPrefix, escapeHtml, renderLook } from './page.ts';

export const replayScriptAsset = 'build/replay.js';
const replayStyleAsset = 'build/replay.css';
/** The slides' styles (and xterm's), then the deck's look (its stylesheet, or labdeck's default theme), as on the deck page. */
const deckStyleAsset = 'build/labdeck.css';

/** The page up to its timeline: sent before the recording is read. The player's bundle is deferred: it runs once the timeline is in. */
export function renderReplayPageStart(data: ReplayPageData): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<base href="../">
<title>Replay: ${escapeHtml(data.attendee)} · ${escapeHtml(data.deck.title || 'labdeck')}</title>
<link rel="stylesheet" href="${assetsUrlPrefix}${deckStyleAsset}">
${renderLook(data.deck.look)}
<link rel="stylesheet" href="${assetsUrlPrefix}${replayStyleAsset}">
<script defer src="${assetsUrlPrefix}${replayScriptAsset}"></script>
</head>
<body class="labdeck-replay">
<noscript>The replay needs JavaScript.</noscript>
${jsonElement(replayDataElementId, data)}
`;
}

/** The rest of the page: the timeline, or why there is none. */
export function renderReplayPageEnd(timeline: ReplayPageTimeline): string {
  return `${jsonElement(replayTimelineElementId, timeline)}
</body>
</html>
`;
}

/** A JSON value in the page: `<` escaped, so that no string in it can close the element. */
function jsonElement(id: string, value: unknown): string {
  return `<script type="application/json" id="${id}">${JSON.stringify(value).replace(/</g, '\\u003c')}</script>`;
}
