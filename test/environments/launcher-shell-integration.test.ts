// Terminals of a swarm sandbox run the launcher (wait for the environment, then `ssh … "$@"`): their bash words must
// be wrapped as ssh's remote command line, with a nonce, while the launcher's own words stay as they are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launcherShellIntegrationOverSsh, launcherTemplate } from '../../src/environments/launcher.ts';
import { substituteCommand } from '../../src/terminal/command-template.ts';

test('a launcher terminal running bash gets its bash words wrapped for ssh', () => {
  const argv = substituteCommand(launcherTemplate('/data/environments', ['bash', '-l']), { attendee: 'a-alice1', terminal: 'shell' });
  const launch = launcherShellIntegrationOverSsh(argv);
  assert.ok(launch, 'no shell integration for the launcher');
  assert.deepEqual(launch.argv.slice(0, 6), argv.slice(0, 6));
  const remote = launch.argv.slice(6).join(' ');
  assert.match(remote, /--rcfile <\(printf %s [A-Za-z0-9+/=]+ \| base64 -d\)/);
  assert.match(launch.nonce, /^[0-9a-f]{16,}$/);
  assert.ok(!remote.includes(launch.nonce), 'the nonce is readable in the command line');
});

test('a launcher terminal running something else than bash is left alone; other commands as usual', () => {
  const argv = substituteCommand(launcherTemplate('/data/environments', ['sh']), { attendee: 'a-bob2', terminal: 'shell' });
  assert.equal(launcherShellIntegrationOverSsh(argv), undefined);
  assert.ok(launcherShellIntegrationOverSsh(['bash', '-l']), 'a plain local bash lost its integration');
});
