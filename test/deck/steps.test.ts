import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractSteps, parseHandsOnBlock } from '../../src/deck/steps.ts';
import type { ContentNode, ModelSlide, RenderedSlide } from '../../src/deck/types.ts';

function slide(position: number, ownContent: ContentNode[], extra: Partial<ModelSlide> = {}): ModelSlide {
  return {
    position,
    number: position,
    name: undefined,
    classes: [],
    properties: { continued: 'false' },
    content: ownContent,
    ownContent,
    notes: [],
    continued: false,
    line: 1,
    ...extra,
  };
}

function renderedFor(model: ModelSlide[], file = 'chapter.md', lines: number[] = model.map((s) => s.line)): RenderedSlide[] {
  return model.map((s, i) => ({
    position: s.position,
    number: s.number,
    name: s.name,
    classes: s.classes,
    properties: s.properties,
    continued: s.continued,
    html: '',
    notesHtml: '',
    numberText: '',
    source: { file, line: lines[i]! },
  }));
}

const exercise = (markdown: string): ContentNode => ({ classes: ['exercise'], block: true, content: [markdown] });

const block = [
  '',
  '<!-- Give it a few seconds ```bash sleep 5``` -->',
  '',
  '- Create a service *named* `web`:',
  '  ```bash',
  '  docker service create --name web \\',
  '      --publish 8000:80 `nginx`',
  '  ```',
  '',
  '  <!-- ```wait Running``` -->',
  '',
  '  ```bash',
  '  docker service ps web',
  '  ```',
  '',
  '- Look at the [documentation](https://docs.docker.com):',
  '  ```',
  '  not run: shown only',
  '  ```',
  '  - a nested bullet stays in its step',
  '',
  '<!--',
  '```key ^C```',
  '```copypaste docker swarm join --token SWMTKN.*?:2377```',
  '-->',
  '',
  '- Check the YAML:',
  '  ```yaml',
  '  - not: a step',
  '  ```',
  '',
].join('\n');

test('list items of a hands-on block: text, shell commands and hidden directives', () => {
  const items = parseHandsOnBlock(block);
  assert.equal(items.length, 3);
  assert.deepEqual(items[0], {
    text: 'Create a service named web:',
    commands: ['docker service create --name web --publish 8000:80 nginx', 'docker service ps web'],
    directives: [
      { kind: 'bash', argument: 'sleep 5', afterCommands: 0 },
      { kind: 'wait', argument: 'Running', afterCommands: 1 },
    ],
    line: 3,
  });
  assert.equal(items[1]!.text, 'Look at the documentation: - a nested bullet stays in its step');
  assert.deepEqual(items[1]!.commands, [], 'an unlabelled fence is shown, not run');
  assert.deepEqual(items[1]!.directives, [
    { kind: 'key', argument: '^C', afterCommands: 0 },
    { kind: 'copypaste', argument: 'docker swarm join --token SWMTKN.*?:2377', afterCommands: 0 },
  ]);
  assert.deepEqual(items[2], { text: 'Check the YAML:', commands: [], directives: [], line: 26 });
});

test('comments that are not directives, and bullets inside comments, are ignored', () => {
  const items = parseHandsOnBlock('\n<!--\n- commented out step\n-->\n- Real step\n<!-- class: x -->\n');
  assert.deepEqual(items, [{ text: 'Real step', commands: [], directives: [], line: 4 }]);
});

test("steps come from each slide's own content, with positions, indexes and source lines", () => {
  const first = slide(1, ['# Swarm\n\n', exercise('\n- Run one:\n  ```bash\n  docker ps\n  ```\n\n- Run two\n'), '\n'], { line: 10 });
  // An increment whose content repeats the previous block: only its own content counts.
  const increment = slide(2, ['\nAnd now:\n', exercise('\n- Third step\n')], {
    continued: true,
    properties: { continued: 'true' },
    content: [...first.content, '\nAnd now:\n', exercise('\n- Third step\n')],
    line: 20,
  });
  const model = [first, increment];
  const steps = extractSteps(model, renderedFor(model, 'swarm.md', [10, 20]), ['exercise', 'lab']);
  assert.deepEqual(
    steps.map((s) => [s.slide, s.index, s.text, s.commands, `${s.source.file}:${s.source.line}`]),
    [
      [1, 0, 'Run one:', ['docker ps'], 'swarm.md:13'],
      [1, 1, 'Run two', [], 'swarm.md:18'],
      [2, 0, 'Third step', [], 'swarm.md:23'],
    ],
  );
  assert.ok(
    steps.every((s) => s.id.startsWith('swarm.')),
    'the nearest heading (inherited by the increment) names them',
  );
  assert.equal(extractSteps(model, renderedFor(model), ['lab']).length, 0, 'only the configured hands-on classes');
});

test('property lines at the top of a slide are accounted for in source lines', () => {
  const named = slide(1, ['\n\n', exercise('\n- Step\n')], { name: 'setup', properties: { continued: 'false', name: 'setup', class: 'x' }, line: 5 });
  const [step] = extractSteps([named], renderedFor([named], 'c.md', [5]), ['exercise']);
  // Source: 5 name:, 6 class:, 7 blank, 8 .exercise[, 9 - Step (remark.js left "\n\n" of the three first lines)
  assert.equal(step!.source.line, 9);
  assert.match(step!.id, /^setup\.[0-9a-f]{8}$/);
});

test('ids are stable when the rest of the deck changes, and exact duplicates get a counter', () => {
  const lab = (position: number) =>
    slide(position, ['## Scale up\n', { classes: ['lab'], block: true, content: ['\n- Scale:\n  ```bash\n  docker service scale web=3\n  ```\n'] }]);
  const before = extractSteps([lab(1)], renderedFor([lab(1)]), ['lab']);
  const other = slide(1, ['# Intro\n', { classes: ['lab'], block: true, content: ['\n- Something else\n'] }]);
  const after = extractSteps([other, lab(2)], renderedFor([other, lab(2)]), ['lab']);
  assert.equal(after[1]!.id, before[0]!.id);
  assert.equal(after[1]!.slide, 2);
  const twice = extractSteps([lab(1), lab(2)], renderedFor([lab(1), lab(2)]), ['lab']);
  assert.equal(twice[1]!.id, `${twice[0]!.id}-2`);
  assert.notEqual(after[0]!.id, after[1]!.id);
});
