// An attendee's cluster on the class swarm (its spec: cluster-spec.ts): the network and secrets its nodes share, the
// services of node2…nodeN (node1 is made by createSandbox, given the membership returned here), their states, and
// their removal, network and secrets included.
//
// One attendee's whole cluster is made by ensureClusterParts() + createSandbox(node1); a warm seat's too (`seat`: then
// node2…nodeN carry the seat's id and follow node1's claim, cluster-seats.ts).
import type Docker from 'dockerode';
import { findSandbox, removeSandbox } from './sandboxes.ts';
import {
  SANDBOX_ATTENDEE_LABEL,
  SANDBOX_CLASS_LABEL,
  SANDBOX_SEAT_LABEL,
  sandboxNames,
  sandboxNamesOf,
  sandboxServiceSpec,
  type SandboxDefinition,
  type SecretRef,
} from './sandbox-spec.ts';
import { asClusterNode, clusterNamesOf, clusterNodeLabels, SANDBOX_NODE_LABEL, type ClusterMembership } from './cluster-spec.ts';
import { seatClusterNodes } from './cluster-seats.ts';
import { ensureNetwork, removeNetwork } from './services.ts';

export interface ClusterRequest extends Omit<SandboxDefinition, 'sshPort' | 'secrets'> {
  readonly nodes: number;
  /** node1's service, whose names the cluster's follow (a claimed warm seat's keep the seat's); default: the attendee's. */
  readonly service?: string | undefined;
  /** Every node's root authorized keys: the class's public key and the cluster's. */
  readonly authorizedKeys: string;
  /** The cluster's private key (root's, on every node) and the known_hosts of its nodes. */
  readonly clusterKey: string;
  readonly knownHosts: string;
  /** Private host keys of node2…nodeN, in order (node1's is the sandbox's own). */
  readonly hostKeys: readonly string[];
}

/**
 * Makes, unless they exist, the attendee's network, the cluster's secrets and the services of node2…nodeN; resolves
 * to what node1 needs to join them (createSandbox's `cluster`). The nodes boot meanwhile, beside node1.
 */
export async function ensureClusterParts(docker: Docker, request: ClusterRequest): Promise<ClusterMembership> {
  const service = request.service ?? sandboxNames(request.classId, request.attendee).service;
  const names = clusterNamesOf(service);
  const labels = clusterNodeLabels(request, 1);
  const { [SANDBOX_NODE_LABEL]: _node, ...shared } = labels;
  await ensureNetwork(docker, { name: names.network, attachable: true, labels: shared });
  const existing = await clusterServices(docker, request.classId, request.attendee);
  const secret = async (name: string, content: string): Promise<SecretRef> => {
    const found = (await docker.listSecrets({ filters: { name: [name] } })) as { ID: string; Spec?: { Name?: string } }[];
    const mine = found.find((candidate) => candidate.Spec?.Name === name);
    if (mine) return { id: mine.ID, name };
    const created = (await docker.createSecret({ Name: name, Labels: shared, Data: Buffer.from(content).toString('base64') })) as { id: string };
    return { id: created.id, name };
  };
  const membership = (index: number, secrets: ClusterMembership['secrets']): ClusterMembership => ({
    index,
    nodes: request.nodes,
    network: names.network,
    service,
    secrets,
  });
  const secrets = { key: await secret(names.keySecret, request.clusterKey), knownHosts: await secret(names.knownHostsSecret, request.knownHosts) };
  // A seat's node2…nodeN carry its id (clusterNodeLabels) but no seat state: the seat is node1's service alone.
  const { authorizedKeys, clusterKey: _key, knownHosts: _known, hostKeys, nodes, service: _service, seat: _seat, ...definition } = request;
  for (let index = 2; index <= nodes; index++) {
    const node = names.node(index);
    if (existing.some((service) => service.Spec?.Name === node.service)) continue;
    const nodeLabels = clusterNodeLabels(request, index);
    const own = async (name: string, content: string): Promise<SecretRef> => {
      // A secret left by an interrupted creation may hold another key: made again.
      await removeSecretsNamed(docker, [name]);
      const created = (await docker.createSecret({ Name: name, Labels: nodeLabels, Data: Buffer.from(content).toString('base64') })) as { id: string };
      return { id: created.id, name };
    };
    const hostKey = hostKeys[index - 2];
    if (hostKey === undefined) throw new Error(`no host key for ${node.service}`);
    const sandboxSecrets = { authorizedKeys: await own(node.authorizedKeysSecret, authorizedKeys), hostKey: await own(node.hostKeySecret, hostKey) };
    const spec = sandboxServiceSpec({ ...definition, sshPort: 0, secrets: sandboxSecrets });
    await docker.createService(asClusterNode(spec, request, membership(index, secrets)));
  }
  return membership(1, secrets);
}

export interface ClusterNodeState {
  readonly node: string;
  readonly service: string;
  /** Its newest task's state (running, starting, pending, …), or `absent`. */
  readonly state: string;
  /** That task's ID: another one running later means the swarm recreated the node. */
  readonly task: string | undefined;
  readonly problem: string | undefined;
}

/** The state of every node of each attendee cluster of the class but node1 (listSandboxes says node1's). */
export async function otherClusterNodes(docker: Docker, classId: string): Promise<Map<string, ClusterNodeState[]>> {
  const [services, tasks] = await Promise.all([
    docker.listServices({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`, SANDBOX_NODE_LABEL] } }),
    docker.listTasks({ filters: { 'desired-state': ['running'] } }) as Promise<TaskView[]>,
  ]);
  const byAttendee = new Map<string, ClusterNodeState[]>();
  for (const service of services) {
    const labels = service.Spec?.Labels ?? {};
    const node = labels[SANDBOX_NODE_LABEL] ?? '';
    if (node === 'node1') continue;
    const newest = tasks.filter((task) => task.ServiceID === service.ID).sort((a, b) => String(b.UpdatedAt).localeCompare(String(a.UpdatedAt)))[0];
    const attendee = labels[SANDBOX_ATTENDEE_LABEL] ?? '';
    const list = byAttendee.get(attendee) ?? [];
    list.push({ node, service: service.Spec?.Name ?? '', state: newest?.Status?.State ?? 'absent', task: newest?.ID, problem: newest?.Status?.Err });
    byAttendee.set(attendee, list);
  }
  for (const list of byAttendee.values()) list.sort((a, b) => a.node.localeCompare(b.node, 'en', { numeric: true }));
  return byAttendee;
}

/**
 * Removes the attendee's whole cluster: node2…nodeN's services first (they stop beside node1), node1 (removeSandbox),
 * then the other nodes' containers, volumes and secrets, the cluster's secrets and its network. Also what a cluster
 * left behind when the class went back to one node per attendee. True when there was something to remove. Volumes
 * live on the nodes that ran the tasks: `volumes` lists them all (node1's included), for removal on the other nodes.
 * A claimed warm seat's cluster keeps the seat's names, and its nodes are found by the seat's id too (they may not
 * follow node1's claim yet: cluster-seats.ts).
 */
export async function removeCluster(docker: Docker, classId: string, attendee: string, timeoutMs = 30_000): Promise<{ removed: boolean; volumes: string[] }> {
  const found = await findSandbox(docker, classId, attendee);
  const service = found?.Spec?.Name ?? sandboxNames(classId, attendee).service;
  const seat = found?.Spec?.Labels?.[SANDBOX_SEAT_LABEL];
  const others = [
    ...(await clusterServices(docker, classId, attendee)).filter((node) => node.Spec?.Labels?.[SANDBOX_NODE_LABEL] !== 'node1'),
    ...(seat === undefined ? [] : await seatClusterNodes(docker, classId, seat)),
  ].filter((node, index, all) => all.findIndex((other) => other.ID === node.ID) === index);
  await Promise.all(others.map((node) => docker.getService(node.ID).remove().catch(ignoreGone)));
  const node1 = await removeSandbox(docker, classId, attendee, timeoutMs);
  const nodeNames = others.map((node) => sandboxNamesOf(node.Spec?.Name ?? ''));
  // The cluster's shared parts are named after node1's service (the others' names say which, should node1 be gone).
  const clusters = [...new Set([service, ...nodeNames.map((node) => node.service.replace(/-node\d+$/, ''))])].map(clusterNamesOf);
  await removeSecretsNamed(
    docker,
    nodeNames.flatMap((node) => [node.authorizedKeysSecret, node.hostKeySecret]),
  );
  const deadline = Date.now() + timeoutMs;
  await Promise.all(
    nodeNames.map(async (node) => {
      for (;;) {
        const containers = await docker.listContainers({ all: true, filters: { label: [`com.docker.swarm.service.name=${node.service}`] } });
        await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: false }).catch(ignoreGone)));
        try {
          await docker.getVolume(node.volume).remove();
          return;
        } catch (problem) {
          const status = (problem as { statusCode?: number }).statusCode;
          if (status === 404) return;
          if (status !== 409 || Date.now() > deadline) throw problem;
        }
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    }),
  );
  const shared = await removeSecretsNamed(
    docker,
    clusters.flatMap((names) => [names.keySecret, names.knownHostsSecret]),
  );
  let network = false;
  for (const names of clusters) network = (await removeNetwork(docker, names.network, timeoutMs)) || network;
  return { removed: node1 || others.length > 0 || shared > 0 || network, volumes: [sandboxNamesOf(service).volume, ...nodeNames.map((node) => node.volume)] };
}

/** The attendee's services that are nodes of a cluster (node1 included, when it is one). */
async function clusterServices(docker: Docker, classId: string, attendee: string): Promise<Docker.Service[]> {
  const services = await docker.listServices({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`, `${SANDBOX_ATTENDEE_LABEL}=${attendee}`, SANDBOX_NODE_LABEL] } });
  return services.filter((service) => service.Spec?.Labels?.[SANDBOX_ATTENDEE_LABEL] === attendee) as Docker.Service[];
}

async function removeSecretsNamed(docker: Docker, names: readonly string[]): Promise<number> {
  if (names.length === 0) return 0;
  const secrets = (await docker.listSecrets({ filters: { name: [...names] } })) as { ID: string; Spec?: { Name?: string } }[];
  const ours = secrets.filter((secret) => names.includes(secret.Spec?.Name ?? ''));
  await Promise.all(ours.map((secret) => docker.getSecret(secret.ID).remove().catch(ignoreGone)));
  return ours.length;
}

interface TaskView {
  ID?: string;
  ServiceID?: string;
  UpdatedAt?: string;
  Status?: { State?: string; Err?: string };
}

function ignoreGone(problem: unknown): void {
  const status = (problem as { statusCode?: number }).statusCode;
  if (status !== 404 && status !== 409) throw problem;
}
