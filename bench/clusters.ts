// Attendee clusters (classroom.environment nodes: 3): an attendee joins → their 3-node cluster is ready, cold (made at
// the join) and warm (`warm: N`: whole clusters made before anyone joined, cluster-seats.ts), the memory an idle
// cluster holds, and the swarm chapters under autopilot in a fresh cluster (clusters-autopilot.ts).
//
// - Ready: from the provider's `up` (the join) to node1's terminal (launcher, ssh) answering `docker info` from node1
//   and from node3 over the cluster's ssh (`ssh node3 docker info`): every node's engine up and reachable by name.
//   Attendees join one after the other (LABDECK_BENCH_CLUSTERS, default 3), each measured alone; cold first, then as
//   many warm ones, in another class whose pool was filled with that many clusters (`labdeck env warm N`) beforehand.
// - Memory per idle cluster: the three containers' cgroups once every cluster is ready and idle a few seconds, as
//   `docker stats` counts it (usage less inactive files) and resident memory alone, summed per cluster.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import type { SwarmEnvironmentConfig } from '../src/config/environment.ts';
import { connectEngine } from '../src/engine/docker.ts';
import { ensureBusyboxImage } from '../src/engine/images.ts';
import { ensureSandboxImage } from '../src/engine/sandbox-image.ts';
import { SANDBOX_ATTENDEE_LABEL, SANDBOX_CLASS_LABEL } from '../src/engine/sandbox-spec.ts';
import type { AttendeeRef } from '../src/environments/provider.ts';
import type { EnvironmentProvider } from '../src/environments/provider.ts';
import { createSwarmProvider } from '../src/environments/swarm-provider.ts';
import { benchSwarmChaptersAutopilot } from './clusters-autopilot.ts';

const clusterCount = Number(process.env.LABDECK_BENCH_CLUSTERS ?? 3);
const nodes = 3;
const config: SwarmEnvironmentConfig = {
  provider: 'swarm',
  memoryBytes: 768 * 1024 ** 2,
  nanoCpus: 1e9,
  images: ['labdeck/busybox:latest'],
  nodes,
  location: { file: 'bench', line: 1 },
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? Number.NaN;

/** Runs `command` in the attendee's node1 as their terminals enter it (its `enter` script: ssh). */
function onNode1(root: string, attendee: AttendeeRef, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('sh', [join(root, attendee.id, 'enter'), command], { timeout: 60_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
}

interface Ready {
  /** The provider's `up`, from the join. */
  readonly up: number;
  /** `docker info` answered on node1 and node3, from the join. */
  readonly answered: number;
}

/** The attendees join one after the other; each timed alone. */
async function joinOneAfterAnother(provider: EnvironmentProvider, root: string, attendees: readonly AttendeeRef[]): Promise<Ready[]> {
  const ready: Ready[] = [];
  for (const attendee of attendees) {
    const joined = Date.now();
    await provider.up(attendee);
    const up = Date.now() - joined;
    const output = await onNode1(root, attendee, "docker info --format 'answer={{.Name}}'; ssh node3 docker info --format \"'answer={{.Name}}'\"");
    if (!/answer=node1[\s\S]*answer=node3/.test(output)) throw new Error(`${attendee.id}: ${output}`);
    ready.push({ up, answered: Date.now() - joined });
  }
  return ready;
}

/** A warm class: its pool filled with as many clusters as attendees (timed), then they join one after the other. */
async function warmJoins(docker: ReturnType<typeof connectEngine>, root: string): Promise<{ ready: Ready[]; fillMs: number }> {
  const classId = `KW${Date.now().toString(36).toUpperCase()}`;
  const warmRoot = join(root, classId);
  const provider = createSwarmProvider({ docker, classId, root: warmRoot, config: { ...config, warm: clusterCount }, log: () => {}, startTimeoutMs: 240_000 });
  const attendees: AttendeeRef[] = Array.from({ length: clusterCount }, (_, i) => ({ id: `a-kw${i}`, name: `kw${i}` }));
  try {
    const started = Date.now();
    const outcome = await provider.seats?.fill(clusterCount);
    const fillMs = Date.now() - started;
    if ((outcome?.ready ?? 0) < clusterCount) throw new Error(`only ${outcome?.ready ?? 0} of ${clusterCount} warm clusters got ready: ${outcome?.failures.join('; ')}`);
    await new Promise((resolve) => setTimeout(resolve, 5000)); // idle: the engines settled after their start
    return { ready: await joinOneAfterAnother(provider, warmRoot, attendees), fillMs };
  } finally {
    for (const attendee of attendees) await provider.down(attendee).catch(() => {});
    await provider.seats?.removeUnclaimed().catch(() => {});
  }
}

export async function benchClusters(): Promise<string> {
  const docker = connectEngine({});
  await ensureBusyboxImage(docker, { name: 'labdeck/busybox:latest' });
  await ensureSandboxImage(docker, {});
  const root = mkdtempSync(join(tmpdir(), 'labdeck-bench-clusters-'));
  const classId = `K${Date.now().toString(36).toUpperCase()}`;
  const provider = createSwarmProvider({ docker, classId, root, config, log: () => {}, startTimeoutMs: 240_000 });
  const attendees: AttendeeRef[] = Array.from({ length: clusterCount }, (_, i) => ({ id: `a-k${i}`, name: `k${i}` }));
  try {
    // Cold: each cluster made at the join; measured idle, then removed before the warm class fills its pool.
    let ready: Ready[];
    let clusters: { workingSet: number; resident: number; containers: number }[];
    try {
      ready = await joinOneAfterAnother(provider, root, attendees);
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      const containers = await docker.listContainers({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`] } });
      const perCluster = new Map<string, { workingSet: number; resident: number; containers: number }>();
      for (const container of containers) {
        const stats = (await docker.getContainer(container.Id).stats({ stream: false })) as { memory_stats: { usage: number; stats: Record<string, number> } };
        const { usage, stats: detail } = stats.memory_stats;
        const inactiveFile = detail.total_inactive_file ?? detail.inactive_file ?? 0;
        const resident = (detail.total_rss ?? detail.anon ?? 0) + (detail.total_mapped_file ?? detail.file_mapped ?? 0);
        const attendee = container.Labels[SANDBOX_ATTENDEE_LABEL] ?? '?';
        const sum = perCluster.get(attendee) ?? { workingSet: 0, resident: 0, containers: 0 };
        perCluster.set(attendee, { workingSet: sum.workingSet + usage - inactiveFile, resident: sum.resident + resident, containers: sum.containers + 1 });
      }
      clusters = [...perCluster.values()];
    } finally {
      for (const attendee of attendees) await provider.down(attendee).catch(() => {});
    }
    const warm = await warmJoins(docker, root);
    const autopilot = await benchSwarmChaptersAutopilot(docker);
    const working = clusters.map((cluster) => cluster.workingSet);
    const times = (values: readonly Ready[], key: keyof Ready) => `median of ${values.length} (${values.map((r) => seconds(r[key])).join(', ')})`;
    return [
      `${clusterCount} attendees joining one after the other, each given a cluster of ${nodes} sandboxes (768 MiB limit each), the class's images \`labdeck/busybox\`; one engine (a single-node class swarm). Cold: each cluster made at the join. Warm: another class, whose pool (\`warm: ${clusterCount}\`) held ${clusterCount} ready clusters before the first join (filling it, \`labdeck env warm ${clusterCount}\`, took ${seconds(warm.fillMs)}, 2 clusters at a time).`,
      '',
      '| measure | value | goal |',
      '|---|---|---|',
      `| join → cluster ready (provider \`up\`: 3 engines up, images in every node, ssh between them), ${times(ready, 'up')} | ${seconds(median(ready.map((r) => r.up)))} | |`,
      `| join → \`docker info\` answered on node1 and, over the cluster's ssh, on node3, ${times(ready, 'answered')} | ${seconds(median(ready.map((r) => r.answered)))} | |`,
      `| warm: join → cluster ready (provider \`up\`: a ready cluster claimed, its nodes following node1), ${times(warm.ready, 'up')} | ${seconds(median(warm.ready.map((r) => r.up)))} | |`,
      `| warm: join → \`docker info\` answered on node1 and, over the cluster's ssh, on node3, ${times(warm.ready, 'answered')} | ${seconds(median(warm.ready.map((r) => r.answered)))} | |`,
      `| memory per idle 3-node cluster (its three sandboxes' cgroups less inactive page cache), mean of ${clusters.length} (${working.map(mib).join(', ')}) | ${mib(working.reduce((a, b) => a + b, 0) / Math.max(1, working.length))} (resident ${mib(clusters.reduce((a, c) => a + c.resident, 0) / Math.max(1, clusters.length))}) | ≤ 600 MiB |`,
      '',
      ...autopilot,
    ].join('\n');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
