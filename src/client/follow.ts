// Follow me, in the page: listens to the instructor's slide on the server's follow channel and moves there while
// following; an instructor's page leads (sends its moves) or, as a co-presenter, takes the lead on request. The
// badge says which of these the page is doing, and is the button that changes it. Attendees' pages report where they
// are (the instructor's dashboard shows it) and show the instructor's broadcast message, as text, until dismissed.
import { followPath, type BroadcastJson, type FollowClientMessage, type FollowServerMessage } from '../protocol.ts';

export interface FollowOptions {
  /** Move the page to the leader's slide (0-based). */
  readonly goTo: (index: number) => void;
  /** The page's slide (0-based), announced when this page starts leading. */
  readonly currentIndex: () => number;
  /**
   * The token the page's link brought (link-token.ts), sent with every request of the channel: the cookie may
   * have been replaced since by another link opened in the same browser.
   */
  readonly token?: string | undefined;
}

const clientIdKey = 'labdeck-client';
const dismissedKey = 'labdeck-dismissed-broadcast';

export class FollowMe {
  readonly #options: FollowOptions;
  readonly #badge: HTMLButtonElement;
  #socket: WebSocket | undefined;
  #instructor = false;
  #leading = false;
  #following = true;
  /** The leader's last slide; null until someone led. */
  #leaderIndex: number | null = null;
  /** The instructor paused follow mode: the leader's moves do not arrive meanwhile. */
  #paused = false;
  readonly #banner: Broadcast;

  constructor(options: FollowOptions) {
    this.#options = options;
    this.#badge = document.createElement('button');
    this.#badge.type = 'button';
    this.#badge.className = 'labdeck-follow';
    this.#badge.hidden = true;
    this.#badge.addEventListener('click', () => (this.#instructor && !this.#leading && !this.#following ? this.takeLead() : this.toggle()));
    document.body.append(this.#badge);
    this.#banner = new Broadcast();
    this.#connect(500);
  }

  get following(): boolean {
    return this.#following && !this.#leading;
  }

  get leading(): boolean {
    return this.#leading;
  }

  /** The person moved this page (keys, links, a synced window): lead with it, or stop following to browse. */
  userMoved(index: number): void {
    if (this.#leading) this.#send({ type: 'goto', index });
    else if (this.#following && this.#leaderIndex !== null) this.#setFollowing(false);
    this.#report();
  }

  /** Leave to browse freely, or rejoin (and go to the leader's slide at once). */
  toggle(): void {
    if (this.#leading) return;
    this.#setFollowing(!this.#following);
  }

  takeLead(): void {
    if (this.#instructor) this.#send({ type: 'take-lead' });
  }

  #setFollowing(following: boolean): void {
    this.#following = following;
    if (this.following && this.#leaderIndex !== null) this.#options.goTo(this.#leaderIndex);
    this.#report();
    this.#render();
  }

  /** Tells the dashboard where this attendee's page is (instructors' pages are not on it). */
  #report(): void {
    if (!this.#instructor) this.#send({ type: 'at', index: this.#options.currentIndex(), following: this.following });
  }

  #connect(retryMs: number): void {
    const query = new URLSearchParams({ client: clientId() });
    const token = this.#options.token;
    if (token) query.set('token', token);
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${followPath}?${query}`);
    this.#socket = socket;
    socket.addEventListener('open', () => (retryMs = 500));
    socket.addEventListener('message', (event) => this.#onMessage(parse(event.data)));
    socket.addEventListener('close', () => {
      // The server restarts while authoring: come back, the welcome message brings the leader's slide again. Unless
      // the server no longer takes this page's token (the instructor removed the attendee): then say so, and stop.
      void stillAdmitted(this.#options.token).then((admitted) => {
        if (admitted) setTimeout(() => this.#connect(Math.min(retryMs * 2, 5000)), retryMs);
        else
          this.#banner.show({ id: -1, text: 'You are no longer in this class: the instructor removed you, or your link expired. Open the join link again to rejoin.' });
      });
    });
  }

  #onMessage(message: FollowServerMessage | undefined): void {
    if (!message) return;
    if (message.type === 'welcome') {
      this.#instructor = message.instructor;
      this.#leading = message.leading;
      this.#paused = message.paused;
      if (!this.#instructor) this.#banner.show(message.message);
      // Another window of the leading browser joins where the lead is; the first one announces where it is.
      if (message.leading && message.index !== null) this.#options.goTo(message.index);
      else if (message.leading) this.#send({ type: 'goto', index: this.#options.currentIndex() });
      if (message.index !== null) this.#onPosition(message.index);
      this.#report();
    } else if (message.type === 'position') {
      this.#onPosition(message.index);
    } else if (message.type === 'gather' && !this.#leading) {
      this.#leaderIndex = message.index;
      this.#setFollowing(true);
    } else if (message.type === 'paused') {
      this.#paused = message.paused;
    } else if (message.type === 'message') {
      if (!this.#instructor) this.#banner.show(message.message);
    } else if (message.type === 'lead') {
      this.#leading = message.leading;
      if (message.leading) this.#send({ type: 'goto', index: this.#options.currentIndex() });
    }
    this.#render();
  }

  #onPosition(index: number): void {
    this.#leaderIndex = index;
    if (!this.following) return;
    this.#options.goTo(index);
    this.#report();
  }

  #send(message: FollowClientMessage): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  #render(): void {
    const state = this.#leading ? 'leading' : this.#following ? 'following' : 'free';
    // A lone learner with no instructor around has nothing to follow: no badge.
    this.#badge.hidden = !this.#instructor && this.#leaderIndex === null;
    this.#badge.dataset.state = state;
    this.#badge.dataset.paused = String(this.#paused);
    this.#badge.textContent =
      state === 'leading'
        ? this.#paused
          ? '★ Leading · follow mode paused: attendees stay where they are'
          : '★ Leading: attendees follow you'
        : state === 'following' && this.#paused
          ? '⏸ Follow mode paused by the instructor · press L to browse freely'
          : state === 'following'
            ? `● Following the ${this.#instructor ? 'lead' : 'instructor'} · press L to browse freely`
            : this.#instructor
              ? '○ Browsing · click to take the lead (Shift+L), L to follow'
              : '○ Browsing freely · press L or click to follow the instructor';
    document.documentElement.dataset.labdeckFollow = state;
  }
}

/** The instructor's broadcast message at the top of the page, as text; dismissed ones stay dismissed (localStorage). */
class Broadcast {
  readonly #element: HTMLElement;
  readonly #text: HTMLElement;
  #shown: BroadcastJson | null = null;

  constructor() {
    this.#element = document.createElement('div');
    this.#element.className = 'labdeck-broadcast';
    this.#element.setAttribute('role', 'status');
    // Styled here: the message is part of the follow-me feature, which the deck's stylesheet knows nothing of.
    this.#element.style.cssText =
      'position:fixed;top:0;left:50%;transform:translateX(-50%);z-index:1000;max-width:min(90vw,50rem);' +
      'gap:1rem;align-items:center;padding:.6rem 1rem;background:#fff7c2;color:#222;border:2px solid #d4a800;' +
      'border-top:0;border-radius:0 0 .5rem .5rem;font:1.1rem/1.3 system-ui,sans-serif;box-shadow:0 2px 12px #0006';
    this.#text = document.createElement('span');
    this.#text.className = 'labdeck-broadcast-text';
    const dismiss = document.createElement('button');
    dismiss.type = 'button';
    dismiss.className = 'labdeck-broadcast-dismiss';
    dismiss.textContent = '✕';
    dismiss.title = 'Dismiss this message';
    dismiss.setAttribute('aria-label', 'Dismiss this message');
    dismiss.style.cssText = 'border:0;background:none;font-size:1.2rem;cursor:pointer';
    dismiss.addEventListener('click', () => {
      if (this.#shown) localStorage.setItem(dismissedKey, String(this.#shown.id));
      this.#setVisible(false);
    });
    this.#element.append(this.#text, dismiss);
    this.#setVisible(false);
    document.body.append(this.#element);
  }

  show(message: BroadcastJson | null): void {
    this.#shown = message;
    const dismissed = message !== null && localStorage.getItem(dismissedKey) === String(message.id);
    this.#text.textContent = message?.text ?? '';
    this.#setVisible(message !== null && !dismissed);
  }

  #setVisible(visible: boolean): void {
    this.#element.hidden = !visible;
    this.#element.style.display = visible ? 'flex' : 'none';
  }
}

/** False only when the server says this page's token is not valid (401); a server that does not answer may be back. */
async function stillAdmitted(token: string | undefined): Promise<boolean> {
  try {
    const response = await fetch(`/deck.json${token ? `?token=${encodeURIComponent(token)}` : ''}`, { cache: 'no-store', headers: { accept: 'application/json' } });
    return response.status !== 401;
  } catch {
    return true;
  }
}

/** Shared by the windows of one browser (localStorage), so they lead together. */
function clientId(): string {
  let id = localStorage.getItem(clientIdKey);
  if (!id) {
    // getRandomValues, not randomUUID: the latter needs a secure context, and a classroom server may be plain http.
    id = Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) => byte.toString(16).padStart(2, '0')).join('');
    localStorage.setItem(clientIdKey, id);
  }
  return id;
}

function parse(data: unknown): FollowServerMessage | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    return JSON.parse(data) as FollowServerMessage;
  } catch {
    return undefined;
  }
}
