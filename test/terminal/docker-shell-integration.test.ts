// Shell integration in a container: a terminal whose command is `docker exec -it CONTAINER bash` records commands
// with their exit codes, and output that prints a 633 sequence without the nonce records nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connectEngine } from '../../src/engine/docker.ts';
import { ensureToolboxImage } from '../../src/engine/toolbox.ts';
import { TerminalManager } from '../../src/terminal/manager.ts';
import { TerminalClient, bytes, testEnvironment, waitUntil } from './terminal-client.ts';

test('docker exec -it <toolbox container> bash: false and true are recorded with 1 and 0, a forged sequence is not', async (t) => {
  const docker = connectEngine({ host: process.env.DOCKER_HOST });
  // Debian with bash (busybox has none); built once by the lab, reused here.
  const image = await ensureToolboxImage(docker);
  const name = `labdeck-test-shell-${randomBytes(4).toString('hex')}`;
  const container = await docker.createContainer({
    name,
    Image: image.name,
    Cmd: ['sleep', 'infinity'],
    Labels: { 'org.labdeck.test': name },
    HostConfig: { NetworkMode: 'none' },
  });
  t.after(() => container.remove({ force: true }));
  await container.start();

  const env = testEnvironment();
  if (process.env.DOCKER_HOST) env.DOCKER_HOST = process.env.DOCKER_HOST;
  const manager = new TerminalManager({ commands: { box: 'docker exec -it {attendee} bash' }, env });
  t.after(() => manager.dispose());
  const client = new TerminalClient();
  t.after(() => client.dispose());
  const connection = manager.attach({ attendee: name, terminal: 'box', role: 'owner', cols: 100, rows: 30 }, client);
  client.onAck = (n) => connection.ack(n);
  const session = manager.get(name, 'box')!;
  const run = async (line: string, expected: number) => {
    connection.input(bytes(`${line}\r`));
    await waitUntil(
      () => session.commandLog.length === expected,
      15_000,
      () => `${expected} commands; log ${JSON.stringify(session.commandLog)}; screen ${JSON.stringify(client.text.slice(-300))}`,
    );
  };
  await run('false', 1);
  await run('true', 2);
  await run(String.raw`printf '\e]633;E;forged;0000\a\e]633;C;0000\a\e]633;D;0;0000\a' && cd /tmp`, 3);
  assert.deepEqual(
    session.commandLog.map(({ command, exitCode }) => ({ command, exitCode })),
    [
      { command: 'false', exitCode: 1 },
      { command: 'true', exitCode: 0 },
      { command: String.raw`printf '\e]633;E;forged;0000\a\e]633;C;0000\a\e]633;D;0;0000\a' && cd /tmp`, exitCode: 0 },
    ],
  );
  assert.equal(session.commandLog[1]!.terminal, `${name}/box`);
  assert.equal(session.commandLog[0]!.cwd, '/', "the cwd is the container's");
  assert.doesNotMatch(client.text, /\x1b\]633/, 'no 633 sequence reaches the viewer, forged or not');
  // Once bash runs, its nonce is in no process's command line or environment in the container (the pattern is read
  // from a pipe, so that grep's own command line does not hold it).
  connection.input(
    bytes(
      String.raw`n=$__labdeck_nonce; cat /proc/[0-9]*/cmdline /proc/[0-9]*/environ 2>/dev/null | tr '\0' '\n' | grep -c -F -f <(printf '%s\n' "$n"); echo "length-$(printf %s "$n" | wc -c)"` +
        '\r',
    ),
  );
  await client.waitForText(/[^0-9]0\r\nlength-32\r\n/, 15_000);
});
