// The one door to the yaml package: nodes located by line, failures as file:line, syntax errors where to fix them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMap, isSeq, parseYaml, type YamlNode } from '../../src/config/yaml-source.ts';

test('nodes are located at their line; nothing at all is line 1', { timeout: 5_000 }, () => {
  const source = parseYaml('title: T\nlist:\n  - a\n  - b\n', 'w.yml');
  assert.ok(isMap(source.root));
  const list = source.root.get('list', true);
  assert.ok(isSeq(list));
  assert.deepEqual(source.locate(list.items[1] as YamlNode), { file: 'w.yml', line: 4 });
  assert.deepEqual(source.locate(undefined), { file: 'w.yml', line: 1 });
  assert.deepEqual(source.syntaxErrors, []);
  assert.throws(() => source.fail('"b" is wrong', list.items[1] as YamlNode), { name: 'LabdeckError', message: 'w.yml:4: "b" is wrong' });
});

test('a syntax error is located where to fix it: an open quote at the line of the quote', { timeout: 5_000 }, () => {
  const source = parseYaml('a: 1\nb: "open\nc: 2\n', 'w.yml');
  assert.deepEqual(
    source.syntaxErrors.map((error) => [error.message, error.location.line]),
    [['Missing closing "quote', 2]],
  );
});
