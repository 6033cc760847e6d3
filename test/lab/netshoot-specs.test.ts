// The sample workshop's check specs: every step of the seed chapter gets an explicit, valid check, and the lab's
// offline image substitutes reach the catalog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadWorkshopChecks } from '../../src/workshop/workshop-checks.ts';
import { IMAGE_SUBSTITUTES } from '../../src/lab/image-substitutes.ts';
import { buildCatalog } from '../../src/checks/catalog.ts';

const manifest = fileURLToPath(new URL('../../workshop.yml', import.meta.url));

test('exercises/netshoot.yml: valid, and every step of the seed chapter is specified there', async () => {
  const { deck, catalog } = await loadWorkshopChecks(manifest);
  assert.deepEqual(
    catalog.errors.map((error) => error.message),
    [],
  );
  const seedSteps = deck.steps.filter((step) => step.source.file.endsWith('slides/netshoot.md'));
  assert.equal(seedSteps.length, 16);
  for (const step of seedSteps) {
    const check = catalog.checks.find((c) => c.stepId === step.id)!;
    assert.equal(check.origin.how, 'specified', `${step.id} (${step.commands.join('; ')})`);
    assert.ok(check.origin.how === 'specified' && check.origin.file.endsWith('exercises/netshoot.yml'));
  }
  const apk = catalog.checks.find((c) => deck.steps.find((s) => s.id === c.stepId)!.commands[0]!.startsWith('apk add'))!;
  assert.deepEqual(apk.check, { kind: 'exec', target: { service: 'debug' }, command: 'which curl ab drill' });
});

test('the lab substitutes its toolbox for alpine: inferred image checks accept both', async () => {
  const { deck } = await loadWorkshopChecks(manifest);
  const inferred = buildCatalog(deck, [], { imageSubstitutes: IMAGE_SUBSTITUTES });
  const debug = inferred.checks.find((c) => c.check.kind === 'service' && c.check.name === 'debug')!;
  assert.equal(debug.origin.how, 'inferred');
  assert.deepEqual(debug.check.kind === 'service' && debug.check.image, ['alpine', 'labdeck/toolbox:latest']);
});

test('a broken spec is reported as file:line', async () => {
  const { deck } = await loadWorkshopChecks(manifest);
  const broken = buildCatalog(deck, [{ file: 'exercises/x.yml', text: 'steps:\n  - slide: labels\n    step: 7\n    check: { ran: docker }\n' }]);
  assert.equal(broken.errors.length, 1);
  assert.equal(broken.errors[0]!.location?.line, 2);
  assert.match(broken.errors[0]!.message, /no step 7/);
});
