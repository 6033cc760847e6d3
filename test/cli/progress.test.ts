// `labdeck progress` on a real store in a temp folder, with names stored before the join cleaned them: neither
// export lets a name drive the instructor's terminal (escape sequences, C1 controls, bidi overrides) or run as a
// spreadsheet formula.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProgressStore } from '../../src/progress/store.ts';
import { runLabdeck } from './run-cli.ts';

/** Clears the screen, sets the window title, a C1 CSI, a right-to-left override: what a hostile name can carry. */
const nasty = '\x1b[2J\x1b]0;owned\x07Eve\u009b31m\u202Egnp.exe';
const formula = '=HYPERLINK("http://evil.example","click")';
/** Anything a terminal would act on: C0 but tab and newline, DEL, C1, bidi embeddings, overrides and isolates. */
const terminalControls = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

function withNastyClass(body: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labdeck-progress-'));
    try {
      const store = openProgressStore(dir);
      store.classRecord(() => ({ code: 'ABC234', instructorToken: 'i', watcherToken: 'w', createdAt: 1 }));
      // Straight into the store, the way a class joined before names were cleaned has them.
      store.addAttendee({ id: 'a-1', name: nasty, token: 't-1', joinedAt: 1 });
      store.addAttendee({ id: 'a-2', name: formula, token: 't-2', joinedAt: 2 });
      store.recordResult({ attendee: 'a-1', step: 's1', status: 'failed', reason: 'no \x1b[1mservice\x1b[0m', at: 3 });
      store.recordResult({ attendee: 'a-2', step: 's1', status: 'passed', reason: 'ok', at: 4 });
      store.recordCommand('a-1', { command: 'echo \x1b]52;c;ZXZpbA==\x07', exitCode: 0, at: 5 });
      store.close();
      await body(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'progress --csv: controls are neutralised and a formula stays text',
  { timeout: 30_000 },
  withNastyClass(async (dir) => {
    const run = await runLabdeck(['progress', '--data', dir, '--csv']);
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, terminalControls, JSON.stringify(run.stdout));
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3, run.stdout);
    assert.equal(lines[1], 'a-1,Evegnp.exe,s1,failed,no service,1970-01-01T00:00:00.003Z');
    assert.equal(lines[2], `a-2,"'=HYPERLINK(""http://evil.example"",""click"")",s1,passed,ok,1970-01-01T00:00:00.004Z`);
  }),
);

test(
  'progress --json: controls are written as \\u escapes, and the data reads back exactly as stored',
  { timeout: 30_000 },
  withNastyClass(async (dir) => {
    const run = await runLabdeck(['progress', '--data', dir, '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, terminalControls, JSON.stringify(run.stdout));
    const exported = JSON.parse(run.stdout) as { attendees: { name: string; commands: { lastCommand: string } | null }[] };
    assert.deepEqual(
      exported.attendees.map((attendee) => attendee.name),
      [nasty, formula],
      'JSON loses nothing',
    );
    assert.equal(exported.attendees[0]!.commands?.lastCommand, 'echo \x1b]52;c;ZXZpbA==\x07');
  }),
);
