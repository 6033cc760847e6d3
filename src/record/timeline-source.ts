// What the replay routes need of the recordings: http/ consumes it, the recorder's store provides it.
import type { Timeline } from '../protocol.ts';

export interface TimelineSource {
  /** The attendee's whole timeline (`local` is the self-paced learner), or undefined when nothing was recorded. */
  timelineOf(attendeeId: string): Promise<Timeline | undefined>;
}
