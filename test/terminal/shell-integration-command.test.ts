// Which terminal commands get shell integration (bash here, through docker exec, as ssh's remote command) and what
// they become; the ssh form is also run through a real POSIX shell, the way sshd hands it to the login shell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { integratedBash } from '../../src/terminal/bash-integration.ts';
import { TerminalManager } from '../../src/terminal/manager.ts';
import { withShellIntegration } from '../../src/terminal/shell-integration.ts';
import { TerminalClient, bytes, testEnvironment, waitUntil } from './terminal-client.ts';

const N = '0123456789abcdef';
const wrap = (argv: string[]) => withShellIntegration(argv, N)?.argv;
/** The script bash gets as its rcfile, decoded from the base64 in a start command. */
const rcScriptIn = (text: string) => Buffer.from(/printf %s ([A-Za-z0-9+/=]+) \| base64 -d/.exec(text)![1]!, 'base64').toString();

test('a local bash is started through bash -c with the rc script piped in; the nonce is in the script', () => {
  const launch = withShellIntegration(['bash', '-l'], N)!;
  assert.equal(launch.nonce, N);
  assert.deepEqual(launch.argv.slice(0, 2), ['bash', '-c']);
  assert.match(launch.argv[2]!, /^exec bash --rcfile <\(printf %s [A-Za-z0-9+/=]+ \| base64 -d\) -i$/);
  const script = rcScriptIn(launch.argv[2]!);
  assert.match(script, new RegExp(`__labdeck_nonce=${N}`));
  assert.match(script, /\/etc\/profile/, '-l: login is emulated in the script');
  assert.doesNotMatch(rcScriptIn(wrap(['/bin/bash'])![2]!), /\/etc\/profile/);
  assert.match(wrap(['/opt/my bash/bash'])![2]!, /^exec '\/opt\/my bash\/bash' --rcfile/);
  assert.notEqual(withShellIntegration(['bash'])!.nonce, withShellIntegration(['bash'])!.nonce, 'a fresh nonce per session');
});

test('docker exec: the prefix up to the container is kept, bash -c replaces bash', () => {
  const cases: [string[], string[]][] = [
    [
      ['docker', 'exec', '-it', 'box', 'bash'],
      ['docker', 'exec', '-it', 'box'],
    ],
    [
      ['docker', 'exec', '-it', '-w', '/root', 'box', 'bash', '-l'],
      ['docker', 'exec', '-it', '-w', '/root', 'box'],
    ],
    [
      ['docker', '-H', 'tcp://h:2376', '--tls', 'container', 'exec', '--interactive', '--tty', '-uroot', '--env=A=b', 'box', '/bin/bash', '--login'],
      ['docker', '-H', 'tcp://h:2376', '--tls', 'container', 'exec', '--interactive', '--tty', '-uroot', '--env=A=b', 'box'],
    ],
    [
      ['docker', 'exec', '-itu', 'root', '--', 'box', 'bash'],
      ['docker', 'exec', '-itu', 'root', '--', 'box'],
    ],
    // No -t: the interactive bash needs a terminal, so one is asked for.
    [
      ['/usr/bin/docker', 'exec', '-i', 'box', 'bash'],
      ['/usr/bin/docker', 'exec', '-t', '-i', 'box'],
    ],
  ];
  for (const [argv, prefix] of cases) {
    const wrapped = wrap(argv);
    assert.ok(wrapped, argv.join(' '));
    assert.deepEqual(wrapped.slice(0, prefix.length), prefix, argv.join(' '));
    const bash = wrapped[prefix.length]!;
    assert.deepEqual(wrapped.slice(prefix.length, prefix.length + 2), [bash, '-c']);
    assert.equal(wrapped.length, prefix.length + 3);
    assert.match(wrapped.at(-1)!, new RegExp(`^exec ${bash} --rcfile <\\(printf %s `));
  }
});

test('ssh: the remote command becomes one command line any login shell can run; -t is added when missing', () => {
  const remoteOf = (argv: string[]) => wrap(argv)?.at(-1);
  for (const [argv, prefix] of [
    [
      ['ssh', '-t', 'alice@node1', 'bash'],
      ['ssh', '-t', 'alice@node1'],
    ],
    [
      ['ssh', '-p', '2222', '-o', 'StrictHostKeyChecking=no', 'node1', '-t', 'bash -l'],
      ['ssh', '-p', '2222', '-o', 'StrictHostKeyChecking=no', 'node1', '-t'],
    ],
    [
      ['ssh', 'node1', 'bash', '-l'],
      ['ssh', '-t', 'node1'],
    ],
    [
      ['ssh', '-tt', '--', 'node1', 'bash'],
      ['ssh', '-tt', '--', 'node1'],
    ],
  ] as [string[], string[]][]) {
    const wrapped = wrap(argv)!;
    assert.deepEqual(wrapped.slice(0, -1), prefix, argv.join(' '));
    assert.match(wrapped.at(-1)!, /^exec bash -c 'exec bash --rcfile <\(printf %s [A-Za-z0-9+/=]+ \| base64 -d\) -i'$/);
  }
  assert.match(rcScriptIn(remoteOf(['ssh', 'node1', 'bash -l'])!), /\/etc\/profile/);
});

test('commands that do not run a plain bash are left alone', () => {
  for (const argv of [
    ['sh'],
    ['bash', '-c', 'echo hi'],
    ['bash', 'script.sh'],
    ['zsh'],
    ['docker', 'exec', '-it', 'box', 'sh'],
    ['docker', 'exec', '-t', 'box', 'bash'],
    ['docker', 'exec', '-dit', 'box', 'bash'],
    ['docker', 'exec', '--frobnicate', 'box', 'bash'],
    ['docker', 'run', '-it', 'debian', 'bash'],
    ['docker', 'exec', '-it', 'box'],
    ['ssh', 'node1'],
    ['ssh', '-t', 'node1', 'cd /lab && bash'],
    ['ssh', '-T', 'node1', 'bash'],
    ['ssh', '-N', 'node1', 'bash'],
    ['ssh', '-t', 'node1', 'bash', '-c', 'ls'],
    ['ssh', '-t', 'node1', '$(evil)/bash'],
    ['ssh', '-Z', 'node1', 'bash'],
  ]) {
    assert.equal(withShellIntegration(argv), undefined, argv.join(' '));
  }
});

test('the ssh remote command line, run by a POSIX sh as sshd would, gives an integrated bash', async (t) => {
  // The launcher's way (environments/launcher.ts): wrap only the bash words, the ssh or docker exec before them
  // comes later, from the environment.
  const manager = new TerminalManager({
    commands: { remote: ['sh', '-c', 'exec sh -c "$1"', 'remote', 'bash'] },
    env: testEnvironment(),
    shellIntegration: (argv) => {
      const integrated = integratedBash(argv.slice(4), 'ssh');
      return integrated && { argv: [...argv.slice(0, 4), ...integrated.command], nonce: integrated.nonce };
    },
  });
  t.after(() => manager.dispose());
  const client = new TerminalClient();
  t.after(() => client.dispose());
  const connection = manager.attach({ attendee: 'alice', terminal: 'remote', role: 'owner', cols: 80, rows: 24 }, client);
  client.onAck = (n) => connection.ack(n);
  const session = manager.get('alice', 'remote')!;
  connection.input(bytes('false\r'));
  await waitUntil(
    () => session.commandLog.length === 1,
    5000,
    () => `false recorded; got ${JSON.stringify(client.text)}`,
  );
  assert.deepEqual([session.commandLog[0]!.command, session.commandLog[0]!.exitCode], ['false', 1]);
});
