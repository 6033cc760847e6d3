// The live-reload channel: a WebSocket that tells open pages a new deck version exists.
// Only pages served by this server may connect (Origin must name the same host): a page from another site must
// not be able to open sockets to a local labdeck. With access control, only those who may read the deck may listen.
import { WebSocketServer, type WebSocket } from 'ws';
import type { LiveMessage } from '../protocol.ts';
import type { Access } from '../classroom/access.ts';
import type { DeckSource } from '../deck/deck-source.ts';
import { rejectUpgrade, type UpgradeHandler } from './upgrade.ts';
import { isAllowedOrigin } from './origin.ts';

export interface LiveReload {
  readonly handleUpgrade: UpgradeHandler;
  dispose(): void;
}

export function createLiveReload(source: DeckSource, access?: Access): LiveReload {
  const sockets = new WebSocketServer({ noServer: true });
  const send = (socket: WebSocket, version: number): void => {
    const message: LiveMessage = { type: 'deck-changed', version };
    socket.send(JSON.stringify(message));
  };
  const deckSubscription = source.onChange((version) => {
    for (const client of sockets.clients) send(client, version);
  });

  return {
    handleUpgrade(request, socket, head) {
      if (!isAllowedOrigin(request.headers.origin, request.headers.host)) return rejectUpgrade(socket, '403 Forbidden');
      if (access && !access.admit(request).admitted) return rejectUpgrade(socket, '401 Unauthorized');
      sockets.handleUpgrade(request, socket, head, (client) => {
        // A malformed frame makes ws emit 'error' (it then closes with 1002): unhandled, it would end the server.
        client.on('error', () => client.terminate());
        // The page may have loaded an older version than the current one while the socket was opening.
        send(client, source.current().version);
      });
    },
    dispose() {
      deckSubscription.dispose();
      for (const client of sockets.clients) client.terminate();
      sockets.close();
    },
  };
}
