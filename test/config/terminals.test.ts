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
    ['  shell: {command: x}', /w\.yml:4: terminal "shell": the command must be/],
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
