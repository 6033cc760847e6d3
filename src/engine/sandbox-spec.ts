// What a per-attendee sandbox is, as a Docker Swarm service spec: pure data in → data out, so it can be tested
// without an engine. sandboxes.ts sends it.
//
// The sandbox holds near-root power over the node it runs on (all capabilities but CAP_SYS_RESOURCE, the host's
// cgroup tree mounted read-write): fine on machines dedicated to a class, never on a shared server.

/** Labels every sandbox (service, container and volume) carries: which class, which attendee. */
export const SANDBOX_CLASS_LABEL = 'labdeck.sandbox';
export const SANDBOX_ATTENDEE_LABEL = 'labdeck.attendee';
export const SANDBOX_NAME_LABEL = 'labdeck.attendee-name';

export interface SandboxDefinition {
  /** The class the sandbox belongs to (its code): `labdeck.sandbox=<class>`. */
  readonly classId: string;
  /** The attendee's stable id (safe in names): `labdeck.attendee=<id>`. */
  readonly attendee: string;
  /** What people call the attendee (free text, kept only as a label). */
  readonly attendeeName: string;
  readonly image: string;
  readonly memoryBytes: number;
  /** CPUs × 10⁹. */
  readonly nanoCpus: number;
  /** A host folder mounted at `socketTarget`, where the inner engine's socket appears for labdeck. */
  readonly socketFolder: string;
  readonly socketTarget: string;
  /** Swarm placement constraints (e.g. `node.id==…` while the engine is reached through a host folder). */
  readonly constraints: readonly string[];
}

export interface SandboxNames {
  readonly service: string;
  /** The inner engine's /var/lib/docker: dropped on reset, so a reset sandbox starts empty. */
  readonly volume: string;
}

export function sandboxNames(classId: string, attendee: string): SandboxNames {
  const base = `labdeck-sandbox-${classId.toLowerCase()}-${attendee.toLowerCase()}`;
  return { service: base, volume: `${base}-docker` };
}

export function sandboxLabels(definition: Pick<SandboxDefinition, 'classId' | 'attendee' | 'attendeeName'>): Record<string, string> {
  return {
    [SANDBOX_CLASS_LABEL]: definition.classId,
    [SANDBOX_ATTENDEE_LABEL]: definition.attendee,
    [SANDBOX_NAME_LABEL]: definition.attendeeName,
  };
}

/** The service spec (Docker Engine API 1.41, `POST /services/create`). */
export function sandboxServiceSpec(definition: SandboxDefinition): Record<string, unknown> {
  const names = sandboxNames(definition.classId, definition.attendee);
  const labels = sandboxLabels(definition);
  return {
    Name: names.service,
    Labels: labels,
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
          { Type: 'bind', Source: definition.socketFolder, Target: definition.socketTarget },
        ],
        StopGracePeriod: 5_000_000_000,
      },
      Resources: { Limits: { MemoryBytes: definition.memoryBytes, NanoCPUs: definition.nanoCpus } },
      Placement: {
        Constraints: [...definition.constraints],
        // Attendees spread over the class swarm's nodes: adding a node adds room for more of them.
        Preferences: [{ Spread: { SpreadDescriptor: 'node.id' } }],
      },
      RestartPolicy: { Condition: 'any', Delay: 2_000_000_000 },
    },
  };
}
