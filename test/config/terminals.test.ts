// workshop.yml's `terminals:` key: named terminals, command templates, settings, and file:line errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWorkshop } from '../../src/config/workshop.ts';
import { localShellsRefusedOn } from '../../src/config/terminals.ts';
import { terminalAccessFor } from '../../src/http/terminal-route.ts';

const manifest = (terminals: string) => `title: T\ncontent: [a.md]\nterminals:\n${terminals}`;
const parse = (terminals: string) => parseWorkshop(manifest(terminals), 'w.yml');

test('named terminals in order, local shells recognised, settings read', () => {
  const config = parse(
    '  shell: local\n  node1: ssh {attendee}@node1\n  box: [docker, exec, -it, "{attendee}-box", sh]\n  raw: bash\n  graceTime: 90s\n  allowLocalShellOnNetwork: true\n',
  ).terminals!;
  assert.deepEqual(
    config.terminals.map((t) => [t.name, t.command.join(' '), t.localShell, t.location.line]),
    [
      ['shell', 'bash -l', true, 4],
      ['node1', 'ssh {attendee}@node1', false, 5],
      ['box', 'docker exec -it {attendee}-box sh', false, 6],
      ['raw', 'bash', true, 7],
    ],
  );
  assert.equal(config.graceMs, 90_000);
  assert.equal(config.allowLocalShellOnNetwork, true);
  assert.equal(parseWorkshop('title: T\ncontent: [a.md]', 'w.yml').terminals, undefined);
  assert.equal(parse('  shell:\n').terminals!.terminals[0]!.localShell, true, 'an empty value is the local shell');
});

test('mistakes are reported at their line', () => {
  const cases: [string, RegExp][] = [
    ['  - shell', /w\.yml:4: "terminals" must be a mapping/],
    ['  bad name: local', /w\.yml:4: terminal name "bad name"/],
    ['  shell: local\n  node1: ssh {who}@node1', /w\.yml:5: terminal "node1": unknown placeholder \{who\}/],
    ['  shell: local\n  graceTime: soon', /w\.yml:5: "terminals.graceTime" must be a duration/],
    ['  shell: local\n  allowLocalShellOnNetwork: yes please', /w\.yml:5: "terminals.allowLocalShellOnNetwork" must be true or false/],
    ['  graceTime: 5m', /w\.yml:4: "terminals" names no terminal/],
    ['  shell: {command: {x: 1}}', /w\.yml:4: terminal "shell": the command must be/],
  ];
  for (const [text, expected] of cases) assert.throws(() => parse(text), expected, text);
});

test('a local shell on a network address is refused unless allowed', () => {
  const config = parse('  shell: local\n  node1: ssh {attendee}@node1\n').terminals!;
  assert.deepEqual(
    localShellsRefusedOn(config, true).map((t) => t.name),
    ['shell'],
  );
  assert.deepEqual(localShellsRefusedOn(config, false), []);
  assert.deepEqual(localShellsRefusedOn(parse('  shell: local\n  allowLocalShellOnNetwork: true\n').terminals!, true), []);
});

test('tokens grant terminals: attendees their own, instructors any, watchers read-only', () => {
  const hello = (attendee?: string) => ({ version: 1, token: 't', terminal: 'shell', cols: 80, rows: 24, ...(attendee ? { attendee } : {}) });
  const alice = { role: 'attendee', attendee: 'alice', name: 'Alice' } as const;
  assert.deepEqual(terminalAccessFor(alice, hello()), { attendee: 'alice', role: 'owner' });
  assert.equal(terminalAccessFor(alice, hello('bob')), undefined);
  assert.deepEqual(terminalAccessFor({ role: 'instructor', attendee: 'instructor', name: 'i' }, hello('bob')), { attendee: 'bob', role: 'instructor' });
  assert.deepEqual(terminalAccessFor({ role: 'watcher', attendee: 'watcher', name: 'p' }, hello()), { attendee: 'local', role: 'watcher' });
  assert.equal(terminalAccessFor(undefined, hello()), undefined);
});

test("a terminal may open on another node of the attendee's cluster; a node the class does not have is refused at its line", () => {
  const cluster = 'classroom:\n  environment: { provider: swarm, nodes: 3 }\n';
  const config = parseWorkshop(
    `title: T\ncontent: [a.md]\n${cluster}terminals:\n  shell: local\n  second:\n    command: local\n    node: node2\n  third: { node: node3, command: docker ps }\n`,
    'w.yml',
  ).terminals!;
  assert.deepEqual(
    config.terminals.map((t) => [t.name, t.command.join(' '), t.localShell, t.node]),
    [
      ['shell', 'bash -l', true, undefined],
      ['second', 'bash -l', true, 'node2'],
      ['third', 'docker ps', false, 'node3'],
    ],
  );
  const refused = (classroom: string, terminal: string): string => {
    try {
      parseWorkshop(`title: T\ncontent: [a.md]\n${classroom}terminals:\n  shell: local\n${terminal}`, 'w.yml');
    } catch (error) {
      return (error as Error).message;
    }
    return 'no error';
  };
  assert.match(
    refused(cluster, '  fourth: { command: local, node: node4 }\n'),
    /^w\.yml:7: terminal "fourth": node4 is not a node of this class \(classroom\.environment gives each attendee node1…node3\)$/,
  );
  assert.match(
    refused('', '  other: { node: node2 }\n'),
    /^w\.yml:5: terminal "other": node2 is not a node of this class \(classroom\.environment gives each attendee node1 only\)$/,
  );
  assert.match(refused(cluster, '  other: { node: worker }\n'), /^w\.yml:7: terminal "other": "node" must name a node such as node2$/);
  assert.match(refused(cluster, '  other: { node: node2, cmd: x }\n'), /^w\.yml:7: terminal "other": unknown key "cmd" \(known: command, node\)$/);
});
