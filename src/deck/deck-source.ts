// What serving a deck needs of it: the latest deck (the last good one, plus the error of a failed reload) and word
// of every reload. workshop/live-deck.ts's LiveDeck is one; http/ and the classroom consume it.
import type { DeckJson } from '../protocol.ts';

export interface DeckSource {
  current(): DeckJson;
  /** Calls `listener` with the new version after every reload attempt; returns the unsubscribe function. */
  onChange(listener: (version: number) => void): () => void;
}
