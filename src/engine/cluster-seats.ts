// Warm seats that hold whole clusters (`classroom.environment: { nodes: N, warm: M }`). A seat is claimed by its
// node1 alone (warm-seats.ts: one compare-and-swap on node1's service labels, the only record of whose the seat is), so
// two attendees never share a cluster, and nobody gets node1 of one seat and node2 of another. node2…nodeN carry the
// seat's id (`labdeck.seat`, as node1 does) and follow node1's owner: once node1 is claimed, their services are
// labelled with node1's attendee (what `env status|down|reset` and the checks find a cluster by). Following is
// idempotent: a process stopped between the claim and the following is completed at the attendee's next preparation.
// A claimer follows only the claim it keeps (claimSeat's first claim, the same for every claimer), so a second claim
// given back to the pool never took its nodes. Labels of a service only: no node restarts.
import type Docker from 'dockerode';
import { SANDBOX_ATTENDEE_LABEL, SANDBOX_CLASS_LABEL, SANDBOX_NAME_LABEL, SANDBOX_SEAT_LABEL } from './sandbox-spec.ts';
import { isOtherClusterNode } from './cluster-spec.ts';

/** node2…nodeN of the seat's cluster (node1 is the seat's own service: warm-seats.ts). */
export async function seatClusterNodes(docker: Docker, classId: string, seat: string): Promise<Docker.Service[]> {
  const services = await docker.listServices({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`, `${SANDBOX_SEAT_LABEL}=${seat}`] } });
  return services.filter((service) => service.Spec?.Labels?.[SANDBOX_SEAT_LABEL] === seat && isOtherClusterNode(service.Spec?.Labels)) as Docker.Service[];
}

/**
 * Labels node2…nodeN of the seat's cluster with node1's owner (its attendee's id and name), where they differ;
 * resolves to how many changed. Nothing when node1 is gone (the seat is being removed).
 */
export async function followSeatOwner(docker: Docker, classId: string, seat: string): Promise<number> {
  const services = await docker.listServices({ filters: { label: [`${SANDBOX_CLASS_LABEL}=${classId}`, `${SANDBOX_SEAT_LABEL}=${seat}`] } });
  const node1 = services.find((service) => service.Spec?.Labels?.[SANDBOX_SEAT_LABEL] === seat && !isOtherClusterNode(service.Spec?.Labels));
  const owner = node1?.Spec?.Labels;
  if (!owner) return 0;
  let changed = 0;
  for (const node of await seatClusterNodes(docker, classId, seat)) {
    if (await relabel(docker, node.ID, owner)) changed++;
  }
  return changed;
}

interface ServiceView {
  Version?: { Index?: number };
  Spec?: { Labels?: Record<string, string> } & Record<string, unknown>;
}

/** Gives the service node1's attendee labels unless it has them; a versioned update, read again when refused. */
async function relabel(docker: Docker, id: string, owner: Readonly<Record<string, string>>): Promise<boolean> {
  const wanted = { [SANDBOX_ATTENDEE_LABEL]: owner[SANDBOX_ATTENDEE_LABEL] ?? '', [SANDBOX_NAME_LABEL]: owner[SANDBOX_NAME_LABEL] ?? '' };
  for (let attempt = 0; attempt < 20; attempt++) {
    let current: ServiceView;
    try {
      current = (await docker.getService(id).inspect()) as ServiceView;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return false;
      throw error;
    }
    const labels = current.Spec?.Labels ?? {};
    if (Object.entries(wanted).every(([key, value]) => labels[key] === value)) return false;
    try {
      await docker.getService(id).update({ _query: { version: current.Version?.Index }, _body: { ...current.Spec, Labels: { ...labels, ...wanted } } });
      return true;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return false;
      if (!/out of sequence/i.test((error as Error).message)) throw error;
    }
  }
  throw new Error(`the node ${id} of a warm cluster kept changing while labdeck tried to label it`);
}
