// `labdeck lint` checks mermaid diagrams with mermaid's own parser: an error at the chapter's line where the parser
// stopped; a deck without diagrams does not load mermaid.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLabdeck } from './run-cli.ts';
import { diagramDiagnostics } from '../../src/workshop/diagram-syntax.ts';

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'labdeck-lint-diagrams-'));
  await mkdir(join(dir, 'slides'));
  await writeFile(join(dir, 'workshop.yml'), 'title: Diagrams\ncontent:\n- slides/first.md\n- slides/diagrams.md\n');
  await writeFile(join(dir, 'slides', 'first.md'), '## First\n\nNo diagram here.\n');
  await writeFile(
    join(dir, 'slides', 'diagrams.md'),
    [
      '## A good one', //                       1
      '',
      '<pre class="mermaid">',
      'graph LR',
      '  K[Kitchen] --> D[Dining room]',
      '</pre>',
      '',
      '---',
      '',
      '## A broken flowchart', //               10
      '',
      '<pre class="mermaid">',
      '  graph LR', //                         13
      '    A --> B',
      '    B -- > C', //                       15: the parser stops here
      '</pre>',
      '',
      '---',
      '',
      '## A broken sequence diagram', //        20
      '',
      '<pre class="mermaid">sequenceDiagram', // 22
      '  Alice->>Bob: hi',
      '  Bob-->>>Alice', //                    24
      '</pre>',
      '',
      '---',
      '',
      '<pre class="mermaid">', //              29
      'notadiagram', //                        30
      '</pre>',
      '',
      '---',
      '',
      '<pre class="mermaid">', //              35
      'graph LR',
      '  A --> B',
      '--', //                                 38: an increment, for remark.js
      '  B --> C',
      '</pre>',
    ].join('\n'),
  );
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('lint reports each diagram mermaid cannot parse as file:line, the line where its parser stopped', { timeout: 60_000 }, async () => {
  const run = await runLabdeck(['lint'], { cwd: dir });
  assert.equal(run.code, 1, run.stdout + run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.length, 4, run.stdout);
  assert.match(lines[0] ?? '', /^slides\/diagrams\.md:15: mermaid diagram: Expecting .*/);
  assert.match(lines[1] ?? '', /^slides\/diagrams\.md:24: mermaid diagram: Expecting .*got 'INVALID'/);
  assert.match(lines[2] ?? '', /^slides\/diagrams\.md:30: mermaid diagram: no diagram type is named by its first line \("notadiagram"\)/);
  assert.match(lines[3] ?? '', /^slides\/diagrams\.md:38: "--" inside a mermaid diagram ends the slide there, .* \(warning\)$/);
  assert.match(run.stderr, /^3 errors, 1 warning$/m);
});

test('a deck without diagrams does not load mermaid; one with diagrams does', { timeout: 5_000 }, async () => {
  let loads = 0;
  const loader = async () => {
    loads += 1;
    return async () => {};
  };
  assert.deepEqual(await diagramDiagnostics([], loader), []);
  assert.equal(loads, 0);
  assert.deepEqual(await diagramDiagnostics([{ location: { file: 'a.md', line: 3 }, text: 'graph LR' }], loader), []);
  assert.equal(loads, 1);
});
