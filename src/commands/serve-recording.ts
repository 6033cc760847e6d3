// `labdeck serve`'s recordings (the workshop's `record:` settings): one Recorder writing under the data folder, the
// check transitions of every attendee it records, retention (at start, then hourly), and the Recordings the replay
// routes read. Undefined when the workshop says `record: false`.
import type { RecordConfig } from '../config/record.ts';
import type { DeckSource } from '../deck/deck-source.ts';
import type { Disposable } from '../event.ts';
import { followCheckTransitions, type CheckFeed } from '../record/check-transitions.ts';
import { Recorder } from '../record/recorder.ts';
import { Recordings, recordingsFolder } from '../record/recordings.ts';
import type { CommandRecord } from '../protocol.ts';

export interface ServeRecordingOptions {
  /** The class's data folder, or the self-paced learner's (`.labdeck/` beside the workshop by default). */
  readonly dataDir: string;
  readonly deck: DeckSource;
  /** Each attendee's checks (their environment's): their transitions are recorded. */
  readonly checksOf: (attendee: string) => CheckFeed;
  readonly log: (line: string) => void;
}

export interface ServeRecording extends Disposable {
  readonly recorder: Recorder;
  readonly recordings: Recordings;
  /** For TerminalManager's `tap`. */
  readonly tap: Recorder['tap'];
  commandRan(record: CommandRecord): void;
  /** An attendee's page is on this slide (0-based). */
  slideMoved(attendee: string, index: number): void;
  /** The attendee left the class: their recording goes. */
  remove(attendee: string): void;
  /** Writes what waits and closes the segments. */
  close(): Promise<void>;
}

const retentionSweepMs = 3_600_000;

export function startServeRecording(config: RecordConfig, options: ServeRecordingOptions): ServeRecording | undefined {
  if (!config.enabled) return undefined;
  // Folders are made at the first thing recorded (recorder.ts): a start that fails (a busy port) leaves nothing, and a
  // folder that cannot be made costs the recording, never the server.
  const folder = recordingsFolder(options.dataDir);
  const recordings = new Recordings({ folder, log: options.log });
  const sweep = (): void => {
    const removed = recordings.removeOlderThan(config.retentionMs);
    if (removed > 0) options.log(`recordings: ${removed} segment(s) older than the retention time removed`);
  };
  sweep();
  const sweeper = setInterval(sweep, retentionSweepMs);
  sweeper.unref();
  const recorder = new Recorder({ folder, input: config.input, log: options.log });
  const transitions = followCheckTransitions(options.checksOf, (attendee, transition) => recorder.check(attendee, transition));
  return {
    recorder,
    recordings,
    tap: (start) => {
      transitions.watch(start.attendee);
      return recorder.tap(start);
    },
    commandRan(record) {
      const attendee = record.terminal.split('/')[0] ?? '';
      transitions.watch(attendee);
      recorder.commandRan(record);
    },
    slideMoved(attendee, index) {
      transitions.watch(attendee);
      recorder.slide(attendee, index, options.deck.current().slides[index]?.name ?? undefined);
    },
    remove(attendee) {
      transitions.forget(attendee);
      recorder.remove(attendee).catch((error: unknown) => options.log(`recording ${attendee}: not removed: ${(error as Error).message}`));
    },
    close() {
      clearInterval(sweeper);
      transitions.dispose();
      return recorder.close();
    },
    dispose() {
      void this.close();
    },
  };
}
