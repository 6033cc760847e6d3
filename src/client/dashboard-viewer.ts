// Watching an attendee's terminal from the dashboard. It opens read-only: the socket asks for `?watch`, so the
// server gives it the watcher role whatever the instructor could do, and xterm takes no keys. Typing is an explicit
// action ("Type into this terminal") that reconnects as the instructor; "Stop typing" goes back to watching.
// Each mode gets a fresh xterm and socket: the server repaints the screen from its mirror on connect.
// Tab belongs to the shell: F6 leaves the terminal for the viewer's buttons, as on the deck page.
import { Terminal } from '@xterm/xterm';
import { TERMINAL_WATCH_PARAM } from '../protocol.ts';
import { TerminalConnection, type ConnectionStatus } from './terminal-connection.ts';

export interface ViewedAttendee {
  readonly id: string;
  /** Attendee-provided: text only. */
  readonly name: string;
}

const terminalSocketPath = '/_labdeck/terminal';

export class TerminalViewer {
  readonly #root: HTMLElement;
  readonly #terminals: readonly string[];
  readonly #title: HTMLElement;
  readonly #tabs: HTMLElement;
  readonly #screen: HTMLElement;
  readonly #status: HTMLElement;
  readonly #typeButton: HTMLButtonElement;
  readonly #onClose: () => void;
  #attendee: ViewedAttendee | undefined;
  #terminalName: string;
  #typing = false;
  #terminal: Terminal | undefined;
  #connection: TerminalConnection | undefined;

  constructor(root: HTMLElement, terminals: readonly string[], onClose: () => void) {
    this.#root = root;
    this.#terminals = terminals;
    this.#terminalName = terminals[0] ?? 'shell';
    this.#onClose = onClose;
    const bar = document.createElement('div');
    bar.className = 'dash-viewer-bar';
    this.#title = document.createElement('h2');
    this.#tabs = document.createElement('div');
    this.#tabs.className = 'dash-viewer-tabs';
    this.#tabs.setAttribute('role', 'tablist');
    this.#tabs.setAttribute('aria-label', 'Terminals');
    this.#typeButton = document.createElement('button');
    this.#typeButton.type = 'button';
    this.#typeButton.className = 'dash-type';
    this.#typeButton.addEventListener('click', () => this.#setTyping(!this.#typing));
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'dash-viewer-close';
    close.textContent = 'Close';
    close.addEventListener('click', () => this.close());
    bar.append(this.#title, this.#tabs, this.#typeButton, close);
    this.#status = document.createElement('p');
    this.#status.className = 'dash-viewer-status';
    this.#status.setAttribute('role', 'status');
    this.#screen = document.createElement('div');
    this.#screen.className = 'dash-viewer-screen';
    // Keys typed into the terminal are the shell's, not the dashboard's.
    this.#screen.addEventListener('keydown', (event) => event.stopPropagation());
    root.append(bar, this.#status, this.#screen);
  }

  get attendee(): string | undefined {
    return this.#attendee?.id;
  }

  open(attendee: ViewedAttendee): void {
    this.#attendee = attendee;
    this.#root.hidden = false;
    this.#title.textContent = attendee.name;
    this.#title.title = `Terminals of ${attendee.name}`;
    this.#tabs.replaceChildren(
      ...this.#terminals.map((name) => {
        const tab = document.createElement('button');
        tab.type = 'button';
        tab.setAttribute('role', 'tab');
        tab.textContent = name;
        tab.dataset.terminal = name;
        tab.addEventListener('click', () => {
          this.#terminalName = name;
          this.#setTyping(false);
        });
        return tab;
      }),
    );
    this.#setTyping(false);
  }

  close(): void {
    this.#disconnect();
    this.#attendee = undefined;
    this.#root.hidden = true;
    this.#onClose();
  }

  #setTyping(typing: boolean): void {
    this.#typing = typing;
    this.#typeButton.textContent = typing ? 'Stop typing (watch only)' : 'Type into this terminal';
    this.#typeButton.setAttribute('aria-pressed', String(typing));
    this.#root.classList.toggle('typing', typing);
    for (const tab of this.#tabs.querySelectorAll<HTMLButtonElement>('button')) tab.setAttribute('aria-selected', String(tab.dataset.terminal === this.#terminalName));
    this.#connect();
  }

  #connect(): void {
    this.#disconnect();
    const attendee = this.#attendee;
    if (!attendee) return;
    const terminal = new Terminal({ disableStdin: !this.#typing, fontSize: 13, scrollback: 2000, theme: { background: '#1e1e1e' } });
    terminal.attachCustomKeyEventHandler((event) => {
      if (event.key !== 'F6' || event.altKey || event.ctrlKey || event.metaKey) return true;
      if (event.type === 'keydown') {
        event.preventDefault();
        this.#typeButton.focus();
      }
      return false;
    });
    terminal.open(this.#screen);
    const query = this.#typing ? '' : `?${TERMINAL_WATCH_PARAM}=1`;
    const connection = new TerminalConnection(terminal, {
      url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${terminalSocketPath}${query}`,
      // No token in the hello: the server takes the instructor's cookie from the upgrade request.
      token: '',
      terminal: this.#terminalName,
      attendee: attendee.id,
      onStatus: (status) => this.#showStatus(status),
      onTitle: () => {},
      onNotice: (message) => (this.#status.textContent = message),
    });
    connection.connect();
    this.#terminal = terminal;
    this.#connection = connection;
    if (this.#typing) terminal.focus();
  }

  #disconnect(): void {
    this.#connection?.dispose();
    this.#terminal?.dispose();
    this.#connection = undefined;
    this.#terminal = undefined;
    this.#screen.replaceChildren();
  }

  #showStatus(status: ConnectionStatus): void {
    const name = `${this.#terminalName}`;
    this.#root.dataset.status = status.kind;
    this.#status.textContent =
      status.kind === 'connected'
        ? status.state.role === 'watcher'
          ? `Watching ${name} (read-only)`
          : `Typing into ${name}: the attendee sees what you type`
        : status.kind === 'connecting'
          ? `Connecting to ${name}…`
          : status.kind === 'reconnecting'
            ? `Connection lost, retrying in ${Math.round(status.inMs / 1000)} s…`
            : status.kind === 'ended'
              ? `${name} ended: ${status.reason}`
              : /not running/.test(status.reason)
                ? `${name} is not running: the attendee has not opened it (yet)`
                : `Refused: ${status.reason}`;
  }
}
