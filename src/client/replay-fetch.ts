// The replay page's request for its timeline. When the page's cookie opened it, the server has the browser preload
// the timeline from the page's head (`<link rel=preload as=fetch>`: src/http/replay-page.ts), before the stylesheets
// and scripts: the page's fetch, with the same URL, mode and headers, takes that response. A page a link opened
// (`?token=`) asks for it here, with the link's token (Authorization), which it also takes out of the address bar.
import { replayDataElementId, replayTimelinePreloadId, timelinePath, type ReplayPageData, type Timeline } from '../protocol.ts';
import { takeLinkToken } from './link-token.ts';
import { pageElement } from './page-element.ts';

/** What the server embedded in the page: whose replay it is, and the deck. */
export function replayPageData(): ReplayPageData {
  return JSON.parse(pageElement(replayDataElementId).textContent ?? '') as ReplayPageData;
}

/** `attendee`'s timeline: the one the page preloaded, or asked for now with the link's token. */
export async function fetchTimeline(attendee: string): Promise<Timeline> {
  const preloaded = document.getElementById(replayTimelinePreloadId);
  let response: Response;
  if (preloaded instanceof HTMLLinkElement) {
    // No header of its own: a request that differs from the preload's is sent again instead of taking its response.
    response = await fetch(preloaded.href);
  } else {
    const token = takeLinkToken();
    response = await fetch(`${timelinePath.slice(1)}/${encodeURIComponent(attendee)}`, {
      headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  }
  const body = (await response.json().catch(() => ({}))) as Timeline & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `The recording could not be loaded (HTTP ${response.status}).`);
  return body;
}
