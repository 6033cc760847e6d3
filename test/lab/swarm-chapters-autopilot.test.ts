// test-runner: alone
// container.training's swarm chapters, copied unchanged (test/fixtures/container-training, see its NOTICE), played by
// `labdeck autopilot --environment swarm` against a fresh 3-node attendee cluster (issue 15, "Proven on real content"):
// `docker swarm init` on node1, `ssh node2` and the copy-pasted `docker swarm join`, node3 joined as a manager over ssh,
// and `docker node ls` from both. The workshop is the half-day class's (its exclude list) cut down to these chapters;
// its spec file checks what a step leaves behind where inference cannot see it (commands typed on node2 or node3).
// Every step of these two chapters can run offline, and must pass. (swarm/firstservice.md is not here yet: its
// `docker service create … elasticsearch:2` never converges offline, which costs that step autopilot's whole 180 s
// command timeout before its Ctrl-C.)
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEngine } from '../../src/engine/docker.ts';
import { runLabdeck, repoRoot } from '../cli/run-cli.ts';
import { AutopilotRuns, beforeSandboxImages } from '../support/autopilot-runs.ts';

const docker = connectEngine({ host: process.env.DOCKER_HOST });
const folder = mkdtempSync(join(tmpdir(), 'labdeck-swarm-chapters-'));
const chapters = ['swarm/creatingswarm.md', 'swarm/morenodes.md'];
const never = (): Promise<void> => new Promise<void>(() => {});

const runs = new AutopilotRuns(docker);
beforeSandboxImages(docker);

after(async () => {
  await runs.removeLeft(folder);
  rmSync(folder, { recursive: true, force: true });
});

test("container.training's swarm chapters play under autopilot in a fresh 3-node attendee cluster", { timeout: 600_000 }, async () => {
  mkdirSync(join(folder, 'swarm'));
  for (const chapter of chapters) copyFileSync(join(repoRoot, 'test/fixtures/container-training', chapter), join(folder, chapter));
  writeFileSync(
    join(folder, 'workshop.yml'),
    [
      'title: Swarm, the first chapters',
      'exclude: [self-paced, snap, btp-manual, benchmarking, elk-manual, prom-manual]',
      'content:',
      ...chapters.map((chapter) => `- ${chapter}`),
      'classroom:',
      '  environment: { provider: swarm, nodes: 3, images: [labdeck/busybox] }',
      '',
    ].join('\n'),
  );
  mkdirSync(join(folder, 'exercises'));
  writeFileSync(
    join(folder, 'exercises', 'swarm.yml'),
    [
      'steps:',
      '  # the copy-pasted `docker swarm join …`, typed on node2',
      '  - { id: adding-nodes-to-the-swarm.6a74dedf, check: { node: node2, role: worker } }',
      '  # `docker info | grep ^Swarm` on node2: what it shows, seen from the manager',
      '  - { id: check-that-the-node-was-added-correctly.9e1202df, check: { node: node2, role: worker } }',
      '  # `ssh node3 docker swarm join --token $TOKEN node1:2377` with the manager token',
      '  - { id: building-our-full-cluster.a978048a, check: { node: node3, role: manager } }',
      '',
    ].join('\n'),
  );

  const started = Date.now();
  const run = await runLabdeck(['autopilot', '--environment', 'swarm', '--check-timeout', '30'], { cwd: folder, untilStopped: never });
  const seen = `${run.stdout}\n${run.stderr}`;
  runs.note(seen);
  process.stdout.write(`# autopilot of the chapters, cluster included: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  for (const line of run.stdout.split('\n').filter((l) => /^[✓✗] #/.test(l))) process.stdout.write(`# ${line}\n`);

  const results = [...run.stdout.matchAll(/^([✓✗]) #\d+ (\S+) (passed|failed) /gm)].map((m) => ({ id: m[2] ?? '', passed: m[3] === 'passed' }));
  assert.equal(results.length, 14, seen);
  assert.deepEqual(
    results.filter((r) => !r.passed).map((r) => r.id),
    [],
    seen,
  );
  assert.match(run.stderr, /^autopilot: 14\/14 steps passed$/m, seen);
  assert.equal(run.code, 0, seen);
  // The plain `docker swarm init` of the chapter, on a node with two interfaces (the cluster's engines advertise eth0).
  assert.match(run.stdout, /^✓ #\d+ creating-our-first-swarm\.75e61c4e passed /m, seen);
  // `ssh node2` needs no spec: inferred as opening a shell there (manual, confirmed once it ran).
  assert.match(run.stdout, /^✓ #\d+ adding-nodes-to-the-swarm\.6b5bffa1 passed /m, seen);

  // The steps went where the chapters say: the join typed on node2, node3 joined over ssh from node1.
  assert.match(run.stdout, /^ {2}node2\$ docker swarm join --token SWMTKN-\S+ \S+:2377$/m, seen);
  assert.match(run.stdout, /^ {2}keys \^D$/m, seen);
  // The run's cluster is gone.
  assert.deepEqual(await runs.left(), [], seen);
});
