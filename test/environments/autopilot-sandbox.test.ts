// test-runner: alone
// `labdeck autopilot --environment swarm` on the real engine: the run makes a fresh attendee sandbox (the workshop's
// `classroom.environment: { provider: swarm }`), plays the steps in a terminal inside it and checks them against its
// engine. The sandbox's engine is no swarm yet: `docker swarm init` makes it one; the overlay network and the service
// the steps create exist there and not on this machine's engine. A step enters a shell on "another node" with `ssh`
// (a second sshd in the sandbox stands for node2, which a one-machine sandbox has not): its docker command runs there
// (the service's name holds the port the ssh shell was reached on), and `key ^D` comes back to the terminal's shell.
// With --keep the sandbox stays, `labdeck env down` removes it; without, it is gone when autopilot ends. The sandbox
// image is built the first time only (test/engine/sandboxes.test.ts). Ctrl-C removes the sandbox, even with --keep.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEngine } from '../../src/engine/docker.ts';
import { connectEngineAt } from '../../src/engine/engine-address.ts';
import { sandboxEngineAddress } from '../../src/environments/swarm-provider.ts';
import { runLabdeck } from '../cli/run-cli.ts';
import { AutopilotRuns, beforeSandboxImages } from '../support/autopilot-runs.ts';

const docker = connectEngine({ host: process.env.DOCKER_HOST });
const folder = mkdtempSync(join(tmpdir(), 'labdeck-autopilot-sandbox-'));
const fence = '```';
const never = (): Promise<void> => new Promise<void>(() => {});

const runs = new AutopilotRuns(docker);
beforeSandboxImages(docker);

after(async () => {
  await runs.removeLeft(folder);
  rmSync(folder, { recursive: true, force: true });
});

test('autopilot --environment swarm plays in a fresh sandbox, checks its engine, and removes it', { timeout: 420_000 }, async () => {
  writeFileSync(
    join(folder, 'workshop.yml'),
    ['title: In a sandbox', 'content:', '- swarm.md', 'classroom:', '  environment: { provider: swarm, memory: 768m, images: [labdeck/busybox] }', ''].join('\n'),
  );
  const step = (text: string, ...commands: string[]): string => [`- ${text}`, `  ${fence}bash`, ...commands.map((c) => `  ${c}`), `  ${fence}`, ''].join('\n');
  writeFileSync(
    join(folder, 'swarm.md'),
    [
      'name: in-sandbox',
      '# A swarm of ones own',
      '.exercise[',
      step('Make the engine a swarm:', 'docker swarm init'),
      step('An overlay network:', 'docker network create --driver overlay autopilot-net'),
      step(
        'A second way in, standing for node2:',
        "mkdir -p /root/.ssh && ssh-keygen -q -t ed25519 -N '' -f /root/.ssh/id_ed25519 && cp /root/.ssh/id_ed25519.pub /root/.ssh/authorized_keys",
        '/usr/sbin/sshd -p 2022 -o AuthorizedKeysFile=/root/.ssh/authorized_keys -o PidFile=none',
      ),
      step('Log into node2:', 'ssh -p 2022 -o StrictHostKeyChecking=no -o LogLevel=ERROR localhost'),
      step(
        'A service, created from node2:',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, not a template
        'docker service create --name "autopilot-web-${SSH_CONNECTION##* }" --network autopilot-net labdeck/busybox sleep 1d',
      ),
      // Back to node1, as container.training's creatingswarm.md does.
      `<!-- ${fence}key ^D${fence} -->`,
      '',
      step('Back in the first shell:', 'docker service ls'),
      ']',
      '',
    ].join('\n'),
  );
  mkdirSync(join(folder, 'exercises'));
  writeFileSync(
    join(folder, 'exercises', 'swarm.yml'),
    [
      'steps:',
      '  - { slide: in-sandbox, step: 1, check: { all: [ { ran: "^docker swarm init$" }, { node: self, role: manager } ] } }',
      '  - { slide: in-sandbox, step: 2, check: { network: autopilot-net, driver: overlay, scope: swarm } }',
      '  - { slide: in-sandbox, step: 3, check: { ran: "^/usr/sbin/sshd -p 2022" } }',
      '  - { slide: in-sandbox, step: 4, check: { manual: on node2 } }',
      '  - { slide: in-sandbox, step: 5, check: { service: autopilot-web-2022, running: 1, networks: [autopilot-net] } }',
      '  - { slide: in-sandbox, step: 6, check: { ran: "^docker service ls$" } }',
      '',
    ].join('\n'),
  );
  const started = Date.now();
  const kept = await runLabdeck(['autopilot', '--environment', 'swarm', '--keep', '--check-timeout', '60'], { cwd: folder, untilStopped: never });
  const seen = `${kept.stdout}\n${kept.stderr}`;
  runs.note(seen);
  process.stdout.write(`# autopilot --keep: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  assert.match(kept.stderr, /^autopilot: preparing a fresh attendee sandbox for this run, autopilot-[0-9a-f]{8}, on the class swarm$/m, seen);
  assert.match(kept.stderr, /^autopilot: sandbox: ready$/m, seen);
  assert.match(kept.stdout, /^ {2}localhost\$ docker service create --name "autopilot-web-/m, seen);
  assert.match(kept.stdout, /^ {2}keys \^D$/m, seen);
  assert.equal(kept.stdout.match(/^✓ #\d+ in-sandbox\.\w+ passed \(/gm)?.length, 6, seen);
  assert.match(kept.stderr, /^autopilot: 6\/6 steps passed$/m, seen);
  assert.equal(kept.code, 0, seen);
  const id = /^ {2}remove it: labdeck env down (autopilot-[0-9a-f]{8})$/m.exec(kept.stdout)?.[1];
  assert.ok(id, seen);
  assert.match(kept.stdout, new RegExp(`^ {2}enter it: {2}sh \\.labdeck/environments/${id}/enter$`, 'm'), seen);

  // What the steps made is in the sandbox's engine, and not in this machine's.
  assert.ok((await runs.sandboxes()).includes(id), `${id} is kept`);
  const inner = connectEngineAt(sandboxEngineAddress(join(folder, '.labdeck', 'environments'), id));
  assert.deepEqual(
    (await inner.listServices()).map((service) => service.Spec?.Name),
    ['autopilot-web-2022'],
  );
  assert.equal((await docker.listNetworks({ filters: { name: ['autopilot-net'] } })).length, 0, 'no autopilot-net on the machine');
  assert.equal((await docker.listServices({ filters: { name: ['autopilot-web'] } })).length, 0, 'no autopilot-web service on the machine');

  const down = await runLabdeck(['env', 'down', id], { cwd: folder });
  assert.equal(down.code, 0, `${down.stdout}\n${down.stderr}`);
  assert.match(down.stdout, new RegExp(`^autopilot \\(${id}\\): removed$`, 'm'));
  assert.ok(!(await runs.sandboxes()).includes(id), `${id} is removed`);

  // Without --keep, the run's sandbox is gone when it ends (a workshop of one step, in the same class folder).
  const one = join(folder, 'one');
  mkdirSync(one);
  writeFileSync(join(one, 'workshop.yml'), readFileSync(join(folder, 'workshop.yml'), 'utf8').replace('swarm.md', 'one.md').concat('  data: ../.labdeck\n'));
  writeFileSync(join(one, 'one.md'), ['# One step', '.exercise[', step('Ask the engine:', 'docker info --format "{{.Swarm.LocalNodeState}}"'), ']', ''].join('\n'));
  const removed = await runLabdeck(['autopilot', 'one/workshop.yml', '--environment', 'swarm'], { cwd: folder, untilStopped: never });
  const removedSeen = `${removed.stdout}\n${removed.stderr}`;
  runs.note(removedSeen);
  assert.match(removed.stdout, /^✓ #\d+ one-step\.\w+ passed \(/m, removedSeen);
  assert.match(removed.stderr, /^autopilot: removing sandbox autopilot-[0-9a-f]{8}$/m, removedSeen);
  assert.equal(removed.code, 0, removedSeen);
  const removedId = /removing sandbox (autopilot-[0-9a-f]{8})/.exec(removed.stderr)?.[1] ?? 'none';
  assert.ok(!(await runs.sandboxes()).includes(removedId), removedSeen);

  // Ctrl-C while the sandbox is prepared removes it too, --keep or not: once its preparation ended.
  let interrupt = (): void => {};
  const interrupted = new Promise<void>((resolve) => {
    interrupt = resolve;
  });
  let stderr = '';
  const stopped = await runLabdeck(['autopilot', 'one/workshop.yml', '--environment', 'swarm', '--keep'], {
    cwd: folder,
    untilStopped: () => interrupted,
    stderr: (text) => {
      stderr += text;
      if (/^autopilot: sandbox: sandbox created/m.test(stderr)) interrupt();
    },
  });
  const stoppedSeen = `${stopped.stdout}\n${stderr}`;
  runs.note(stoppedSeen);
  assert.match(stderr, /^autopilot: stopped while the sandbox was prepared: it is removed once its preparation ends$/m, stoppedSeen);
  assert.match(stderr, /^autopilot: removing sandbox autopilot-[0-9a-f]{8}$/m, stoppedSeen);
  assert.doesNotMatch(stopped.stdout, /kept/, stoppedSeen);
  assert.equal(stopped.code, 1, stoppedSeen);
  const stoppedId = /removing sandbox (autopilot-[0-9a-f]{8})/.exec(stderr)?.[1] ?? 'none';
  assert.ok(!(await runs.sandboxes()).includes(stoppedId), stoppedSeen);
  process.stdout.write(`# three runs: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
});

test('autopilot --environment swarm says when the workshop has no swarm environment', async () => {
  const plain = mkdtempSync(join(folder, 'plain-'));
  writeFileSync(join(plain, 'workshop.yml'), 'title: T\ncontent:\n- a.md\n');
  writeFileSync(join(plain, 'a.md'), '# A\n');
  const run = await runLabdeck(['autopilot', '--environment', 'swarm'], { cwd: plain, untilStopped: never });
  assert.equal(run.code, 1);
  assert.equal(
    run.stderr,
    "--environment swarm plays in a sandbox made as the workshop's classroom.environment says: workshop.yml has none (add `classroom: { environment: { provider: swarm } }`)\n",
  );
});
