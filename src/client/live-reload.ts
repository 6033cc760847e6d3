// Listens for new deck versions on the server's live-reload socket and fetches the deck when one arrives.
// The socket reconnects on its own (the server restarts while authoring); on connect the server sends its current
// version, so a page that missed changes catches up.
import { liveReloadPath, type DeckJson, type LiveMessage } from '../protocol.ts';

export interface LiveReloadOptions {
  /** The version the page shows; messages about it are ignored. */
  readonly version: () => number;
  readonly onDeck: (deck: DeckJson) => void;
}

export function connectLiveReload(options: LiveReloadOptions): void {
  let retryMs = 500;
  const connect = (): void => {
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${liveReloadPath}`);
    socket.addEventListener('open', () => {
      retryMs = 500;
    });
    socket.addEventListener('message', (event) => {
      const message = parseMessage(event.data);
      if (message?.type === 'deck-changed' && message.version !== options.version()) {
        fetchDeck(options).catch(() => {}); // the server went away: reconnecting brings the version again
      }
    });
    socket.addEventListener('close', () => {
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    });
  };
  connect();
}

async function fetchDeck(options: LiveReloadOptions): Promise<void> {
  const response = await fetch('deck.json', { cache: 'no-store' });
  if (!response.ok) return; // the next message or reconnect tries again
  const deck = (await response.json()) as DeckJson;
  // Two quick edits can answer out of order: never go back to an older version.
  if (deck.version > options.version()) options.onDeck(deck);
}

function parseMessage(data: unknown): LiveMessage | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    return JSON.parse(data) as LiveMessage;
  } catch {
    return undefined; // not ours: ignore, as the protocol says of unknown messages
  }
}
