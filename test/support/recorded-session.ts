// A real terminal session recorded the way asciinema does (`[seconds, "o", text]` per output message, `"r"` per
// resize), for the replay tests: a real bash PTY (TerminalManager, shell integration on) driven by the test, a viewer
// that is both the recorder and the "live screen" (a headless xterm fed exactly what a browser pane is fed), and a
// TimelineSource reading those .cast files, standing in for the recorder's store (src/record/) until it lands.
import { writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandRecord, ServerMessage, Timeline, TimelineEvent } from '../../src/protocol.ts';
import type { TimelineSource } from '../../src/record/timeline-source.ts';
import { TerminalManager } from '../../src/terminal/manager.ts';
import type { ViewerConnection } from '../../src/terminal/session.ts';
import { parseAsciicast } from '../../src/client/asciicast.ts';
import { TerminalClient, testEnvironment } from '../terminal/terminal-client.ts';

/** A viewer that records what it is sent as asciicast events while showing it (TerminalClient). */
class RecordingViewer extends TerminalClient {
  readonly startedAt = Date.now();
  readonly events: Array<[number, 'o' | 'r', string]> = [];
  readonly #decoder = new TextDecoder();

  override send(message: ServerMessage): void {
    const t = (Date.now() - this.startedAt) / 1000;
    if (message.type === 'state') this.events.push([t, 'r', `${message.state.cols}x${message.state.rows}`]);
    else if (message.type === 'snapshot' || message.type === 'output') {
      const text = this.#decoder.decode(message.data, { stream: true });
      if (text) this.events.push([t, 'o', message.type === 'snapshot' ? `\x1bc${text}` : text]);
    }
    super.send(message);
  }
}

export interface RecordedSession {
  readonly viewer: TerminalClient;
  readonly connection: ViewerConnection;
  readonly commands: CommandRecord[];
  /** Types `text` into the shell. */
  type(text: string): void;
  /** The recording as an asciicast v2 file's text. */
  cast(): string;
  /** Epoch ms the recording's t = 0 is. */
  readonly startedAt: number;
  dispose(): void;
}

export function recordSession(attendee: string, size = { cols: 80, rows: 24 }): RecordedSession {
  const manager = new TerminalManager({ defaultCommand: 'bash', env: testEnvironment() });
  const commands: CommandRecord[] = [];
  manager.onCommand((record) => {
    if (record.exitCode !== undefined) commands.push(record);
  });
  const viewer = new RecordingViewer();
  const connection = manager.attach({ attendee, terminal: 'shell', role: 'owner', ...size }, viewer);
  return {
    viewer,
    connection,
    commands,
    startedAt: viewer.startedAt,
    type: (text) => connection.input(new TextEncoder().encode(text)),
    cast: () => {
      const header = { version: 2, width: size.cols, height: size.rows, timestamp: Math.floor(viewer.startedAt / 1000) };
      return `${[header, ...viewer.events].map((line) => JSON.stringify(line)).join('\n')}\n`;
    },
    dispose: () => manager.dispose(),
  };
}

/**
 * Timelines from `<attendee>.cast` files in `dir` (the terminal named `shell`), with the other events of the class
 * (slides, commands, checks) from `<attendee>.events.json` beside it when there is one.
 */
export function castTimelines(dir: string): TimelineSource & { readonly asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async timelineOf(attendee) {
      asked.push(attendee);
      const cast = await readFile(join(dir, `${attendee}.cast`), 'utf8').catch(() => undefined);
      if (cast === undefined) return undefined;
      const recording = parseAsciicast(cast, `${attendee}.cast`);
      const extra = JSON.parse(await readFile(join(dir, `${attendee}.events.json`), 'utf8').catch(() => '[]')) as TimelineEvent[];
      const events = [...recording.events.map((event) => ({ ...event, terminal: 'shell' }) as TimelineEvent), ...extra].sort((a, b) => a.t - b.t);
      const durationMs = Math.max(recording.durationMs, ...events.map((event) => event.t));
      const timeline: Timeline = { ...recording, attendee, durationMs, events, terminals: recording.terminals.map((terminal) => ({ ...terminal, name: 'shell' })) };
      return timeline;
    },
  };
}

/** Writes a recorded session (and its commands, as Timeline events) where castTimelines reads them. */
export async function saveSession(dir: string, attendee: string, session: RecordedSession, extra: readonly TimelineEvent[] = []): Promise<void> {
  await writeFile(join(dir, `${attendee}.cast`), session.cast());
  const commands: TimelineEvent[] = session.commands.map((record) => ({
    t: (record.endedAt ?? record.startedAt) - session.startedAt,
    kind: 'command',
    terminal: 'shell',
    command: record.command,
    exitCode: record.exitCode ?? null,
  }));
  await writeFile(join(dir, `${attendee}.events.json`), JSON.stringify([...commands, ...extra]));
}
