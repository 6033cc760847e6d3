// The replay page's request for its timeline. The page's first script, small (build/replay-prefetch.js), sends it
// before the player's bundle is evaluated (xterm.js: about 100 ms on the reference machine), so that the server
// prepares the timeline and its keyframes meanwhile; the player's bundle takes the response. The token a link
// brought goes with it (Authorization), the cookie otherwise.
import { replayDataElementId, timelinePath, type ReplayPageData, type Timeline } from '../protocol.ts';
import { takeLinkToken } from './link-token.ts';
import { pageElement } from './page-element.ts';

const pendingGlobal = 'labdeckReplayTimeline';

type WindowWithTimeline = Window & { [pendingGlobal]?: Promise<Timeline> };

/** What the server embedded in the page: whose replay it is, and the deck. */
export function replayPageData(): ReplayPageData {
  return JSON.parse(pageElement(replayDataElementId).textContent ?? '') as ReplayPageData;
}

/** Sends the request now (the page's first script). */
export function prefetchTimeline(): void {
  const pending = fetchTimeline(replayPageData().attendee);
  // Handled by whoever takes it; until then a failure is not an unhandled rejection.
  pending.catch(() => {});
  (window as WindowWithTimeline)[pendingGlobal] = pending;
}

/** The timeline the first script asked for, or (without it) asked for now. */
export function takeTimeline(attendee: string): Promise<Timeline> {
  const pending = (window as WindowWithTimeline)[pendingGlobal];
  delete (window as WindowWithTimeline)[pendingGlobal];
  return pending ?? fetchTimeline(attendee);
}

async function fetchTimeline(attendee: string): Promise<Timeline> {
  const token = takeLinkToken();
  const response = await fetch(`${timelinePath.slice(1)}/${encodeURIComponent(attendee)}`, {
    cache: 'no-store',
    headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  const body = (await response.json().catch(() => ({}))) as Timeline & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `The recording could not be loaded (HTTP ${response.status}).`);
  return body;
}
