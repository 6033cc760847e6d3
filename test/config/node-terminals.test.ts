// The terminals an attendee can open on the other nodes of their cluster from the pane (config/node-terminals.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeTerminals } from '../../src/config/node-terminals.ts';
import type { TerminalSpec } from '../../src/config/terminals.ts';

const terminal = (name: string, node?: string): TerminalSpec => ({ name, command: ['bash', '-l'], localShell: true, node, location: { file: 'w.yml', line: 1 } });
const config = (terminals: TerminalSpec[]) => ({ terminals, location: { file: 'w.yml', line: 3 } });

test('one terminal per node but node1, a login shell named after the node', () => {
  const terminals = nodeTerminals(config([terminal('shell')]), 3);
  assert.deepEqual(
    terminals.map(({ node, terminal: name, spec }) => [node, name, spec?.command.join(' '), spec?.node]),
    [
      ['node2', 'node2', 'bash -l', 'node2'],
      ['node3', 'node3', 'bash -l', 'node3'],
    ],
  );
});

test('none in a class of single sandboxes', () => {
  assert.deepEqual(nodeTerminals(config([terminal('shell')]), 1), []);
});

test("a node that workshop.yml gives a terminal already opens that one; a workshop's name is never taken", () => {
  const terminals = nodeTerminals(config([terminal('shell'), terminal('second', 'node2'), terminal('node3'), terminal('node3-shell')]), 3);
  assert.deepEqual(
    terminals.map(({ node, terminal: name, spec }) => [node, name, spec === undefined]),
    [
      ['node2', 'second', true],
      ['node3', 'node3-2', false],
    ],
  );
});
