// test-runner: alone
// container.training's swarm chapters, copied unchanged (test/fixtures/container-training, see its NOTICE), played by
// `labdeck autopilot --environment swarm` against a fresh 3-node attendee cluster (issue 15, "Proven on real content"):
// `docker swarm init` on node1, `ssh node2` and the copy-pasted `docker swarm join`, node3 joined as a manager over ssh,
// and `docker node ls` from both (creatingswarm.md, morenodes.md); then firstservice.md: the `pingpong` service scaled
// over the three nodes, its logs, and ElasticSearch published on port 9200 with 5 replicas. The workshop is the
// half-day class's (its exclude list) cut down to these chapters; its spec file checks what a step leaves behind where
// inference cannot see it (commands typed on node2 or node3, a command the chapter expects to fail). The workshop and
// the host's guard below live in test/support/swarm-chapters.ts, shared with bench/clusters-autopilot.ts.
//
// Offline, lab images stand in for the registry's (test/support/stand-in-images.ts), copied into every node by the
// cluster's `images:`: `alpine` is busybox (whose `ping` Alpine's is), `elasticsearch:2` busybox's httpd answering
// ElasticSearch's JSON on 9200. The chapter pings 8.8.8.8: this machine may send nothing to public addresses, so
// while the test runs the host rejects what its containers forward there (the pings get "Destination Net
// Unreachable" from the host, and go on). Every step whose command can run offline passes; `cannotPass` lists the
// others, with why, and each is asserted as the failure it is. `--command-timeout 60` bounds what a command that hangs
// would cost (none does: the longest, ElasticSearch's 5 replicas converging, takes about 10 s); `--check-timeout 15`
// what a check waits for the swarm (12 tasks start within 2 s here). The browser step's check, which no failed command
// ends early, has its own `timeout: 2` in the spec: offline it can only fail, and waiting 15 s for that cost the run 13 s.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEngine } from '../../src/engine/docker.ts';
import { runLabdeck } from '../cli/run-cli.ts';
import { AutopilotRuns, beforeSandboxImages } from '../support/autopilot-runs.ts';
import { ensureFirstServiceStandIns, type StandIns } from '../support/stand-in-images.ts';
import { playedSteps, rejectPublicPing, swarmChaptersAutopilotArgs, writeSwarmChaptersWorkshop } from '../support/swarm-chapters.ts';

const docker = connectEngine({ host: process.env.DOCKER_HOST });
const folder = mkdtempSync(join(tmpdir(), 'labdeck-swarm-chapters-'));
const never = (): Promise<void> => new Promise<void>(() => {});

/** The steps that cannot pass offline, why, and the problem autopilot reports for each (its command's failure). */
const cannotPass = [
  {
    id: 'test-our-service.6a329945',
    why:
      '`curl localhost:9200`: the nodes have no curl (the sandbox image carries none); and with it, the published port ' +
      "goes through swarm's ingress routing mesh, which needs IPVS, which this kernel lacks: the port refuses connections",
    problem: /^ {2}! `curl localhost:9200` exited with 127: /m,
  },
  {
    id: 'test-the-load-balancing.1cb9e5c6',
    why: '`curl -s localhost:9200 | jq .name` ten times: no curl nor jq on the nodes, and no routing mesh (no IPVS)',
    problem: /^ {2}! `for N in \$\(seq 1 10\); do\n[^`]*done` exited with 127: /m,
  },
  {
    id: 'visualize-container-placement.9817e9d1',
    why:
      'the visualizer: `cd ~/container.training/stacks` (a clone of the repository, which the nodes do not have) and ' +
      "`docker-compose` (not installed) pulling dockersamples/visualizer from a registry; the chapter's `longwait` for " +
      'its `Creating …` line gives up as soon as the commands ended',
    problem: /^ {2}! `Creating dockerswarmvisualizer_viz_1` did not appear: `cd ~\/container\.training\/stacks\n/m,
  },
  {
    id: 'connect-to-the-visualization-webapp.c1cac3ed',
    why:
      'pointing a browser at port 8080: no visualizer runs (above). The step has no command (its `open` directive is ' +
      "the presenter's), so autopilot would confirm it: its spec asks for the visualizer's container instead",
    problem:
      /^✗ #\d+ connect-to-the-visualization-webapp\.c1cac3ed failed \([0-4]\.\d s\): no running container with com\.docker\.compose\.project=dockerswarmvisualizer, com\.docker\.compose\.service=viz on this engine$/m,
  },
];

const runs = new AutopilotRuns(docker);
beforeSandboxImages(docker);
let standIns: StandIns | undefined;
let guard: { release(): void } | undefined;
before(async () => {
  standIns = await ensureFirstServiceStandIns(docker);
  guard = rejectPublicPing();
});

after(async () => {
  await runs.removeLeft(folder);
  rmSync(folder, { recursive: true, force: true });
  await standIns?.remove();
  guard?.release();
});

test("container.training's swarm chapters play under autopilot in a fresh 3-node attendee cluster", { timeout: 600_000 }, async () => {
  writeSwarmChaptersWorkshop(folder, standIns?.names ?? []);

  const started = Date.now();
  const run = await runLabdeck(swarmChaptersAutopilotArgs, {
    cwd: folder,
    untilStopped: never,
  });
  const seen = `${run.stdout}\n${run.stderr}`;
  runs.note(seen);
  process.stdout.write(`# autopilot of the chapters, cluster included: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  for (const line of run.stdout.split('\n').filter((l) => /^[✓✗] #/.test(l))) process.stdout.write(`# ${line}\n`);

  const results = playedSteps(run.stdout);
  assert.equal(results.length, 33, seen);
  assert.deepEqual(
    results.filter((r) => !r.passed).map((r) => r.id),
    cannotPass.map((step) => step.id),
    seen,
  );
  for (const step of cannotPass) assert.match(run.stdout, step.problem, `${step.id} (${step.why}): ${seen}`);
  assert.match(run.stderr, /^autopilot: 29\/33 steps passed$/m, seen);
  assert.equal(run.code, 1, seen);
  // The plain `docker swarm init` of the chapter, on a node with two interfaces (the cluster's engines advertise eth0).
  assert.match(run.stdout, /^✓ #\d+ creating-our-first-swarm\.75e61c4e passed /m, seen);
  // `ssh node2` needs no spec: inferred as opening a shell there (manual, confirmed once it ran).
  assert.match(run.stdout, /^✓ #\d+ adding-nodes-to-the-swarm\.6b5bffa1 passed /m, seen);

  // The steps went where the chapters say: the join typed on node2, node3 joined over ssh from node1.
  assert.match(run.stdout, /^ {2}node2\$ docker swarm join --token SWMTKN-\S+ \S+:2377$/m, seen);
  assert.match(run.stdout, /^ {2}keys \^D$/m, seen);
  // firstservice.md: pingpong scaled over the three nodes, ElasticSearch's 5 replicas running (the stand-in).
  assert.match(run.stdout, /^✓ #\d+ detach-in-action\.777d7e38 passed \([\d.]+ s\): service `pingpong`: 12\/12 tasks running$/m, seen);
  assert.match(run.stdout, /^✓ #\d+ expose-elasticsearch-on-its-default-port\.9322c235 passed \([\d.]+ s\): service `search`: 5\/5 tasks running$/m, seen);
  assert.match(run.stdout, /^✓ #\d+ viewing-the-logs-of-the-container\.07fc414e passed /m, seen);
  // The run's cluster is gone.
  assert.deepEqual(await runs.left(), [], seen);
});
