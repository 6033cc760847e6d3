import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWorkshop } from '../../src/config.ts';
import { classroomConfigOf } from '../../src/config-classroom.ts';

const workshopWith = (classroom: string[]) => parseWorkshop(['title: T', ...classroom, 'chapters:', '- a.md'].join('\n'), '/w/workshop.yml');

test('classroom: absent, true, or a data folder relative to the manifest', () => {
  assert.deepEqual(classroomConfigOf(workshopWith([]), '/w/workshop.yml'), { enabled: false, dataDir: undefined, environment: { provider: 'local' } });
  assert.deepEqual(classroomConfigOf(workshopWith(['classroom: true']), '/w/workshop.yml'), { enabled: true, dataDir: undefined, environment: { provider: 'local' } });
  assert.deepEqual(classroomConfigOf(workshopWith(['classroom:', '  data: class-data']), '/w/workshop.yml'), { enabled: true, dataDir: '/w/class-data', environment: { provider: 'local' } });
});

test('classroom: mistakes name file:line', () => {
  assert.throws(() => classroomConfigOf(workshopWith(['classroom:', '  dta: x']), '/w/workshop.yml'), /^LabdeckError: \/w\/workshop\.yml:3: classroom: unknown key "dta"/);
  assert.throws(() => classroomConfigOf(workshopWith(['classroom: yes please']), '/w/workshop.yml'), /workshop\.yml:2: classroom: expected true/);
});
