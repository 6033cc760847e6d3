import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWorkshop } from '../../src/config/workshop.ts';

const workshopWith = (classroom: string[]) => parseWorkshop(['title: T', ...classroom, 'chapters:', '- a.md'].join('\n'), '/w/workshop.yml');

test('classroom: absent, true, or a data folder relative to the manifest', () => {
  assert.deepEqual(workshopWith([]).classroom, { enabled: false, dataDir: undefined, environment: { provider: 'local' }, stuckAfterMs: undefined });
  assert.deepEqual(workshopWith(['classroom: true']).classroom, { enabled: true, dataDir: undefined, environment: { provider: 'local' }, stuckAfterMs: undefined });
  assert.deepEqual(workshopWith(['classroom:', '  data: class-data']).classroom, {
    enabled: true,
    dataDir: '/w/class-data',
    environment: { provider: 'local' },
    stuckAfterMs: undefined,
  });
});

test('classroom: mistakes name file:line', () => {
  assert.throws(() => workshopWith(['classroom:', '  dta: x']).classroom, /^LabdeckError: \/w\/workshop\.yml:3: classroom: unknown key "dta"/);
  assert.throws(() => workshopWith(['classroom: yes please']).classroom, /workshop\.yml:2: classroom: expected true/);
});

test('classroom: stuckAfter is a duration; bad values name file:line', () => {
  assert.equal(workshopWith(['classroom:', '  stuckAfter: 5m']).classroom.stuckAfterMs, 300_000);
  assert.equal(workshopWith(['classroom:', '  stuckAfter: 90s']).classroom.stuckAfterMs, 90_000);
  assert.equal(workshopWith(['classroom:', '  stuckAfter: 1.5h']).classroom.stuckAfterMs, 5_400_000);
  // Positions are the key's own line, not only the section's.
  for (const bad of ['5', '5 minutes', '0s', '-1m', 'soon']) {
    const text = ['title: T', 'classroom:', '  data: d', `  stuckAfter: ${bad}`, 'chapters:', '- a.md'].join('\n');
    assert.throws(
      () => parseWorkshop(text, '/w/workshop.yml'),
      (error: Error) => error.message === '/w/workshop.yml:4: classroom: "stuckAfter" must be a duration above zero such as 90s, 5m or 1h',
      bad,
    );
  }
});
