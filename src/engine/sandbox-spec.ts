// What a per-attendee sandbox is, as a Docker Swarm service spec: pure data in → data out, so it can be tested
// without an engine. sandboxes.ts sends it.
//
// labdeck reaches a sandbox over ssh, from any node: its sshd listens on a port published in host mode on the node
// its task runs on (ingress routing needs IPVS, which the class machines may lack), accepts only the class key (a
// swarm secret as root's authorized keys) and proves itself with a host key of its own (another secret, whose public
// half labdeck keeps). Terminals `ssh` in; checks reach the inner engine as `ssh://` (`docker system dial-stdio`).
//
// The sandbox holds near-root power over the node it runs on (all capabilities but CAP_SYS_RESOURCE, the host's
// cgroup tree mounted read-write): fine on machines dedicated to a class, never on a shared server.

/** Labels every sandbox (service, container and volume) carries: which class, which attendee. */
export const SANDBOX_CLASS_LABEL = 'labdeck.sandbox';
export const SANDBOX_ATTENDEE_LABEL = 'labdeck.attendee';
export const SANDBOX_NAME_LABEL = 'labdeck.attendee-name';
/** A warm seat (a sandbox made before anyone joined) carries its seat id, on everything it is made of, for good. */
export const SANDBOX_SEAT_LABEL = 'labdeck.seat';
/** A warm seat's state, on its service only (the swarm's record, changed by compare-and-swap): engine/warm-seats.ts. */
export const SEAT_STATE_LABEL = 'labdeck.seat-state';

/** Where the sandbox's secrets appear (under /run/secrets/); the image's sshd reads them there. */
export const SANDBOX_SECRET_FILES = Object.freeze({ authorizedKeys: 'labdeck-authorized-keys', hostKey: 'labdeck-host-key' });
/** The port sshd listens on inside the sandbox. */
export const SANDBOX_SSH_TARGET_PORT = 22;

export interface SecretRef {
  readonly id: string;
  readonly name: string;
}

export interface SandboxDefinition {
  /** The class the sandbox belongs to (its code): `labdeck.sandbox=<class>`. */
  readonly classId: string;
  /** The attendee's stable id (safe in names): `labdeck.attendee=<id>`; a warm seat's id until someone claims it. */
  readonly attendee: string;
  /** Set for a warm seat (then `attendee` is the seat id too): made `warming`, waiting for its attendee. */
  readonly seat?: string;
  /** What people call the attendee (free text, kept only as a label). */
  readonly attendeeName: string;
  readonly image: string;
  readonly memoryBytes: number;
  /** CPUs × 10⁹. */
  readonly nanoCpus: number;
  /** The port sshd is published on, in host mode, on the node the sandbox runs on. */
  readonly sshPort: number;
  /**
   * A node label (value `ready`) the node must carry: labdeck labels the nodes it gave the sandbox image to
   * (swarm-nodes.ts), so that no task goes to a node that would have to pull it from a registry.
   */
  readonly requiredNodeLabel?: string | undefined;
  /** The class's public key (root's authorized keys) and the sandbox's own ssh host key, as swarm secrets. */
  readonly secrets: { readonly authorizedKeys: SecretRef; readonly hostKey: SecretRef };
}

export interface SandboxNames {
  readonly service: string;
  /** The inner engine's /var/lib/docker: dropped on reset, so a reset sandbox starts empty. */
  readonly volume: string;
  /** Swarm secrets: root's authorized keys (the class's public key), the sandbox's ssh host key. */
  readonly authorizedKeysSecret: string;
  readonly hostKeySecret: string;
}

export function sandboxNames(classId: string, attendee: string): SandboxNames {
  return sandboxNamesOf(`labdeck-sandbox-${classId.toLowerCase()}-${attendee.toLowerCase()}`);
}

/** The names of what a sandbox service is made of (a claimed warm seat keeps its seat's name). */
export function sandboxNamesOf(service: string): SandboxNames {
  return { service, volume: `${service}-docker`, authorizedKeysSecret: `${service}-keys`, hostKeySecret: `${service}-hostkey` };
}

export function sandboxLabels(definition: Pick<SandboxDefinition, 'classId' | 'attendee' | 'attendeeName' | 'seat'>): Record<string, string> {
  return {
    [SANDBOX_CLASS_LABEL]: definition.classId,
    [SANDBOX_ATTENDEE_LABEL]: definition.attendee,
    [SANDBOX_NAME_LABEL]: definition.attendeeName,
    ...(definition.seat === undefined ? {} : { [SANDBOX_SEAT_LABEL]: definition.seat }),
  };
}

/** The service spec (Docker Engine API 1.41, `POST /services/create`). */
export function sandboxServiceSpec(definition: SandboxDefinition): Record<string, unknown> {
  const names = sandboxNames(definition.classId, definition.attendee);
  const labels = sandboxLabels(definition);
  return {
    Name: names.service,
    Labels: definition.seat === undefined ? labels : { ...labels, [SEAT_STATE_LABEL]: 'warming' },
    Mode: { Replicated: { Replicas: 1 } },
    TaskTemplate: {
      ContainerSpec: {
        Image: definition.image,
        Labels: labels,
        Hostname: 'sandbox',
        // Services cannot be privileged on this engine version, and the host lacks CAP_SYS_RESOURCE in its bounding
        // set: everything else is what a Docker engine inside needs (mounts, iptables, cgroups, namespaces).
        CapabilityAdd: ['ALL'],
        CapabilityDrop: ['CAP_SYS_RESOURCE'],
        // Reaps the orphans of the attendees' shells (dockerd as PID 1 would not).
        Init: true,
        Mounts: [
          { Type: 'bind', Source: '/sys/fs/cgroup', Target: '/sys/fs/cgroup', ReadOnly: false },
          { Type: 'volume', Source: names.volume, Target: '/var/lib/docker', VolumeOptions: { Labels: labels } },
          { Type: 'tmpfs', Target: '/run' },
        ],
        // sshd refuses keys others could read or write: root's, read-only to root.
        Secrets: [
          secretFile(definition.secrets.authorizedKeys, SANDBOX_SECRET_FILES.authorizedKeys),
          secretFile(definition.secrets.hostKey, SANDBOX_SECRET_FILES.hostKey),
        ],
        StopGracePeriod: 5_000_000_000,
      },
      // Reserved as well as limited: the swarm places a sandbox only on a node with that much memory not yet reserved,
      // and leaves it pending ("insufficient resources") when none has: admission, rather than nodes overcommitted.
      Resources: { Limits: { MemoryBytes: definition.memoryBytes, NanoCPUs: definition.nanoCpus }, Reservations: { MemoryBytes: definition.memoryBytes } },
      Placement: {
        ...(definition.requiredNodeLabel ? { Constraints: [`node.labels.${definition.requiredNodeLabel}==ready`] } : {}),
        // Attendees spread over the class swarm's nodes: adding a node adds room for more of them.
        Preferences: [{ Spread: { SpreadDescriptor: 'node.id' } }],
      },
      RestartPolicy: { Condition: 'any', Delay: 2_000_000_000 },
    },
    // Host mode: the port opens on the node running the task, no ingress routing mesh (no IPVS needed), and the
    // swarm never places two tasks publishing the same port on one node. dnsrr: no virtual IP to allocate.
    EndpointSpec: {
      Mode: 'dnsrr',
      Ports: [{ Protocol: 'tcp', TargetPort: SANDBOX_SSH_TARGET_PORT, PublishedPort: definition.sshPort, PublishMode: 'host' }],
    },
  };
}

function secretFile(secret: SecretRef, file: string): Record<string, unknown> {
  return { SecretID: secret.id, SecretName: secret.name, File: { Name: file, UID: '0', GID: '0', Mode: 0o400 } };
}
