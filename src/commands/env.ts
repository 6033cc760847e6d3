// `labdeck env status|up|down|reset [ATTENDEE]`, `labdeck env warm N`: the attendees' environments of a class
// (workshop.yml's `classroom: { environment: … }`) and its warm seats, outside of `labdeck serve`; `labdeck env
// nodes`: the class swarm's nodes. The class and its attendees are read from the data folder's progress store (read
// only); what serve's terminals wait for is in the same folder, so a reset here is seen by the running server's
// terminals. An autopilot run's sandbox (`autopilot-…`, kept with `autopilot --keep`) is named by its id alone: it
// belongs to no class (autopilot-sandbox.ts). `status` and `down` with no attendee also take the autopilot runs whose
// files the data folder holds, also when it holds no class (a deck tested with autopilot, never served): `down` at the
// end of the day leaves nothing of the workshop on the swarm.
import { resolve } from 'node:path';
import { loadWorkshop } from '../config/workshop.ts';
import { createEnvironmentProvider } from '../environments/create-provider.ts';
import type { AttendeeRef, EnvironmentProvider, EnvironmentStatus } from '../environments/provider.ts';
import { elementAt, LabdeckError } from '../errors.ts';
import { dataDirOption, dataOption, stringOption, UsageError, type Command, type CommandContext } from './command.ts';
import { connectLocalEngine } from './local-engine.ts';
import { openClassStore } from './class-store.ts';
import { stripTerminalControls } from '../text/untrusted-text.ts';
import { CLASS_FULL, isClassFull, reportNodes } from '../environments/class-nodes.ts';
import { SANDBOX_IMAGE } from '../engine/sandbox-image.ts';
import { listSandboxes } from '../engine/sandboxes.ts';
import { seatProgress } from './seat-progress.ts';
import { AUTOPILOT_CLASS, autopilotAttendee, autopilotRunsIn, isAutopilotAttendee } from './autopilot-sandbox.ts';
import { openExistingStore } from '../progress/store.ts';

const actions = ['status', 'up', 'down', 'reset', 'nodes', 'warm'] as const;

export const envCommand: Command = {
  synopsis: 'env status|up|down|reset [ATTENDEE] | env nodes | env warm N [--workshop workshop.yml] [--data DIR]',
  options: {
    workshop: { type: 'string', valueName: 'FILE', description: 'the workshop manifest (default: workshop.yml in the current folder)' },
    data: dataOption,
  },
  async run(args, context) {
    const [action, who, extra] = args.positionals;
    if (!actions.includes(action as (typeof actions)[number])) throw new UsageError(`choose one of ${actions.join(', ')}`);
    if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
    if (action === 'reset' && who === undefined) throw new UsageError('reset needs an ATTENDEE (a name or an id)');
    if (action === 'nodes' && who !== undefined) throw new UsageError(`unexpected argument '${who}'`);
    if (action === 'warm' && !/^\d{1,3}$/.test(who ?? '')) throw new UsageError('warm needs N, how many sandboxes to have ready (e.g. env warm 10)');
    const manifest = resolve(context.cwd, stringOption(args, 'workshop') ?? 'workshop.yml');
    const classroom = loadWorkshop(manifest).classroom;
    const dataDir = dataDirOption(args, context, manifest, classroom.dataDir);
    // Kept autopilot runs belong to no class: with no attendee, status and down take those of this data folder too
    // (only a swarm environment makes them: the provider that removes them is the workshop's).
    const runs = who === undefined && (action === 'status' || action === 'down') && classroom.environment.provider === 'swarm' ? autopilotRunsIn(dataDir) : [];
    let classId: string | undefined;
    let attendees: AttendeeRef[] = [];
    if (who !== undefined && isAutopilotAttendee(who)) {
      // An autopilot run's sandbox (kept with --keep) belongs to no class: found by its id alone.
      classId = AUTOPILOT_CLASS;
      attendees = [autopilotAttendee(who)];
    } else if (runs.length > 0 && !holdsClass(dataDir)) {
      // No class: only the runs.
    } else {
      // A reader: works beside the running server (which holds the data folder's lock).
      const store = openClassStore(dataDir, context.cwd);
      try {
        // biome-ignore lint/style/noNonNullAssertion: openClassStore() refuses a folder that holds no class
        classId = store.existingClass()!.code;
        // Names stored before they were cleaned at the join must not drive the instructor's terminal.
        attendees = store.attendees().map(({ id, name }) => ({ id, name: stripTerminalControls(name) }));
      } finally {
        store.close();
      }
    }
    const progress = seatProgress(context.stderr, context.stderrIsTerminal === true);
    // Filling seats, each seat's own lines would drown the bar: the image build (long, the first time) is what is said.
    const log = (line: string): void => {
      if (action !== 'warm') context.stderr(`${line}\n`);
      else if (line.startsWith('sandbox image: ')) progress.log(line);
    };
    const runsProvider =
      runs.length > 0
        ? createEnvironmentProvider(classroom.environment, {
            docker: connectLocalEngine(context),
            classId: AUTOPILOT_CLASS,
            dataDir,
            log,
            nodeAccess: { userSsh: context.userSsh },
          })
        : undefined;
    if (classId === undefined) {
      // Unreachable: with no run, openClassStore() above refused a folder with no class.
      if (!runsProvider) throw new Error('no class and no autopilot run');
      return everyRun(action === 'down' ? 'down' : 'status', runsProvider, runs, context);
    }
    if (action === 'nodes') {
      const environment = classroom.environment;
      if (environment.provider !== 'swarm') throw new LabdeckError(`env nodes lists a swarm class's nodes: this class's provider is ${environment.provider}`);
      const docker = connectLocalEngine(context);
      const [nodes, sandboxes] = await Promise.all([reportNodes(docker, classId, SANDBOX_IMAGE, { userSsh: context.userSsh }), listSandboxes(docker, classId)]);
      const rows = nodes.map((n) => [
        n.node.hostname,
        n.node.address,
        `${n.node.state}${n.node.availability === 'active' ? '' : ` (${n.node.availability})`}`,
        stripTerminalControls(n.reachable),
        n.image,
        String(n.sandboxes),
        mebibytes(n.reservedBytes),
        mebibytes(n.freeBytes),
      ]);
      context.stdout(table([['NODE', 'ADDRESS', 'STATE', 'REACHABLE', 'IMAGE', 'SANDBOXES', 'RESERVED', 'FREE'], ...rows]));
      const waiting = sandboxes.filter((sandbox) => isClassFull(sandbox.problem));
      const room = nodes.some((n) => n.node.state === 'ready' && n.node.availability === 'active' && n.freeBytes >= environment.memoryBytes);
      context.stdout(`sandboxes of ${mebibytes(environment.memoryBytes)} each, class ${classId}\n`);
      if (waiting.length > 0 || !room) {
        context.stdout(
          `${CLASS_FULL}${waiting.length > 0 ? ` (${waiting.length} waiting: ${waiting.map((w) => stripTerminalControls(w.name) || w.attendee).join(', ')})` : ''}\n`,
        );
      }
      return 0;
    }
    const provider = createEnvironmentProvider(classroom.environment, {
      docker: connectLocalEngine(context),
      classId,
      dataDir,
      log,
      nodeAccess: { userSsh: context.userSsh },
    });

    if (action === 'warm') {
      if (!provider.seats) throw new LabdeckError(`warm seats need classroom.environment.provider: swarm (this class's is ${provider.kind})`);
      const outcome = await provider.seats.fill(Number(who), (counts) => progress.update(counts));
      progress.done();
      for (const failure of outcome.failures) context.stdout(`warm seat failed: ${failure}\n`);
      context.stdout(`${outcome.ready} warm seat${outcome.ready === 1 ? '' : 's'} ready (${outcome.claimed} claimed by attendees), class ${classId}\n`);
      return outcome.failures.length === 0 ? 0 : 1;
    }
    const chosen = who === undefined ? attendees : [findAttendee(attendees, who)];
    if (action === 'status') {
      const rows = [...(await provider.status(chosen)), ...(runsProvider ? await runsStatus(runsProvider, runs) : [])].map((s) => [
        stripTerminalControls(s.attendee.name),
        s.attendee.id,
        s.state,
        s.detail,
      ]);
      context.stdout(table([['ATTENDEE', 'ID', 'STATE', 'DETAIL'], ...rows]));
      const seats = await provider.seats?.look();
      if (seats && seats.ready + seats.warming + seats.claimed > 0) {
        context.stdout(`warm seats: ${seats.ready} ready, ${seats.warming} warming, ${seats.claimed} claimed by attendees\n`);
      }
      context.stdout(`${provider.kind} environments, class ${classId}\n`);
      return 0;
    }
    let failed = 0;
    // Without an attendee, `down` also removes environments of attendees the class no longer lists.
    const targets =
      action === 'down' && who === undefined
        ? (await provider.status(attendees)).filter((s) => s.state !== 'absent' && s.state !== 'shared').map((s) => s.attendee)
        : chosen;
    for (const attendee of targets) {
      try {
        if (action === 'up') await provider.up(attendee);
        else if (action === 'reset') await provider.reset(attendee);
        else await provider.down(attendee);
        context.stdout(`${attendee.name} (${attendee.id}): ${action === 'down' ? 'removed' : 'ready'}\n`);
      } catch (error) {
        failed++;
        context.stdout(`${attendee.name} (${attendee.id}): failed: ${(error as Error).message.split('\n')[0]}\n`);
      }
    }
    // The end of a class: the seats nobody claimed go too, and the kept autopilot runs.
    const seatsRemoved = action === 'down' && who === undefined && provider.seats ? await provider.seats.removeUnclaimed() : 0;
    if (seatsRemoved > 0) context.stdout(`${seatsRemoved} unclaimed warm seat${seatsRemoved === 1 ? '' : 's'}: removed\n`);
    if (runsProvider && (await everyRun('down', runsProvider, runs, context)) !== 0) failed++;
    if (targets.length === 0 && seatsRemoved === 0 && runs.length === 0) {
      context.stdout(`no ${action === 'down' ? 'environment to remove' : 'attendee in this class yet'}\n`);
    }
    return failed === 0 ? 0 : 1;
  },
};

function holdsClass(dataDir: string): boolean {
  const store = openExistingStore(dataDir);
  try {
    return store?.existingClass() !== undefined;
  } finally {
    store?.close();
  }
}

/** The runs' rows (the provider lists every autopilot sandbox of the swarm: other workshops' are theirs). */
async function runsStatus(provider: EnvironmentProvider, runs: readonly AttendeeRef[]): Promise<EnvironmentStatus[]> {
  return (await provider.status(runs)).filter((status) => runs.some((run) => run.id === status.attendee.id));
}

/** `status` or `down` of the data folder's autopilot runs alone; the exit code. */
async function everyRun(action: 'status' | 'down', provider: EnvironmentProvider, runs: readonly AttendeeRef[], context: CommandContext): Promise<number> {
  if (action === 'status') {
    const rows = (await runsStatus(provider, runs)).map((s) => [s.attendee.name, s.attendee.id, s.state, s.detail]);
    context.stdout(table([['ATTENDEE', 'ID', 'STATE', 'DETAIL'], ...rows]));
    context.stdout(`${provider.kind} environments of autopilot runs (no class in this data folder)\n`);
    return 0;
  }
  let failed = 0;
  for (const run of runs) {
    try {
      await provider.down(run);
      context.stdout(`${run.name} (${run.id}): removed\n`);
    } catch (error) {
      failed++;
      context.stdout(`${run.name} (${run.id}): failed: ${(error as Error).message.split('\n')[0]}\n`);
    }
  }
  return failed === 0 ? 0 : 1;
}

/** By id, else by name (case and surrounding spaces ignored); a name two attendees share must be given as an id. */
function findAttendee(attendees: readonly AttendeeRef[], who: string): AttendeeRef {
  const byId = attendees.find((attendee) => attendee.id === who);
  if (byId) return byId;
  const byName = attendees.filter((attendee) => attendee.name.trim().toLowerCase() === who.trim().toLowerCase());
  if (byName.length === 1) return elementAt(byName, 0);
  if (byName.length > 1) throw new LabdeckError(`${byName.length} attendees are called ${who}: give an id (${byName.map((a) => a.id).join(', ')})`);
  throw new LabdeckError(`no attendee ${who} in this class (see 'labdeck env status')`);
}

function mebibytes(bytes: number): string {
  return bytes >= 10 * 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

function table(rows: readonly (readonly string[])[]): string {
  // Every row has the header's cells.
  const widths = elementAt(rows, 0).map((_, column) => Math.max(...rows.map((row) => elementAt(row, column).length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(elementAt(widths, column)))).join('  ')).join('\n') + '\n';
}
