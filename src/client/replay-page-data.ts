// What the server put in the replay page (src/http/replay-page.ts): whose replay it is and the deck, then the timeline
// (or why there is none).
import { replayDataElementId, replayTimelineElementId, type ReplayPageData, type ReplayPageTimeline, type Timeline } from '../protocol.ts';
import { pageElement } from './page-element.ts';

export function replayPageData(): ReplayPageData {
  return JSON.parse(pageElement(replayDataElementId).textContent ?? '') as ReplayPageData;
}

/** The attendee's timeline; throws, saying why, when there is none. */
export function replayTimeline(): Timeline {
  const read = JSON.parse(pageElement(replayTimelineElementId).textContent ?? '') as ReplayPageTimeline;
  if ('problem' in read) throw new Error(read.problem);
  return read.timeline;
}
