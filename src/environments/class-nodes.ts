// The nodes of a class swarm, for the `swarm` provider: each node that can take sandboxes gets the sandbox image from
// the manager (no registry), through the engine address its `labdeck.engine` label gives; and what `labdeck env nodes`
// lists about each: reachable or not, image present, sandboxes and memory reserved, memory free to reserve.
//
// Node engine addresses are node labels rather than workshop.yml entries: a machine joined mid-class is labelled
// where it is joined (`docker node update --label-add labdeck.engine=ssh://USER@HOST NODE`), and the running server
// sees it at its next sandbox, with no restart and no edit of the workshop.
import { connectEngineAt, type EngineAddress, type UserSsh } from '../engine/engine-address.ts';
import { inspectImageByName } from '../engine/import-image.ts';
import type { EngineClient as Docker } from '../engine/services.ts';
import { giveNodeImage, holdsImage, listClassNodes, NODE_ENGINE_LABEL, nodeLoads, ownNodeId, type ClassNode } from '../engine/swarm-nodes.ts';

/** How labdeck logs in to the nodes' engines: as the user's own ssh would (ssh-agent or key, known_hosts). */
export interface NodeAccess {
  readonly userSsh?: UserSsh | undefined;
}

export interface SandboxImageRef {
  readonly name: string;
  readonly id: string;
}

/** What a sandbox whose task waits for room says, in the attendee's terminal, `env nodes` and the dashboard. */
export const CLASS_FULL = 'class full: add a node or lower `memory`';

/** True when a pending task's error says that no node has the memory (or CPUs) its reservation asks for. */
export function isClassFull(taskError: string | undefined): boolean {
  return /insufficient resources/.test(taskError ?? '');
}

/** A `labdeck.engine` label → the address labdeck connects to. */
export function nodeEngineAddress(engine: string, access: NodeAccess): EngineAddress {
  let url: URL;
  try {
    url = new URL(engine);
  } catch {
    throw new Error(`${NODE_ENGINE_LABEL}=${engine} is not an address (ssh://USER@HOST[:PORT] or unix:///path)`);
  }
  if (url.protocol === 'ssh:') return { host: engine, ...(access.userSsh ? { userSsh: access.userSsh } : {}) };
  if (url.protocol === 'unix:') return { host: engine };
  throw new Error(`${NODE_ENGINE_LABEL}=${engine}: labdeck reaches node engines over ssh:// (or unix:// on its own machine)`);
}

function nodeEngine(docker: Docker, own: string, node: ClassNode, access: NodeAccess): Docker | undefined {
  if (node.id === own) return docker;
  return node.engine === undefined ? undefined : connectEngineAt(nodeEngineAddress(node.engine, access));
}

/**
 * Gives every active, ready node the sandbox image, those the manager reaches; a node it cannot reach is logged
 * (once per cause) and skipped: it takes no sandbox until it has the image, and the class goes on without it.
 * Concurrent calls share one pass.
 */
export function createNodeImages(options: { docker: Docker; access: NodeAccess; log: (line: string) => void }): (image: SandboxImageRef) => Promise<void> {
  const { docker, access } = options;
  let own: Promise<string> | undefined;
  let pass: Promise<void> | undefined;
  const said = new Set<string>();
  const sayOnce = (line: string): void => {
    if (!said.has(line)) options.log(line);
    said.add(line);
  };
  const run = async (image: SandboxImageRef): Promise<void> => {
    own ??= ownNodeId(docker);
    const [self, nodes] = await Promise.all([own, listClassNodes(docker)]);
    const lacking = nodes.filter((node) => node.state === 'ready' && node.availability === 'active' && !holdsImage(node, image.id));
    await Promise.all(
      lacking.map(async (node) => {
        try {
          const engine = nodeEngine(docker, self, node, access);
          if (!engine) {
            sayOnce(
              `node ${node.hostname} takes no sandbox: labdeck cannot give it ${image.name} without its engine's address (docker node update --label-add ${NODE_ENGINE_LABEL}=ssh://USER@${node.address} ${node.hostname})`,
            );
            return;
          }
          await giveNodeImage(docker, node, engine, image.name, image.id, options.log);
          options.log(`node ${node.hostname} has ${image.name}: it takes sandboxes`);
        } catch (error) {
          sayOnce(`node ${node.hostname} takes no sandbox: ${(error as Error).message.split('\n')[0]}`);
        }
      }),
    );
  };
  return (image) => {
    pass ??= run(image).finally(() => {
      pass = undefined;
    });
    return pass;
  };
}

/**
 * Removes a sandbox's engine volume from the other nodes labdeck reaches (the manager's own is removed with the
 * sandbox): it stays on whichever node ran the sandbox. A node that does not answer keeps it (logged). The volume may
 * still be in use for a few seconds, while that node removes the sandbox's container.
 */
export async function removeVolumeOnNodes(docker: Docker, access: NodeAccess, volume: string, log: (line: string) => void, timeoutMs = 30_000): Promise<void> {
  const [self, nodes] = await Promise.all([ownNodeId(docker), listClassNodes(docker)]);
  await Promise.all(
    nodes
      .filter((node) => node.id !== self && node.engine !== undefined && node.state === 'ready')
      .map(async (node) => {
        const deadline = Date.now() + timeoutMs;
        try {
          const engine = nodeEngine(docker, self, node, access);
          if (!engine) return;
          for (;;) {
            try {
              await engine.getVolume(volume).remove();
              return;
            } catch (problem) {
              const status = (problem as { statusCode?: number }).statusCode;
              if (status === 404) return;
              if (status !== 409 || Date.now() > deadline) throw problem;
            }
            // 409: its container is still being removed there.
            const containers = await engine.listContainers({ all: true, filters: { volume: [volume] } });
            await Promise.all(
              containers.map((c) =>
                engine
                  .getContainer(c.Id)
                  .remove({ force: true })
                  .catch(() => {}),
              ),
            );
            await new Promise((resolve) => setTimeout(resolve, 300));
          }
        } catch (error) {
          log(`node ${node.hostname} keeps the volume ${volume}: ${(error as Error).message.split('\n')[0]}`);
        }
      }),
  );
}

export interface NodeReport {
  readonly node: ClassNode;
  /** 'yes', 'no' (why), or 'no address' (no `labdeck.engine` label). */
  readonly reachable: string;
  /** 'yes', 'no', or '?' when labdeck cannot ask the node. */
  readonly image: string;
  readonly sandboxes: number;
  readonly reservedBytes: number;
  /** Memory left to reserve (what the swarm places by). */
  readonly freeBytes: number;
}

/** Each node of the class swarm as `labdeck env nodes` lists it. */
export async function reportNodes(docker: Docker, classId: string, imageName: string, access: NodeAccess, timeoutMs = 5000): Promise<NodeReport[]> {
  const [nodes, loads, self, managerImage] = await Promise.all([
    listClassNodes(docker),
    nodeLoads(docker, classId),
    ownNodeId(docker),
    inspectImageByName(docker, imageName),
  ]);
  return Promise.all(
    nodes.map(async (node): Promise<NodeReport> => {
      const load = loads.get(node.id) ?? { reservedBytes: 0, sandboxes: 0 };
      let reachable = 'no address';
      let image = '?';
      try {
        const engine = nodeEngine(docker, self, node, access);
        if (engine) {
          const found = await withTimeout(inspectImageByName(engine, imageName), timeoutMs);
          reachable = 'yes';
          image = found && found.Id === managerImage?.Id ? 'yes' : 'no';
        }
      } catch (error) {
        reachable = `no: ${(error as Error).message.split('\n')[0]}`;
      }
      return { node, reachable, image, ...load, freeBytes: Math.max(0, node.memoryBytes - load.reservedBytes) };
    }),
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
