// Keeps the windows of one deck in one browser together: the audience window, its clones (`c`) and the presenter
// view. BroadcastChannel reaches every same-origin window of the browser, opened by `c` or by hand.

export type SyncMessage = { readonly type: 'goto'; readonly index: number } | { readonly type: 'blackout'; readonly on: boolean };

export class WindowSync {
  readonly #channel: BroadcastChannel | undefined;
  onMessage: (message: SyncMessage) => void = () => {};

  constructor(deckPath: string) {
    // Absent where the page has an opaque origin (some browsers on file://): windows then simply stay apart.
    this.#channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(`labdeck:${deckPath}`) : undefined;
    this.#channel?.addEventListener('message', (event: MessageEvent<SyncMessage>) => this.onMessage(event.data));
  }

  post(message: SyncMessage): void {
    this.#channel?.postMessage(message);
  }

  dispose(): void {
    this.#channel?.close();
  }
}
