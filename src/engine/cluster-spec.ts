// What an attendee's cluster is (`classroom.environment.nodes` above 1), as pure data: sandboxes node1…nodeN, each a
// sandbox service (sandbox-spec.ts) with its hostname, on a private attachable overlay network of the attendee's own
// with a network alias per node, and root ssh between the nodes with a key pair of the cluster's own. Tested without
// an engine; attendee-cluster.ts sends it.
//
// node1 is "the" sandbox: the same service name and labels as a single sandbox (findSandbox, env commands, the
// checks and terminals find it as before), its ssh port published. node2…nodeN are reached only through the
// attendee's network (labdeck's own terminals on them jump through node1): no port of theirs opens on a class node.
//
// ssh between the nodes: every node trusts the cluster's public key as root (next to the class key) and holds its
// private half as a root-only secret; the nodes' host keys are known in advance (labdeck makes them and gives every
// node a known_hosts naming node1…nodeN), so `ssh node2` checks the host key strictly, for the cluster's own names
// only. No relaxed checking: a name that resolved elsewhere would be refused, not trusted.
import { sandboxLabels, sandboxNamesOf, sandboxNames, type SandboxDefinition, type SandboxNames, type SecretRef } from './sandbox-spec.ts';

/** Which node of its attendee's cluster a sandbox is (`node1`…), on the services of a cluster only. */
export const SANDBOX_NODE_LABEL = 'labdeck.node';
/** The files under /run/secrets/ the cluster's own secrets appear as. */
export const CLUSTER_SECRET_FILES = Object.freeze({ key: 'labdeck-cluster-key', knownHosts: 'labdeck-cluster-known-hosts' });

/** node1, node2, … (1-based), as container.training names the machines of an attendee's cluster. */
export function clusterNodeName(index: number): string {
  return `node${index}`;
}

/** node1 (or a sandbox of no cluster) is the attendee's sandbox; the other nodes are found through their cluster. */
export function isOtherClusterNode(labels: Readonly<Record<string, string>> | undefined): boolean {
  const node = labels?.[SANDBOX_NODE_LABEL];
  return node !== undefined && node !== clusterNodeName(1);
}

export interface ClusterNames {
  /** The attendee's own overlay network: their nodes, nothing else. */
  readonly network: string;
  /** Swarm secrets every node gets: the cluster's private key, the known_hosts of its nodes. */
  readonly keySecret: string;
  readonly knownHostsSecret: string;
  /** Node `index`'s service, volume and secrets (node1's are the single sandbox's). */
  node(index: number): SandboxNames;
}

/** The names of the attendee's cluster: node1's are the single sandbox's (sandboxNames), the others follow from them. */
export function clusterNames(classId: string, attendee: string): ClusterNames {
  return clusterNamesOf(sandboxNames(classId, attendee).service);
}

/**
 * The names of the cluster whose node1 is the service `base`: a claimed warm seat's cluster keeps the seat's names
 * (its node1 is `labdeck-sandbox-<class>-seat-…`), so its names follow node1's service, not its attendee's id.
 */
export function clusterNamesOf(base: string): ClusterNames {
  return {
    network: `${base}-net`,
    keySecret: `${base}-cluster-key`,
    knownHostsSecret: `${base}-known-hosts`,
    node: (index) => (index === 1 ? sandboxNamesOf(base) : sandboxNamesOf(`${base}-${clusterNodeName(index)}`)),
  };
}

/** What makes a sandbox node `index` of a cluster of `nodes`, beyond being a sandbox. */
export interface ClusterMembership {
  readonly index: number;
  readonly nodes: number;
  /** The attendee's network (its name). */
  readonly network: string;
  /** node1's service, whose names the cluster's follow (clusterNamesOf); default: the attendee's sandbox's. */
  readonly service?: string | undefined;
  readonly secrets: { readonly key: SecretRef; readonly knownHosts: SecretRef };
}

/** Labels of a cluster node's service, container and volume: the sandbox's, and which node it is. */
export function clusterNodeLabels(definition: Pick<SandboxDefinition, 'classId' | 'attendee' | 'attendeeName'>, index: number): Record<string, string> {
  return { ...sandboxLabels(definition), [SANDBOX_NODE_LABEL]: clusterNodeName(index) };
}

/**
 * A sandbox service spec (sandboxServiceSpec's) made node `index` of its cluster: its name, labels and volume (node1
 * keeps the sandbox's), hostname, network and alias, the cluster's secrets, and ssh set up before the sandbox starts.
 * Nodes other than node1 publish no port (dnsrr: no virtual IP, which needs IPVS this kernel lacks).
 */
export function asClusterNode(
  spec: Record<string, unknown>,
  definition: Pick<SandboxDefinition, 'classId' | 'attendee' | 'attendeeName'>,
  membership: ClusterMembership,
): Record<string, unknown> {
  const { index } = membership;
  const names = (membership.service ? clusterNamesOf(membership.service) : clusterNames(definition.classId, definition.attendee)).node(index);
  const labels = clusterNodeLabels(definition, index);
  const task = spec.TaskTemplate as { ContainerSpec: Record<string, unknown> } & Record<string, unknown>;
  const container = task.ContainerSpec as { Mounts: { Type: string; Target: string }[]; Secrets: unknown[] } & Record<string, unknown>;
  const node = clusterNodeName(index);
  return {
    ...spec,
    Name: names.service,
    Labels: { ...(spec.Labels as Record<string, string>), ...labels },
    TaskTemplate: {
      ...task,
      ContainerSpec: {
        ...container,
        Labels: labels,
        Hostname: node,
        Command: ['/bin/sh', '-c', clusterNodeStartScript(membership.nodes)],
        Mounts: container.Mounts.map((mount) => (mount.Target === '/var/lib/docker' ? { ...mount, Source: names.volume, VolumeOptions: { Labels: labels } } : mount)),
        Secrets: [
          ...container.Secrets,
          secretFile(membership.secrets.key, CLUSTER_SECRET_FILES.key),
          secretFile(membership.secrets.knownHosts, CLUSTER_SECRET_FILES.knownHosts),
        ],
      },
      Networks: [{ Target: membership.network, Aliases: [node] }],
    },
    ...(index === 1 ? {} : { EndpointSpec: { Mode: 'dnsrr' } }),
  };
}

/**
 * What a node runs first: root's ssh client uses the cluster's key and the nodes' known host keys for the cluster's
 * names (`ssh node2`, `ssh root@node3`); the engine advertises eth0 (the attendee's network) to a swarm by default: a
 * node also has the class swarm's gateway bridge (eth1), and with two interfaces a plain `docker swarm init`, as the
 * decks type it, would refuse to pick one. Then the sandbox starts as usual (sshd, then its engine).
 */
export function clusterNodeStartScript(nodes: number): string {
  const hosts = Array.from({ length: nodes }, (_, i) => clusterNodeName(i + 1)).join(' ');
  return [
    'set -e',
    `printf '%s\\n' '# written by labdeck: ssh between the nodes of this cluster' 'Host ${hosts}' '  User root' '  IdentityFile /run/secrets/${CLUSTER_SECRET_FILES.key}' '  UserKnownHostsFile /run/secrets/${CLUSTER_SECRET_FILES.knownHosts}' '  StrictHostKeyChecking yes' > /etc/ssh/ssh_config.d/labdeck-cluster.conf`,
    `grep -q swarm-default-advertise-addr /etc/docker/daemon.json || sed -i '1s/^{$/{\\n  "swarm-default-advertise-addr": "eth0",/' /etc/docker/daemon.json`,
    'exec /usr/local/bin/labdeck-sandbox',
  ].join('\n');
}

/** The known_hosts every node gets: `nodeN <host key>` for each node (public keys, in node order). */
export function clusterKnownHosts(publicHostKeys: readonly string[]): string {
  return publicHostKeys.map((key, i) => `${clusterNodeName(i + 1)} ${key.split(/\s+/).slice(0, 2).join(' ')}\n`).join('');
}

function secretFile(secret: SecretRef, file: string): Record<string, unknown> {
  return { SecretID: secret.id, SecretName: secret.name, File: { Name: file, UID: '0', GID: '0', Mode: 0o400 } };
}
