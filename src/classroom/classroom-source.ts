// What the classroom routes and the dashboard need of the class; classroom.ts's Classroom is one.
import type { Event } from '../event.ts';
import type { ClassSnapshot } from './board.ts';

/** What the routes and the dashboard need of the class (classroom.ts builds it). */
export interface ClassroomSource {
  readonly classCode: string;
  /** Registers an attendee and returns their personal token. */
  join(name: string): string;
  dashboard(): ClassSnapshot;
  /**
   * The instructor removes an attendee (a stray second join, someone who left): their token stops working, their
   * connections and terminals close, their progress is forgotten. False when there was no such attendee.
   */
  removeAttendee(attendee: string): boolean;
  /** Something on the dashboard changed (an attendee joined, a result changed). */
  readonly onChange: Event<void>;
}
