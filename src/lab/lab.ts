// `labdeck lab up|down`: what the sample workshop needs on the local engine, offline. Up is idempotent (a second
// run finds everything in place and changes nothing) and brings the lab back to its starting state: what the
// workshop's own steps created (the chapter's `debug` service) is removed, so that the deck can be played again; down removes what up created, and the services a workshop
// attached to the lab's network (the chapter's `debug`), which would otherwise keep the network in use. The images
// stay as a build cache (the toolbox takes a minute to build) unless `removeImages` is asked.
import type { EngineClient } from '../engine/services.ts';
import { elementAt } from '../errors.ts';
import { existsSync } from 'node:fs';
import { release } from 'node:os';
import { describeEngine } from '../engine/docker.ts';
import { ensureBusyboxImage } from '../engine/images.ts';
import { inspectImageByName, tagImage, untagImage } from '../engine/import-image.ts';
import {
  ensureNetwork,
  ensureService,
  ensureSwarm,
  leaveSwarmIfLabelled,
  listServices,
  removeNetwork,
  removeServices,
  waitForServices,
  type ServiceProgress,
} from '../engine/services.ts';
import { findExisting, removeExisting, type NamedObject } from '../engine/swarm-objects.ts';
import { ensureToolboxImage, TOOLBOX_IMAGE } from '../engine/toolbox.ts';
import { dockercoinsNetwork, dockercoinsServices, LAB_LABEL, NETWORK, STACK } from './dockercoins.ts';
import { describeObject } from './workshop-objects.ts';
import { IMAGE_SUBSTITUTES } from './image-substitutes.ts';

export const BUSYBOX_IMAGE = 'labdeck/busybox:latest';

export interface LabOptions {
  readonly log: (line: string) => void;
  readonly rngReplicas?: number;
  /** Debian mirror for the toolbox's debootstrap (its default when undefined). */
  readonly mirror?: string;
  readonly startTimeoutMs?: number;
  /** What the workshop's steps create (workshop-objects.ts): removed when it exists and is not the lab's own. */
  readonly workshopObjects?: readonly NamedObject[];
}

export async function labUp(docker: EngineClient, options: LabOptions): Promise<void> {
  const { log } = options;
  const engine = await describeEngine(docker);
  log(`engine: Docker ${engine.serverVersion}`);
  const swarm = await ensureSwarm(docker, LAB_LABEL);
  log(swarm === 'initialised' ? 'swarm: initialised a single-node swarm (127.0.0.1)' : 'swarm: active');
  const leftovers = await findExisting(docker, options.workshopObjects ?? [], LAB_LABEL);
  if (leftovers.length) {
    log(`reset: removing what the workshop's steps created: ${leftovers.map(describeObject).join(', ')}`);
    await removeExisting(docker, leftovers);
  }

  const busybox = await ensureBusyboxImage(docker, { name: BUSYBOX_IMAGE });
  log(`image ${busybox.name}: ${busybox.built ? 'built from /bin/busybox' : 'up to date'}`);
  const toolbox = await ensureToolboxImage(docker, {
    name: TOOLBOX_IMAGE,
    log: (line) => {
      if (!/^I: (Retrieving|Validating|Extracting|Unpacking|Configuring) /.test(line)) log(`  ${line}`);
    },
    ...(options.mirror === undefined ? {} : { mirror: options.mirror }),
  });
  log(`image ${toolbox.name}: ${toolbox.built ? 'built' : 'up to date'} (curl, ab, drill, nslookup, ping; \`apk add\` reports them installed)`);

  for (const [original] of Object.entries(IMAGE_SUBSTITUTES)) {
    const name = `${original}:latest`;
    const existing = await inspectImageByName(docker, name);
    if (existing && existing.Id !== toolbox.id) {
      log(`image ${name}: the engine has its own, left as it is (the workshop's steps may need a registry for it)`);
      continue;
    }
    if (!existing) await tagImage(docker, toolbox.id, name);
    log(`image ${name}: offline, the workshop's \`${original}\` is the lab's toolbox (${TOOLBOX_IMAGE})`);
  }

  const network = await ensureNetwork(docker, dockercoinsNetwork());
  log(`network ${NETWORK}: ${network === 'created' ? 'created (overlay, not attachable)' : 'exists'}`);
  const endpointMode = kernelHasIpvs() ? 'vip' : 'dnsrr';
  if (endpointMode === 'dnsrr') {
    log('this kernel has no IPVS, which swarm virtual IPs need: rng and hasher resolve to their tasks (endpoint mode dnsrr)');
  }
  const services = dockercoinsServices({
    image: BUSYBOX_IMAGE,
    serverImage: TOOLBOX_IMAGE,
    endpointMode,
    ...(options.rngReplicas === undefined ? {} : { rngReplicas: options.rngReplicas }),
  });
  for (const service of services) {
    const outcome = await ensureService(docker, service);
    log(`service ${service.name}: ${outcome} (${service.replicas} replica${service.replicas === 1 ? '' : 's'}, as \`${elementAt(service.networks, 0).aliases[0]}\`)`);
  }
  let last = '';
  await waitForServices(
    docker,
    services.map((s) => s.name),
    options.startTimeoutMs ?? 120_000,
    (progress) => {
      const line = describeProgress(progress);
      if (line !== last) log(`waiting: ${line}`);
      last = line;
    },
  );
  log(`ready: stack ${STACK} runs on ${NETWORK}`);
}

export interface LabDownOptions {
  readonly log: (line: string) => void;
  /** Also remove the lab's images (the toolbox then takes a minute to build again). */
  readonly removeImages?: boolean;
  /** What the workshop's steps create (workshop-objects.ts): removed when it exists and is not the lab's own. */
  readonly workshopObjects?: readonly NamedObject[];
}

export async function labDown(docker: EngineClient, options: LabDownOptions): Promise<void> {
  const { log } = options;
  const leftovers = await findExisting(docker, options.workshopObjects ?? [], LAB_LABEL);
  if (leftovers.length) {
    log(`removing what the workshop's steps created: ${leftovers.map(describeObject).join(', ')}`);
    await removeExisting(docker, leftovers);
  }
  const ours = await listServices(docker, { label: `${LAB_LABEL}=${STACK}` });
  const attached = (await listServices(docker, { network: NETWORK })).filter((name) => !ours.includes(name));
  if (attached.length) log(`removing services attached to ${NETWORK}: ${attached.join(', ')}`);
  if (ours.length) log(`removing services: ${ours.join(', ')}`);
  await removeServices(docker, [...attached, ...ours]);
  log((await removeNetwork(docker, NETWORK)) ? `network ${NETWORK}: removed` : `network ${NETWORK}: absent`);

  const toolbox = await inspectImageByName(docker, TOOLBOX_IMAGE);
  for (const original of Object.keys(IMAGE_SUBSTITUTES)) {
    const name = `${original}:latest`;
    const image = await inspectImageByName(docker, name);
    if (image && toolbox && image.Id === toolbox.Id) {
      await untagImage(docker, name);
      log(`image ${name}: tag removed`);
    }
  }
  if (options.removeImages) {
    for (const name of [TOOLBOX_IMAGE, BUSYBOX_IMAGE]) {
      await untagImage(docker, name);
      log(`image ${name}: removed`);
    }
  } else {
    log(`images ${TOOLBOX_IMAGE} and ${BUSYBOX_IMAGE} kept as a build cache (\`lab down --images\` removes them)`);
  }
  if (await leaveSwarmIfLabelled(docker, LAB_LABEL)) log('swarm: left (lab up had initialised it)');
  log('down: nothing of the lab is left running');
}

/**
 * Swarm's virtual IPs are load-balanced by IPVS in the kernel; some kernels (minimal VMs) are built without it, and
 * then a VIP accepts no connection at all. Loaded (/proc/net/ip_vs), built in (/sys/module), or loadable (modules).
 */
function kernelHasIpvs(): boolean {
  return existsSync('/proc/net/ip_vs') || existsSync('/sys/module/ip_vs') || existsSync(`/lib/modules/${release()}/kernel/net/netfilter/ipvs`);
}

function describeProgress(progress: readonly ServiceProgress[]): string {
  return progress.map((p) => `${p.name} ${p.running}/${p.desired}${p.problem ? ` (${p.problem})` : ''}`).join(', ');
}
