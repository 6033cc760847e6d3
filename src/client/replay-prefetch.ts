// Entry point of the replay page's first script (build/replay-prefetch.js): asks for the timeline at once (see
// replay-fetch.ts).
import { prefetchTimeline } from './replay-fetch.ts';

prefetchTimeline();
