// The `external` provider through `labdeck env`: a class with two attendees, an attendees file naming one of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProgressStore } from '../../src/progress/store.ts';
import { readAttendeesFile, createExternalProvider } from '../../src/environments/external-provider.ts';
import { environmentEngines } from '../../src/environments/create-provider.ts';
import { runLabdeck } from '../cli/run-cli.ts';

function classFolder(attendeesYaml: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'labdeck-external-'));
  writeFileSync(
    join(folder, 'workshop.yml'),
    [
      'title: T',
      'chapters: [a.md]',
      'classroom:',
      '  data: class',
      '  environment: { provider: external, attendees: attendees.yml }',
      'terminals:',
      '  shell: local',
      '  node2: ssh {attendee}@node2',
      '',
    ].join('\n'),
  );
  writeFileSync(join(folder, 'a.md'), '# A\n');
  writeFileSync(join(folder, 'attendees.yml'), attendeesYaml);
  const store = openProgressStore(join(folder, 'class'));
  store.classRecord(() => ({ code: 'ABC234', instructorToken: 'i', watcherToken: 'w', createdAt: 1 }));
  store.addAttendee({ id: 'a-111', name: 'Alice', token: 't1', joinedAt: 1 });
  store.addAttendee({ id: 'a-222', name: 'Bob', token: 't2', joinedAt: 2 });
  store.close();
  return folder;
}

test('env up/status/down with an attendees file: shell command, engine endpoint, unknown attendees reported', async () => {
  const folder = classFolder('alice:\n  shell: ssh -p 2222 docker@10.0.0.11\n  docker: ssh://docker@10.0.0.11\n');
  try {
    const up = await runLabdeck(['env', 'up'], { cwd: folder });
    assert.equal(up.code, 1, up.stderr);
    assert.match(up.stdout, /^Alice \(a-111\): ready$/m);
    assert.match(up.stdout, /^Bob \(a-222\): failed: Bob is not in the attendees file/m);
    const enter = readFileSync(join(folder, 'class/environments/a-111/enter'), 'utf8');
    assert.match(enter, /^exec 'ssh' '-p' '2222' 'docker@10\.0\.0\.11' "\$@"$/m);

    const status = await runLabdeck(['env', 'status'], { cwd: folder });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^Alice\s+a-111\s+ready\s+ssh -p 2222 docker@10\.0\.0\.11 · ssh:\/\/docker@10\.0\.0\.11$/m);
    assert.match(status.stdout, /^Bob\s+a-222\s+failed\s+not in /m);
    assert.match(status.stdout, /external environments, class ABC234/);

    const provider = createExternalProvider({ attendeesFile: join(folder, 'attendees.yml'), root: join(folder, 'class/environments'), log: () => {} });
    assert.deepEqual(provider.engineOf('a-111'), { host: 'ssh://docker@10.0.0.11' });
    assert.equal(provider.engineOf('a-222'), undefined);
    // The checks log in to an ssh:// engine with the user's own ssh setup (serve passes it).
    const userSsh = { agentSocket: '/run/agent.sock', identities: [], knownHosts: ['/home/u/.ssh/known_hosts'] };
    const engines = environmentEngines(
      { provider: 'external', attendeesFile: join(folder, 'attendees.yml'), location: { file: 'w', line: 1 } },
      join(folder, 'class'),
      userSsh,
    );
    assert.deepEqual(engines('a-111'), { host: 'ssh://docker@10.0.0.11', userSsh });
    const commands = provider.terminalCommands([
      { name: 'shell', command: ['bash', '-l'], localShell: true, location: { file: 'w', line: 1 } },
      { name: 'node2', command: ['ssh', '{attendee}@node2'], localShell: false, location: { file: 'w', line: 2 } },
    ]);
    assert.deepEqual(commands.shell!.slice(-2), [join(folder, 'class/environments'), '{attendee}']);
    assert.deepEqual(commands.node2, ['ssh', '{attendee}@node2']);

    const down = await runLabdeck(['env', 'down', 'alice'], { cwd: folder });
    assert.equal(down.code, 0, down.stderr);
    assert.match((await runLabdeck(['env', 'status', 'Alice'], { cwd: folder })).stdout, /^Alice\s+a-111\s+absent/m);
    const unknown = await runLabdeck(['env', 'reset', 'carol'], { cwd: folder });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no attendee carol in this class/);
    assert.equal((await runLabdeck(['env', 'reset'], { cwd: folder })).code, 2);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('attendees file mistakes name file:line', () => {
  const folder = mkdtempSync(join(tmpdir(), 'labdeck-attendees-'));
  const file = join(folder, 'attendees.yml');
  const failure = (text: string): string => {
    writeFileSync(file, text);
    try {
      readAttendeesFile(file);
      return 'no error';
    } catch (error) {
      return (error as Error).message.replace(`${file}:`, 'attendees.yml:');
    }
  };
  try {
    assert.equal(failure('alice:\n  shell: ssh a\n  docker: http://x\n'), 'attendees.yml:3: attendee "alice": "docker" must be ssh://USER@HOST or tcp://HOST:PORT');
    assert.equal(
      failure('alice:\n  shell: ssh a\n  docker: ssh://10.0.0.11\n'),
      'attendees.yml:3: attendee "alice": "docker" must be ssh://USER@HOST or tcp://HOST:PORT',
    );
    assert.equal(
      failure('alice:\n  shell: ssh a\n  docker: tcp://10.0.0.1:2376\n'),
      'attendees.yml:3: attendee "alice": a tcp:// endpoint needs "tls": { ca, cert, key } (PEM files)',
    );
    assert.equal(failure('alice:\n  shell: [ssh\n'), 'attendees.yml:3: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]');
    assert.equal(failure('alice:\n  shell: "ssh a\n  docker: ssh://u@a\n'), 'attendees.yml:2: not valid YAML: Missing closing "quote');
    assert.equal(
      failure('alice:\n  docker: ssh://a\n'),
      'attendees.yml:2: attendee "alice": "shell" must be a command line or a list of words (e.g. ssh docker@10.0.0.11)',
    );
    assert.equal(failure('alice:\n  shell: ssh a\n  docker: ssh://u@a\nAlice:\n  shell: x\n  docker: ssh://u@b\n'), 'attendees.yml:4: attendee "Alice" is listed twice');
    assert.equal(
      failure('alice:\n  shell: ssh a\n  docker: tcp://h:2376\n  tls: { ca: ca.pem, cert: c.pem, key: k.pem }\n'),
      `attendees.yml:4: attendee "alice": tls.ca ${join(folder, 'ca.pem')} does not exist`,
    );
    for (const pem of ['ca.pem', 'c.pem', 'k.pem']) writeFileSync(join(folder, pem), 'x');
    writeFileSync(file, 'alice:\n  shell: [ssh, a]\n  docker: tcp://h:2376\n  tls: { ca: ca.pem, cert: c.pem, key: k.pem }\n');
    assert.deepEqual(readAttendeesFile(file)[0]!.engine, {
      host: 'tcp://h:2376',
      tls: { ca: join(folder, 'ca.pem'), cert: join(folder, 'c.pem'), key: join(folder, 'k.pem') },
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
