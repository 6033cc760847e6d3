// Turns the step results an attendee's checks publish (checks/service.ts onUpdate) into transitions for the
// recording: step, from → to, and the reason. The statuses a recording starts with are its starting point, not
// transitions. An attendee's checks may be replaced (their environment made again, its engine known only later):
// watch() follows the current ones, and what changed in between is a transition too.
import type { ResultsServerMessage, StepResultJson } from '../protocol.ts';
import type { Disposable, Event } from '../event.ts';
import type { CheckTransition } from './recorder.ts';

/** What is read of an attendee's checks (a CheckService is one). */
export interface CheckFeed {
  state(): { readonly results: readonly StepResultJson[] };
  readonly onUpdate: Event<ResultsServerMessage>;
}

export interface CheckTransitions extends Disposable {
  /** Follows the attendee's current checks (again, when they changed); cheap when they did not. */
  watch(attendee: string): void;
  forget(attendee: string): void;
}

export function followCheckTransitions(feedOf: (attendee: string) => CheckFeed, onTransition: (attendee: string, transition: CheckTransition) => void): CheckTransitions {
  const followed = new Map<string, { feed: CheckFeed; subscription: Disposable; statuses: Map<string, string> }>();
  const apply = (attendee: string, statuses: Map<string, string>, results: readonly StepResultJson[], silent: boolean): void => {
    for (const result of results) {
      const from = statuses.get(result.stepId);
      statuses.set(result.stepId, result.status);
      if (!silent && from !== undefined && from !== result.status) onTransition(attendee, { step: result.stepId, from, to: result.status, reason: result.reason });
    }
  };
  return {
    watch(attendee) {
      const feed = feedOf(attendee);
      const current = followed.get(attendee);
      if (current?.feed === feed) return;
      current?.subscription.dispose();
      const statuses = current?.statuses ?? new Map<string, string>();
      apply(attendee, statuses, feed.state().results, current === undefined);
      const subscription = feed.onUpdate((message) => {
        if (message.type === 'result') apply(attendee, statuses, [message.result], false);
        else if (message.type === 'results') apply(attendee, statuses, message.results, false);
      });
      followed.set(attendee, { feed, subscription, statuses });
    },
    forget(attendee) {
      followed.get(attendee)?.subscription.dispose();
      followed.delete(attendee);
    },
    dispose() {
      for (const { subscription } of followed.values()) subscription.dispose();
      followed.clear();
    },
  };
}
