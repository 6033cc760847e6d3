// The workshop of container.training's first swarm chapters, as test/lab/swarm-chapters-autopilot.test.ts plays it under
// `labdeck autopilot --environment swarm` and bench/clusters.ts times it: the chapters copied unchanged
// (test/fixtures/container-training, see its NOTICE), the half-day class's exclude list, a 3-node cluster whose
// `images:` carry the offline stand-ins (stand-in-images.ts), and the spec file that checks what a step leaves behind
// where inference cannot see it (commands typed on node2 or node3, a command the chapter expects to fail). Also the
// host guard the chapter's `ping 8.8.8.8` needs: this machine may send nothing to public addresses.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../cli/run-cli.ts';

export const swarmChapters = ['swarm/creatingswarm.md', 'swarm/morenodes.md', 'swarm/firstservice.md'] as const;

/** The autopilot command line both run (see the test's header for why these timeouts). */
export const swarmChaptersAutopilotArgs = ['autopilot', '--environment', 'swarm', '--check-timeout', '15', '--command-timeout', '60'];

/** Writes the workshop into `folder` (empty): the chapters, workshop.yml with `images`, exercises/swarm.yml. */
export function writeSwarmChaptersWorkshop(folder: string, standInNames: readonly string[]): void {
  mkdirSync(join(folder, 'swarm'));
  for (const chapter of swarmChapters) copyFileSync(join(repoRoot, 'test/fixtures/container-training', chapter), join(folder, chapter));
  writeFileSync(
    join(folder, 'workshop.yml'),
    [
      'title: Swarm, the first chapters',
      'exclude: [self-paced, snap, btp-manual, benchmarking, elk-manual, prom-manual]',
      'content:',
      ...swarmChapters.map((chapter) => `- ${chapter}`),
      'classroom:',
      `  environment: { provider: swarm, nodes: 3, images: [labdeck/busybox, ${standInNames.join(', ')}] }`,
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
      "  # `docker logs containerID`: the attendee types their container's ID; as written it fails, and the chapter's",
      '  # `wait No such container: containerID` says that is what the deck expects (autopilot confirms it when that shows)',
      '  - { id: viewing-the-logs-of-the-container.07fc414e, check: { manual: "view the logs of the container, by its ID" } }',
      '  # the browser on port 8080: the visualizer that `docker-compose -f visualizer.yml up -d` starts runs on node1;',
      '  # the step before waited for it to be created (its `longwait`), so its check needs no more than a moment',
      '  - id: connect-to-the-visualization-webapp.c1cac3ed',
      '    timeout: 2',
      '    check: { container: { com.docker.compose.project: dockerswarmvisualizer, com.docker.compose.service: viz } }',
      '',
    ].join('\n'),
  );
}

// What the cluster's containers send to 8.8.8.8 stops at this host (DOCKER-USER: forwarded traffic, before Docker's
// own rules): the pings get "Destination Net Unreachable" from the host, and go on.
const rejectRule = ['DOCKER-USER', '-d', '8.8.8.8/32', '-j', 'REJECT', '--reject-with', 'icmp-net-unreachable'];

/** Inserts the host's reject rule for 8.8.8.8 when absent; resolves to what removes it (only when inserted here). */
export function rejectPublicPing(): { release(): void } {
  try {
    execFileSync('iptables', ['-C', ...rejectRule], { stdio: 'ignore' });
    return { release: () => {} };
  } catch {
    execFileSync('iptables', ['-I', ...rejectRule]);
    return { release: () => execFileSync('iptables', ['-D', ...rejectRule]) };
  }
}

export interface PlayedStep {
  readonly slide: number;
  readonly id: string;
  readonly passed: boolean;
  readonly seconds: number;
}

/** The steps an autopilot run printed (`✓ #slide id passed (s s): reason`, ✗ for any other outcome), in order. */
export function playedSteps(stdout: string): PlayedStep[] {
  return [...stdout.matchAll(/^([✓✗]) #(\d+) (\S+) [^\n]*?\(([\d.]+) s\)/gm)].map((m) => ({
    slide: Number(m[2]),
    id: m[3] ?? '',
    passed: m[1] === '✓',
    seconds: Number(m[4]),
  }));
}
