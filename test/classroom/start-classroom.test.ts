// startClassroom: the class opens, its environment provider is made for the class code, then the two are linked:
// an attendee known at start gets their environment prepared (and the class follows its checks once it is ready),
// one removed has their engine forgotten and their environment taken down; a provider that cannot be made leaves
// no class behind. The `external` provider: its environments are folders, no engine needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startClassroom } from '../../src/classroom/start-classroom.ts';
import type { AttendeeChecks } from '../../src/classroom/classroom.ts';
import type { ClassroomConfig } from '../../src/config/classroom.ts';
import type { EngineClient } from '../../src/engine/services.ts';
import { openProgressStore } from '../../src/progress/store.ts';
import type { DeckJson } from '../../src/protocol.ts';

const deck: DeckJson = { version: 1, title: 'Class', ratio: '16:9', error: null, slides: [], steps: [] };
const deckSource = { current: () => deck, onChange: () => ({ dispose() {} }) };
const noChecks: AttendeeChecks = {
  state: () => ({ engine: { reachable: true, error: null, swarm: 'active' }, results: [] }),
  onUpdate: () => ({ dispose: () => {} }),
};
const noEngine = {} as EngineClient; // `external` never asks the class engine

function externalConfig(attendeesFile: string): ClassroomConfig {
  return { enabled: true, dataDir: undefined, stuckAfterMs: undefined, environment: { provider: 'external', attendeesFile } } as ClassroomConfig;
}

async function until(what: string, done: () => boolean, seen: () => unknown, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`${what} within ${ms} ms; saw ${JSON.stringify(seen())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test("a known attendee's environment is prepared at start and followed once ready; a removed one's goes", { timeout: 15_000 }, async (t) => {
  const scratch = mkdtempSync(join(tmpdir(), 'labdeck-start-class-'));
  const dataDir = join(scratch, 'class');
  const store = openProgressStore(dataDir);
  store.classRecord(() => ({ code: 'ABC234', instructorToken: 'i', watcherToken: 'w', createdAt: 1 }));
  store.addAttendee({ id: 'a-111', name: 'Alice', token: 't1', joinedAt: 1 });
  store.close();
  const attendees = join(scratch, 'attendees.yml');
  writeFileSync(attendees, 'alice:\n  shell: ssh docker@10.0.0.11\n  docker: ssh://docker@10.0.0.11\n');
  const asked: string[] = [];
  const forgotten: string[] = [];
  const { classroom, environments } = startClassroom({
    dataDir,
    config: externalConfig(attendees),
    deck: deckSource,
    docker: noEngine,
    log: () => {},
    checks: {
      forAttendee: (attendee) => {
        asked.push(attendee);
        return noChecks;
      },
      forget: (attendee) => forgotten.push(attendee),
    },
  });
  t.after(() => {
    classroom.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });
  assert.equal(environments.kind, 'external');
  assert.equal(classroom.classCode, 'ABC234');
  // Followed at open, then again once the environment is ready (its engine is known only then).
  await until(
    "Alice's checks asked for again once her environment is ready",
    () => asked.length >= 2,
    () => asked,
  );
  assert.deepEqual(asked, ['a-111', 'a-111']);
  assert.ok(environments.engineOf('a-111'), 'her engine is known');

  assert.equal(classroom.removeAttendee('a-111'), true);
  assert.deepEqual(forgotten, ['a-111'], 'her engine is no longer watched');
  await until(
    'her environment removed',
    () => environments.engineOf('a-111') === undefined,
    () => environments.engineOf('a-111'),
  );
});

test('a provider that cannot be made (an unreadable attendees file) leaves no class behind', { timeout: 15_000 }, (t) => {
  const scratch = mkdtempSync(join(tmpdir(), 'labdeck-start-class-'));
  t.after(() => rmSync(scratch, { recursive: true, force: true }));
  const dataDir = join(scratch, 'class');
  assert.throws(
    () =>
      startClassroom({
        dataDir,
        config: externalConfig(join(scratch, 'missing.yml')),
        deck: deckSource,
        docker: noEngine,
        log: () => {},
        checks: { forAttendee: () => noChecks, forget: () => {} },
      }),
    /cannot read the attendees file/,
  );
  assert.equal(existsSync(dataDir), false, 'the data folder this start made is gone');
});

test("what happened to an attendee's environment (a note) reaches the dashboard's snapshot, and goes when cleared", { timeout: 15_000 }, (t) => {
  const scratch = mkdtempSync(join(tmpdir(), 'labdeck-start-class-'));
  const dataDir = join(scratch, 'class');
  const store = openProgressStore(dataDir);
  store.classRecord(() => ({ code: 'ABC234', instructorToken: 'i', watcherToken: 'w', createdAt: 1 }));
  store.addAttendee({ id: 'a-111', name: 'Alice', token: 't1', joinedAt: 1 });
  store.close();
  const attendees = join(scratch, 'attendees.yml');
  writeFileSync(attendees, 'alice:\n  shell: ssh docker@10.0.0.11\n  docker: ssh://docker@10.0.0.11\n');
  const { classroom, following } = startClassroom({
    dataDir,
    config: externalConfig(attendees),
    deck: deckSource,
    checks: { forAttendee: () => noChecks, forget: () => {} },
    docker: noEngine,
    log: () => {},
  });
  t.after(() => {
    following.dispose();
    classroom.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });
  let changes = 0;
  classroom.onChange(() => changes++);
  const note = { text: 'sandbox recreated (its node failed or left): state lost', at: 7 };
  classroom.environmentNote('a-111', note);
  assert.deepEqual(classroom.dashboard().environmentNotes?.get('a-111'), note);
  assert.equal(changes, 1);
  classroom.environmentNote('a-111', null);
  assert.equal(classroom.dashboard().environmentNotes?.has('a-111'), false);
  classroom.environmentNote('a-111', null);
  assert.equal(changes, 2, 'clearing nothing changes nothing');
});
