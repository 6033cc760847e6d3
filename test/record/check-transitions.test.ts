// followCheckTransitions: the statuses an attendee's checks publish become transitions (step, from → to, reason);
// the starting statuses are not transitions; when the attendee's checks are replaced (their environment made
// again), what changed in between is one. The feed is an Emitter with the CheckService's shape: the transition logic
// is what is tested here, the real service is in test/checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter } from '../../src/event.ts';
import type { ResultsServerMessage, StepResultJson, StepStatus } from '../../src/protocol.ts';
import { followCheckTransitions, type CheckFeed } from '../../src/record/check-transitions.ts';
import type { CheckTransition } from '../../src/record/recorder.ts';

const result = (stepId: string, status: StepStatus, reason = `${stepId} is ${status}`): StepResultJson => ({
  stepId,
  status,
  reason,
  kind: 'service',
  origin: 'inferred',
  selfReported: false,
  confirmed: false,
  at: 1,
});

function feed(results: StepResultJson[]): CheckFeed & { emit(message: ResultsServerMessage): void } {
  const emitter = new Emitter<ResultsServerMessage>();
  return { state: () => ({ results }), onUpdate: emitter.event, emit: (message) => emitter.fire(message) };
}

test('check transitions: from the starting statuses on, across a change of the attendee checks', () => {
  const first = feed([result('s1', 'failed'), result('s2', 'pending')]);
  let current = first;
  const seen: [string, CheckTransition][] = [];
  const transitions = followCheckTransitions(
    () => current,
    (attendee, transition) => seen.push([attendee, transition]),
  );
  transitions.watch('a-1');
  transitions.watch('a-1');
  assert.deepEqual(seen, [], 'the statuses a recording starts with are no transitions');
  first.emit({ type: 'result', result: result('s1', 'passed', 'service `web`: 1/1 tasks running') });
  first.emit({ type: 'result', result: result('s1', 'passed', 'same status, another reason') });
  assert.deepEqual(seen, [['a-1', { step: 's1', from: 'failed', to: 'passed', reason: 'service `web`: 1/1 tasks running' }]]);

  current = feed([result('s1', 'passed'), result('s2', 'failed')]);
  transitions.watch('a-1');
  assert.deepEqual(seen.at(-1), ['a-1', { step: 's2', from: 'pending', to: 'failed', reason: 's2 is failed' }]);
  first.emit({ type: 'result', result: result('s1', 'error') });
  assert.equal(seen.length, 2, 'the replaced checks are not listened to any more');
  transitions.forget('a-1');
  current.emit({ type: 'results', engine: { reachable: true, error: null, swarm: 'active' }, results: [result('s1', 'failed')] });
  assert.equal(seen.length, 2);
  transitions.dispose();
});
