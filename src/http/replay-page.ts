// The replay page's HTML shell: whose class it plays and the deck (to show the slide they were on) as JSON; the
// replay bundle (src/client/replay-page.ts) takes the timeline and builds the player. Served at
// `/replay/<attendee>`: `<base href="../">` makes its relative URLs the deck page's, so slides' pictures load too.
import { replayDataElementId, replayTimelinePreloadId, replayXtermScriptId, timelinePath, type ReplayPageData } from '../protocol.ts';
import { assetsUrlPrefix, escapeHtml, renderLook } from './page.ts';

export const replayScriptAsset = 'build/replay.js';
/** xterm.js, loaded beside the player, which needs it only once something is played (src/client/replay-xterm-loader.ts). */
const replayXtermAsset = 'build/replay-xterm.js';
const replayStyleAsset = 'build/replay.css';
/** The slides' styles (and xterm's), then the deck's look (its stylesheet, or labdeck's default theme), as on the deck page. */
const deckStyleAsset = 'build/labdeck.css';

export interface ReplayPageOptions {
  /**
   * The browser asks for the timeline as it reads the page's head, before its styles and scripts arrive: for a page
   * its cookie opened, whose preload the same cookie authorizes. A page opened by a link's `?token=` has its script
   * ask, with that token (src/client/replay-fetch.ts).
   */
  readonly preloadTimeline: boolean;
}

export function renderReplayPage(data: ReplayPageData, { preloadTimeline }: ReplayPageOptions): string {
  // `crossorigin` (credentials: same-origin) makes the preload's request the one the page's plain fetch() sends.
  const preload = preloadTimeline
    ? `<link rel="preload" as="fetch" crossorigin id="${replayTimelinePreloadId}" href="${escapeHtml(`${timelinePath.slice(1)}/${encodeURIComponent(data.attendee)}`)}">\n`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<base href="../">
<title>Replay: ${escapeHtml(data.attendee)} · ${escapeHtml(data.deck.title || 'labdeck')}</title>
${preload}<script async id="${replayXtermScriptId}" src="${assetsUrlPrefix}${replayXtermAsset}"></script>
<link rel="stylesheet" href="${assetsUrlPrefix}${deckStyleAsset}">
${renderLook(data.deck.look)}
<link rel="stylesheet" href="${assetsUrlPrefix}${replayStyleAsset}">
</head>
<body class="labdeck-replay">
<noscript>The replay needs JavaScript.</noscript>
<script type="application/json" id="${replayDataElementId}">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>
<script src="${assetsUrlPrefix}${replayScriptAsset}"></script>
</body>
</html>
`;
}
