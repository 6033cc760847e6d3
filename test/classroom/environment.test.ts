// An attendee's environment can become ready after they joined (the `external` provider learns their engine then):
// environmentChanged() makes the class follow the checks checksOf() gives from then on, and stop following the old.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openClassroom, type AttendeeChecks } from '../../src/classroom/classroom.ts';
import type { DeckJson, ResultsServerMessage, StepResultJson, StepStatus } from '../../src/protocol.ts';

const deck: DeckJson = {
  version: 1,
  title: 'Class',
  ratio: '16:9',
  error: null,
  slides: [],
  steps: [{ id: 's1', slide: 0, index: 0, text: 'Run it', commands: [], directives: [], source: { file: 'slides/class.md', line: 1 } }],
};
const result = (status: StepStatus, at: number): StepResultJson => ({
  stepId: 's1',
  status,
  reason: status,
  kind: 'service',
  origin: 'specified',
  selfReported: false,
  confirmed: false,
  at,
});

/** A CheckService stand-in: its current results, and a way to push an update to its listeners. */
function fakeChecks(initial: StepResultJson[]): AttendeeChecks & { push(result: StepResultJson): void; listeners: number } {
  const listeners = new Set<(message: ResultsServerMessage) => void>();
  return {
    state: () => ({ engine: { reachable: true, error: null, swarm: 'active' }, results: initial }),
    onUpdate(listener) {
      listeners.add(listener);
      return { dispose: () => void listeners.delete(listener) };
    },
    push: (pushed) => {
      for (const listener of listeners) listener({ type: 'result', result: pushed });
    },
    get listeners() {
      return listeners.size;
    },
  };
}

test('environmentChanged: the new checks are followed from their current results on, the old ones no longer', (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'labdeck-classroom-env-'));
  const shared = fakeChecks([result('pending', 1)]);
  const own = fakeChecks([result('failed', 2)]);
  let ready = false;
  const arrived: string[] = [];
  const classroom = openClassroom({
    dataDir,
    deck: { current: () => deck, onChange: () => ({ dispose() {} }) },
    openToLocalAttendee: false,
    checksOf: () => (ready ? own : shared),
  });
  classroom.onArrival((attendee) => arrived.push(attendee.id));
  t.after(() => {
    classroom.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const statusOf = () => classroom.dashboard().results.map(({ attendee, status }) => ({ attendee, status }));
  classroom.join('Alice');
  const alice = classroom.dashboard().attendees[0]!.id;
  assert.deepEqual(arrived, [alice], 'joining is when the environment is prepared');
  assert.deepEqual(statusOf(), [{ attendee: alice, status: 'pending' }]);

  let changes = 0;
  classroom.onChange(() => changes++);
  classroom.environmentChanged(alice); // not ready yet: the same checks, nothing happens
  assert.equal(shared.listeners, 1);
  assert.equal(changes, 0);

  ready = true;
  classroom.environmentChanged(alice);
  assert.deepEqual(statusOf(), [{ attendee: alice, status: 'failed' }], "the new environment's current result is recorded");
  assert.equal(changes, 1);
  assert.equal(shared.listeners, 0, 'the old checks are no longer followed');
  assert.equal(own.listeners, 1);
  shared.push(result('passed', 3));
  assert.deepEqual(statusOf(), [{ attendee: alice, status: 'failed' }], 'the old environment cannot change the result');
  own.push(result('passed', 4));
  assert.deepEqual(statusOf(), [{ attendee: alice, status: 'passed' }]);

  classroom.environmentChanged('a-stranger');
  assert.equal(classroom.dashboard().attendees.length, 1, 'an unknown attendee is ignored');
  assert.deepEqual(arrived, [alice]);
});
