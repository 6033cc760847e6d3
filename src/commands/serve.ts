// `labdeck serve`: the deck in the browser, reloaded live while its chapters are edited.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { clientScriptAsset } from '../http/page.ts';
import { listChapterFiles, loadDeck } from '../workshop/load-deck.ts';
import { openRenderCache } from '../workshop/render-cache.ts';
import { startServer } from '../http/server.ts';
import { createAccess, isLoopback } from '../classroom/access.ts';
import { parseHostName } from '../http/host-check.ts';
import { startClassroom } from '../classroom/start-classroom.ts';
import { dashboardPagePath } from '../http/classroom-routes.ts';
import { joinQrText } from '../classroom/qr.ts';
import { LiveDeck, type WatchedDeck } from '../workshop/live-deck.ts';
import { loadDeckLook } from '../workshop/deck-look.ts';
import { fontFileFolders } from '../workshop/font-faces.ts';
import { LabdeckError } from '../errors.ts';
import { loadWorkshop } from '../config/workshop.ts';
import { serveTerminals } from './serve-terminals.ts';
import { refuseServedDataFolder } from './serve-data-folder.ts';
import { startServeRecording } from './serve-recording.ts';
import { DisposableStore } from './disposable-store.ts';
import { startLiveChecks } from '../workshop/live-checks.ts';
import { environmentClusters, environmentEngines } from '../environments/create-provider.ts';
import { listSpecFiles } from '../workshop/spec-files.ts';
import { IMAGE_SUBSTITUTES } from '../lab/image-substitutes.ts';
import {
  deckSelectionOptions,
  listOption,
  portOption,
  stringOption,
  workshopPathArg,
  dataDirOption,
  dataOption,
  UsageError,
  type Command,
  type ParsedArgs,
} from './command.ts';
import { connectLocalEngine, localEngineAddress } from './local-engine.ts';

export const serveCommand: Command = {
  synopsis: 'serve [workshop.yml] [--port 8080] [--host 127.0.0.1] [--allowed-hosts a,b] [--exclude a,b] [--only a,b] [--open] [--classroom [--data DIR]]',
  options: {
    port: { type: 'string', valueName: 'N', description: 'port to listen on (default 8080; 0 picks a free one)' },
    host: { type: 'string', valueName: 'ADDR', description: 'address to bind (default 127.0.0.1: this machine only)' },
    'allowed-hosts': {
      type: 'string',
      valueName: 'a,b',
      // Against DNS rebinding: a page elsewhere reaches a local server under its own name, which this refuses.
      description:
        'other names to answer to besides localhost, e.g. labdeck.lan,class.example.org:443 (other names get 403; ' +
        'when bound to another address than loopback, any name goes unless this is given)',
    },
    ...deckSelectionOptions,
    open: { type: 'boolean', description: 'open the deck in the default browser' },
    classroom: { type: 'boolean', description: 'run a class: attendees join with a name and the class code, progress is kept' },
    data: dataOption,
  },
  async run(args, context) {
    const manifest = workshopPathArg(args, context.cwd);
    const port = portOption(args, 'port', 8080);
    const host = stringOption(args, 'host') ?? '127.0.0.1';
    const allowedHosts = allowedHostsOption(args);
    const selection = { exclude: listOption(args, 'exclude'), only: listOption(args, 'only') };
    const log = (line: string): void => context.stderr(`${line}\n`);

    const renderCache = openRenderCache(context.renderCacheDir);
    const load = async (): Promise<WatchedDeck> => {
      const { workshop, deck } = await loadDeck(manifest, selection, renderCache, context.repository);
      const look = loadDeckLook(workshop);
      return {
        deck,
        title: workshop.pageTitle,
        ratio: workshop.ratio,
        look: look.json,
        files: [manifest, ...listChapterFiles(workshop), interstitialsFile(manifest), ...listSpecFiles(manifest), ...look.files],
      };
    };
    // What a start that fails on the way must undo, newest first: it leaves no class behind (abandon, not dispose).
    const undoStart = new DisposableStore();
    const start = async () => {
      // A deck broken at start is reported (file:line) and not served: there is no last good deck to fall back on.
      const liveDeck = undoStart.add(await LiveDeck.start({ load, log }));
      // Read once: a running server does not change its class, data folder or terminals under its attendees (running
      // shells must not change): changing them needs a restart.
      const workshop = loadWorkshop(manifest);
      const classroomConfig = workshop.classroom;
      const dataDir = args.values.classroom === true || classroomConfig.enabled ? dataDirOption(args, context, manifest, classroomConfig.dataDir) : undefined;
      if (dataDir !== undefined) refuseServedDataFolder(dataDir, dirname(manifest));
      // A class of clusters: each attendee's checks follow their inner swarm's manager among their nodes.
      const clusterOf = dataDir === undefined ? undefined : environmentClusters(classroomConfig.environment, dataDir);
      // Step results: an unreachable engine is not an error here, the pages say so until it answers. Each attendee's
      // checks watch their environment's engine.
      const checks = undoStart.add(
        startLiveChecks({
          manifest,
          deck: liveDeck,
          engine: localEngineAddress(context),
          imageSubstitutes: IMAGE_SUBSTITUTES,
          log,
          ...(dataDir !== undefined ? { engineOf: environmentEngines(classroomConfig.environment, dataDir, context.userSsh) } : {}),
          ...(clusterOf ? { clusterOf } : {}),
        }),
      );
      const started =
        dataDir === undefined
          ? undefined
          : startClassroom({
              dataDir,
              config: classroomConfig,
              deck: liveDeck,
              checks,
              docker: connectLocalEngine(context),
              log,
              nodeAccess: { userSsh: context.userSsh },
            });
      const classroom = started?.classroom;
      if (classroom) undoStart.add({ dispose: () => classroom.abandon() });
      const following = started && undoStart.add(started.following);
      // Each attendee's class, recorded in the class's data folder; the self-paced learner's in the same default
      // folder (`.labdeck/` beside the workshop), which is never served either.
      const recordDir = dataDir ?? dataDirOption(args, context, manifest, classroomConfig.dataDir);
      if (dataDir === undefined && workshop.record.enabled) refuseServedDataFolder(recordDir, dirname(manifest));
      const recording = startServeRecording(workshop.record, { dataDir: recordDir, deck: liveDeck, checksOf: (attendee) => checks.forAttendee(attendee), log });
      if (recording) undoStart.add(recording);
      // An attendee the instructor removed: their recording goes with their data.
      if (recording) classroom?.onRemoval((attendee) => recording.remove(attendee.id));
      const access = classroom?.access ?? createAccess({ openToLocalAttendee: isLoopback(host) });
      const terminals = serveTerminals(workshop, {
        host,
        access,
        log,
        ...(started ? { environment: started.environments } : {}),
        ...(recording ? { tap: recording.tap, replays: true } : {}),
      });
      if (terminals) {
        undoStart.add(terminals);
        // An attendee the instructor removed: their terminals close.
        classroom?.onRemoval((attendee) => terminals.manager.closeAttendee(attendee.id));
        terminals.manager.onCommand((record) => {
          checks.commandRan(record);
          classroom?.commandRan(record);
          recording?.commandRan(record);
        });
      }
      const server = await startServer(
        {
          deck: liveDeck,
          workshopDir: dirname(manifest),
          assetsDir: context.assetsDir,
          fontFolders: fontFileFolders(),
          log,
          access,
          stepResults: checks.environmentOf,
          ...(terminals ? { terminals } : {}),
          ...(classroom ? { classroom } : {}),
          ...(dataDir ? { dataDir } : {}),
          ...(recording
            ? {
                timelines: recording.recordings,
                recording: { input: workshop.record.input, slideMoved: (attendee: string, index: number) => recording.slideMoved(attendee, index) },
              }
            : {}),
        },
        { port, host, allowedHosts },
      ).catch((error: unknown) => {
        throw listenError(error, port, host);
      });
      return { liveDeck, checks, classroom, following, access, terminals, server, recording };
    };
    const { liveDeck, checks, classroom, following, access, terminals, server, recording } = await start().catch((error: unknown) => {
      undoStart.dispose();
      throw error;
    });

    if (!existsSync(join(context.assetsDir, clientScriptAsset))) {
      log('labdeck: warning: the client bundle is missing, the page will stay blank: run `npm run build`');
    }
    const slides = liveDeck.current().slides.length;
    const reach = isLoopback(host) ? 'this machine only' : 'reachable from other machines';
    context.stdout(`labdeck: serving ${slides} slides at ${server.url} (bound to ${host}: ${reach})\n`);
    // The instructor's own way in: this page leads the "follow me" channel that attendees' pages follow.
    context.stdout(`labdeck: instructor (leads, keep private): ${server.url}?token=${access.instructorToken}\n`);
    if (classroom) {
      context.stdout(`labdeck: class ${classroom.classCode}: attendees join at ${server.url}join?code=${classroom.classCode}\n`);
      context.stdout(await joinQrText(`${server.url}join?code=${classroom.classCode}`));
      context.stdout(`labdeck: dashboard (instructor): ${server.url}${dashboardPagePath.slice(1)}?token=${access.instructorToken}\n`);
    }
    if (terminals) context.stdout(`labdeck: terminals, read-only (projector): ${server.url}?token=${access.watcherToken}\n`);
    if (args.values.open === true) context.openUrl(server.url);

    await context.untilStopped();
    liveDeck.dispose();
    checks.dispose();
    await server.close();
    // After the terminals (closed with the server): their last output is written, and each segment ends whole.
    await recording?.close();
    following?.dispose();
    classroom?.dispose();
    return 0;
  },
};

/** Why the server could not listen, said for a person: a busy port, a privileged one. */
export function listenError(error: unknown, port: number, host: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new LabdeckError(`port ${port} on ${host} is in use: choose another one with --port`);
  if (code === 'EACCES' && port < 1024) {
    return new LabdeckError(`port ${port} on ${host} needs root (ports below 1024 are privileged): choose a port above 1023 with --port`);
  }
  if (code === 'EACCES') return new LabdeckError(`port ${port} on ${host}: permission denied: choose another one with --port`);
  return error;
}

/** `--allowed-hosts a,b`: each a name, `name:port` or `[v6]`, as a browser would write it in the Host header. */
function allowedHostsOption(args: ParsedArgs): string[] {
  const names = listOption(args, 'allowed-hosts') ?? [];
  const wrong = names.find((name) => !parseHostName(name));
  if (wrong !== undefined) throw new UsageError(`--allowed-hosts: '${wrong}' is not a host name (e.g. labdeck.lan or class.example.org:443)`);
  return names;
}

/** container.training lists the pictures of its interstitial slides in this file, beside the manifest. */
function interstitialsFile(manifest: string): string {
  return `${dirname(manifest)}/interstitials.txt`;
}
