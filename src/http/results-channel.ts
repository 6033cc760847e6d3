// The step-results channel (`/_labdeck/results`): pages receive their environment's step results live (the whole
// state on connect, then changes) and send "check now" / "I did it". Origin is checked like every channel; who is
// asking comes from classroom/access.ts, and decides which environment's results a page sees and whether it may act.
//
// Fan-out: one subscription per environment, whatever the number of pages; each message is serialised once and
// sent to every page of that environment.
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { EngineStatusJson, ResultsClientMessage, ResultsServerMessage, StepResultJson } from '../protocol.ts';
import { localAttendee, type Access, type Identity } from '../classroom/access.ts';
import type { Disposable, Event } from '../event.ts';
import { isAllowedOrigin } from './origin.ts';
import { rejectUpgrade, type UpgradeHandler } from './upgrade.ts';

/** What the channel needs of an environment's results (checks/service.ts `CheckService`). */
export interface ResultsSource {
  state(): { readonly engine: EngineStatusJson; readonly results: readonly StepResultJson[] };
  readonly onUpdate: Event<ResultsServerMessage>;
  checkNow(stepId?: string): Promise<void>;
  confirm(stepId: string, confirmed: boolean): boolean;
}

export interface ResultsChannelOptions {
  /** Whose results a caller sees (undefined: none, the socket is refused). */
  readonly environmentOf: (identity: Identity) => ResultsSource | undefined;
  /** Without access control (tests, older wiring) every caller is the local attendee. */
  readonly access?: Access;
  readonly log?: (line: string) => void;
}

export interface ResultsChannel {
  readonly handleUpgrade: UpgradeHandler;
  dispose(): void;
}

interface Audience {
  readonly sockets: Set<WebSocket>;
  readonly subscription: Disposable;
}

export function createResultsChannel(options: ResultsChannelOptions): ResultsChannel {
  // Client messages are a few dozen bytes; anything large is not ours.
  const server = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const audiences = new Map<ResultsSource, Audience>();
  const log = options.log ?? (() => {});

  const join = (source: ResultsSource, socket: WebSocket): void => {
    let audience = audiences.get(source);
    if (!audience) {
      const sockets = new Set<WebSocket>();
      const subscription = source.onUpdate((message) => {
        const text = JSON.stringify(message);
        for (const client of sockets) if (client.readyState === client.OPEN) client.send(text);
      });
      audience = { sockets, subscription };
      audiences.set(source, audience);
    }
    audience.sockets.add(socket);
    socket.once('close', () => {
      audience.sockets.delete(socket);
      if (audience.sockets.size === 0) {
        audience.subscription.dispose();
        audiences.delete(source);
      }
    });
  };

  const send = (socket: WebSocket, message: ResultsServerMessage): void => {
    socket.send(JSON.stringify(message));
  };

  const act = (identity: Identity, source: ResultsSource, socket: WebSocket, data: RawData): void => {
    const message = parseClientMessage(data);
    if (!message) return; // unknown or malformed: ignored, as the protocol says
    if (identity.role === 'watcher') {
      send(socket, { type: 'refused', message: 'this page only watches: it cannot check or confirm steps' });
      return;
    }
    if (message.type === 'check-now') {
      source.checkNow(message.stepId).catch((problem: unknown) => log(`check now failed: ${(problem as Error).message}`));
    } else if (!source.confirm(message.stepId, message.confirmed)) {
      send(socket, { type: 'refused', message: `no step has the id ${message.stepId}` });
    }
  };

  return {
    handleUpgrade(request, socket, head) {
      if (!isAllowedOrigin(request.headers.origin, request.headers.host)) return rejectUpgrade(socket, '403 Forbidden');
      const identity = options.access ? options.access.identifyRequest(request) : localAttendee;
      if (!identity) return rejectUpgrade(socket, '401 Unauthorized');
      const source = options.environmentOf(identity);
      if (!source) return rejectUpgrade(socket, '404 Not Found');
      server.handleUpgrade(request, socket, head, (client) => {
        join(source, client);
        client.on('message', (data, isBinary) => {
          if (!isBinary) act(identity, source, client, data);
        });
        client.on('error', () => client.terminate());
        send(client, { type: 'results', ...source.state() });
      });
    },
    dispose() {
      for (const audience of audiences.values()) audience.subscription.dispose();
      audiences.clear();
      for (const client of server.clients) client.terminate();
      server.close();
    },
  };
}

function parseClientMessage(data: RawData): ResultsClientMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(String(data));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { type, stepId, confirmed } = value as Record<string, unknown>;
  const validId = (id: unknown): id is string => typeof id === 'string' && id.length > 0 && id.length <= 200;
  if (type === 'check-now') return stepId === undefined ? { type } : validId(stepId) ? { type, stepId } : undefined;
  if (type === 'confirm' && validId(stepId) && typeof confirmed === 'boolean') return { type, stepId, confirmed };
  return undefined;
}
