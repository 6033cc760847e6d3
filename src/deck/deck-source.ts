// What serving a deck needs of it: the latest deck (the last good one, plus the error of a failed reload) and word
// of every reload. workshop/live-deck.ts's LiveDeck is one; http/ and the classroom consume it.
import type { Event } from '../event.ts';
import type { DeckJson } from '../protocol.ts';

export interface DeckSource {
  current(): DeckJson;
  /** Fires with the new version after every reload attempt. */
  readonly onChange: Event<number>;
}
