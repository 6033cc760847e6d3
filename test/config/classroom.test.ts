import { after, test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { parseWorkshop } from '../../src/config.ts';
import { classroomConfigOf } from '../../src/config-classroom.ts';

const workshopWith = (classroom: string[]) => parseWorkshop(['title: T', ...classroom, 'chapters:', '- a.md'].join('\n'), '/w/workshop.yml');

test('classroom: absent, true, or a data folder relative to the manifest', () => {
  assert.deepEqual(classroomConfigOf(workshopWith([]), '/w/workshop.yml'), { enabled: false, dataDir: undefined, environment: { provider: 'local' }, stuckAfterMs: undefined });
  assert.deepEqual(classroomConfigOf(workshopWith(['classroom: true']), '/w/workshop.yml'), { enabled: true, dataDir: undefined, environment: { provider: 'local' }, stuckAfterMs: undefined });
  assert.deepEqual(classroomConfigOf(workshopWith(['classroom:', '  data: class-data']), '/w/workshop.yml'), { enabled: true, dataDir: '/w/class-data', environment: { provider: 'local' }, stuckAfterMs: undefined });
});

test('classroom: mistakes name file:line', () => {
  assert.throws(() => classroomConfigOf(workshopWith(['classroom:', '  dta: x']), '/w/workshop.yml'), /^LabdeckError: \/w\/workshop\.yml:3: classroom: unknown key "dta"/);
  assert.throws(() => classroomConfigOf(workshopWith(['classroom: yes please']), '/w/workshop.yml'), /workshop\.yml:2: classroom: expected true/);
});

test('classroom: stuckAfter is a duration; bad values name file:line', () => {
  assert.equal(classroomConfigOf(workshopWith(['classroom:', '  stuckAfter: 5m']), '/w/workshop.yml').stuckAfterMs, 300_000);
  assert.equal(classroomConfigOf(workshopWith(['classroom:', '  stuckAfter: 90s']), '/w/workshop.yml').stuckAfterMs, 90_000);
  assert.equal(classroomConfigOf(workshopWith(['classroom:', '  stuckAfter: 1.5h']), '/w/workshop.yml').stuckAfterMs, 5_400_000);
  // A manifest on disk: positions are the key's own line (not only the section's).
  const folder = mkdtempSync(join(tmpdir(), 'labdeck-classroom-config-'));
  after(() => rmSync(folder, { recursive: true, force: true }));
  const manifest = join(folder, 'workshop.yml');
  for (const bad of ['5', '5 minutes', '0s', '-1m', 'soon']) {
    const text = ['title: T', 'classroom:', '  data: d', `  stuckAfter: ${bad}`, 'chapters:', '- a.md'].join('\n');
    writeFileSync(manifest, text);
    assert.throws(
      () => classroomConfigOf(parseWorkshop(text, manifest), manifest),
      (error: Error) => error.message === `${manifest}:4: classroom: "stuckAfter" must be a duration above zero such as 90s, 5m or 1h`,
      bad,
    );
  }
});
