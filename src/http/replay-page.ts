// The replay page's HTML shell: whose class it plays and the deck (to show the slide they were on) as JSON; the
// replay bundle (src/client/replay-page.ts) fetches the timeline and builds the player. Served at
// `/replay/<attendee>`: `<base href="../">` makes its relative URLs the deck page's, so slides' pictures load too.
import { replayDataElementId, type ReplayPageData } from '../protocol.ts';
import { assetsUrlPrefix, escapeHtml, renderLook } from './page.ts';

export const replayScriptAsset = 'build/replay.js';
/** The page's first script: it asks for the timeline while the player's bundle loads (src/client/replay-fetch.ts). */
const replayPrefetchAsset = 'build/replay-prefetch.js';
const replayStyleAsset = 'build/replay.css';
/** The slides' styles (and xterm's), then the deck's look (its stylesheet, or labdeck's default theme), as on the deck page. */
const deckStyleAsset = 'build/labdeck.css';

export function renderReplayPage(data: ReplayPageData): string {
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
</head>
<body class="labdeck-replay">
<noscript>The replay needs JavaScript.</noscript>
<script type="application/json" id="${replayDataElementId}">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>
<script src="${assetsUrlPrefix}${replayPrefetchAsset}"></script>
<script src="${assetsUrlPrefix}${replayScriptAsset}"></script>
</body>
</html>
`;
}
