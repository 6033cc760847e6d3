// The terminal pane beside the slides: one tab per named terminal, resizable (drag its left edge) and collapsible.
// It lives outside the CSS-scaled slide (xterm's selection and fit break under `transform: scale`), and each xterm
// is opened and fitted only when its tab is first shown (a hidden element has no size to fit).
//
// Keys typed in a terminal never reach the document (the slide keyboard handler listens there): the pane stops
// their propagation, and `isTerminalFocused()` tells any other key handler that the terminal has the keyboard.
// Tab belongs to the shell (completion), so one key is kept from it: F6 leaves the terminal, back to where the
// keyboard was before (a Run button, the slides), and F6 elsewhere on the page enters it, as VS Code's F6 moves between
// its parts. F6 reaches few terminal programs (mc's "move"; bash and vim ignore it).
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { TerminalConnection, type ConnectionStatus } from './terminal-connection.ts';
import type { NodeTerminalJson } from '../protocol.ts';

export interface TerminalPaneOptions {
  /** Terminal names, the default tab first. */
  readonly terminals: readonly string[];
  /** The terminal WebSocket's URL (ws: or wss:). */
  readonly url: string;
  readonly token: string;
  /** Whose terminals (an instructor's or a projector's view of an attendee); omitted for one's own. */
  readonly attendee?: string;
  /** The replay page of these terminals' owner ("Replay my session"), when the server serves replays. */
  readonly replayUrl?: string;
  /** The other nodes of the attendee's cluster and the terminal that opens on each: the bar offers to open them. */
  readonly nodes?: readonly NodeTerminalJson[];
}

const paneRootClass = 'labdeck-terminals';
/** The terminals themselves, under the pane's bar: the keyboard is "in a terminal" there only. */
const viewsClass = 'labdeck-terminals-views';
const storageKey = 'labdeck.terminals';
const minWidth = 240;
const defaultWidthFraction = 0.42;
/** The key that moves the keyboard between the terminal and the rest of the page. */
export const leaveTerminalKey = 'F6';
/** How far one arrow key moves the pane's edge (px); with Shift, five times as far. */
const resizeStep = 20;

/** Whether the keyboard is in a terminal (slide keys must then do nothing). */
export function isTerminalFocused(): boolean {
  return document.activeElement instanceof Element && document.activeElement.closest(`.${paneRootClass} .${viewsClass}`) !== null;
}

interface TerminalView {
  readonly name: string;
  readonly tab: HTMLButtonElement;
  readonly element: HTMLElement;
  readonly terminal: Terminal;
  readonly fit: FitAddon;
  readonly connection: TerminalConnection;
  opened: boolean;
  status: string;
}

export class TerminalPane {
  readonly element: HTMLElement;
  readonly #status: HTMLElement;
  readonly #toggle: HTMLButtonElement;
  readonly #tabs: HTMLElement;
  readonly #viewsElement: HTMLElement;
  readonly #views: TerminalView[];
  #active: TerminalView;
  #open: boolean;
  #width: number;
  /** Where the keyboard was before it entered a terminal: F6 goes back there. */
  #returnFocus: HTMLElement | undefined;
  /** xterm's screen reader mode (its output as a live list a reader can read and browse), chosen per browser. */
  #screenReader: boolean;
  readonly #readerToggle: HTMLButtonElement;

  constructor(private readonly options: TerminalPaneOptions) {
    const saved = readSaved();
    this.#open = saved.open ?? true;
    this.#width = saved.width ?? Math.round(window.innerWidth * defaultWidthFraction);
    this.#screenReader = saved.screenReader ?? false;

    this.element = element('aside', paneRootClass);
    this.element.setAttribute('aria-label', 'Terminals');
    const resizer = element('div', 'labdeck-terminals-resizer');
    resizer.title = 'Drag to resize the terminals (or focus and use ← →)';
    resizer.tabIndex = 0;
    resizer.setAttribute('role', 'separator');
    resizer.setAttribute('aria-orientation', 'vertical');
    resizer.setAttribute('aria-label', 'Resize the terminals');
    const bar = element('div', 'labdeck-terminals-bar');
    const toggle = element('button', 'labdeck-terminals-toggle');
    this.#toggle = toggle;
    toggle.type = 'button';
    toggle.addEventListener('click', () => this.setOpen(!this.#open));
    const tabs = element('div', 'labdeck-terminals-tabs');
    tabs.setAttribute('role', 'tablist');
    this.#status = element('span', 'labdeck-terminals-status');
    this.#status.setAttribute('aria-live', 'polite');
    const viewsElement = element('div', viewsClass);
    this.#readerToggle = element('button', 'labdeck-terminals-reader');
    this.#readerToggle.type = 'button';
    this.#readerToggle.textContent = 'Reader mode';
    this.#readerToggle.setAttribute('aria-label', 'Screen reader mode');
    this.#readerToggle.title = "Screen reader mode: the terminal's output becomes text a screen reader reads (remembered in this browser)";
    this.#readerToggle.setAttribute('aria-pressed', String(this.#screenReader));
    this.#readerToggle.addEventListener('click', () => this.setScreenReaderMode(!this.#screenReader));
    this.#tabs = tabs;
    this.#viewsElement = viewsElement;
    bar.append(toggle, tabs);
    if (options.nodes && options.nodes.length > 0) bar.append(this.#nodeControl(options.nodes));
    bar.append(this.#status, this.#readerToggle);
    if (options.replayUrl) {
      const replay = element('a', 'labdeck-terminals-replay');
      replay.href = options.replayUrl;
      replay.target = '_blank';
      replay.rel = 'noopener';
      replay.textContent = options.attendee ? 'Replay their session' : 'Replay my session';
      replay.title = 'Watch this class again: the terminal, the slides and the checks on one timeline (opens a new tab)';
      bar.append(replay);
    }
    this.element.append(resizer, bar, viewsElement);

    this.#views = options.terminals.map((name) => this.#createView(name));
    for (const view of this.#views) {
      tabs.append(view.tab);
      viewsElement.append(view.element);
    }
    const [first] = this.#views;
    if (!first) throw new Error('labdeck: a terminal pane needs at least one terminal');
    this.#active = first;

    // Keys typed in a terminal belong to the shell, never to the slideshow. The bar's buttons leave them to the page:
    // a keyboard user on them still has the slide keys.
    for (const type of ['keydown', 'keypress', 'keyup'] as const) viewsElement.addEventListener(type, (event) => event.stopPropagation());
    viewsElement.addEventListener('focusin', (event) => {
      const from = event.relatedTarget;
      // From nowhere (a click from the page's background): F6 then goes to the slides.
      if (!(from instanceof Node && viewsElement.contains(from))) this.#returnFocus = from instanceof HTMLElement ? from : undefined;
    });
    document.addEventListener('keydown', (event) => {
      if (!isLeaveKey(event) || isTerminalFocused() || !isShown(this.element)) return;
      event.preventDefault();
      this.#returnFocus = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : undefined;
      if (this.#open) this.select(this.#active.name, true);
      else this.setOpen(true);
    });
    this.#enableResizing(resizer);
    this.#enableKeyboardResizing(resizer);
    window.addEventListener('resize', () => this.#fitActive());
  }

  /** Puts the pane in the page, next to the slides. */
  mount(): void {
    document.body.append(this.element);
    document.body.classList.add('labdeck-has-terminals');
    this.#applyLayout();
    this.select(this.#active.name, false);
  }

  get activeTerminal(): string {
    return this.#active.name;
  }

  setOpen(open: boolean): void {
    this.#open = open;
    this.#applyLayout();
    if (open) this.select(this.#active.name, true);
    // A collapsed terminal cannot keep the keyboard; the bar's buttons (the one just pressed) stay focused.
    else if (isTerminalFocused()) this.#leaveTerminal();
  }

  /** Turns xterm's screen reader mode on or off in every terminal of the pane, and remembers the choice. */
  setScreenReaderMode(on: boolean): void {
    this.#screenReader = on;
    this.#readerToggle.setAttribute('aria-pressed', String(on));
    for (const view of this.#views) view.terminal.options.screenReaderMode = on;
    this.#save();
  }

  /** Shows a terminal's tab (connecting it the first time); `focus` gives it the keyboard. */
  select(name: string, focus = true): void {
    const view = this.#views.find((candidate) => candidate.name === name);
    if (!view) return;
    this.#active = view;
    for (const other of this.#views) {
      const selected = other === view;
      other.tab.setAttribute('aria-selected', String(selected));
      other.element.hidden = !selected;
    }
    this.#showStatus(view);
    if (!this.#open) return;
    if (!view.opened) {
      view.opened = true;
      view.terminal.open(view.element);
      view.fit.fit();
      // Connected after the fit: the hello carries the real size, and the shell starts at it.
      view.connection.connect();
    } else view.fit.fit();
    if (focus) view.terminal.focus();
  }

  /** Types `keystrokes` into the active terminal, opening the pane if it was collapsed. */
  type(keystrokes: string): void {
    if (!this.#open) this.setOpen(true);
    else this.select(this.#active.name, true);
    this.#active.connection.type(new TextEncoder().encode(keystrokes));
  }

  /**
   * Opens (or shows, when it has a tab already) a terminal the pane did not start with: one on another node of the
   * attendee's cluster. The server runs only the terminals it offers, on the attendee's own nodes.
   */
  openTerminal(name: string): void {
    if (!this.#views.some((view) => view.name === name)) {
      const view = this.#createView(name);
      this.#views.push(view);
      this.#tabs.append(view.tab);
      this.#viewsElement.append(view.element);
    }
    if (!this.#open) {
      this.#active = this.#views.find((view) => view.name === name) ?? this.#active;
      this.setOpen(true);
    } else this.select(name, true);
  }

  /** A node to choose and a button that opens a terminal there: native controls, labelled, in the keyboard's path. */
  #nodeControl(nodes: readonly NodeTerminalJson[]): HTMLElement {
    const control = element('div', 'labdeck-terminals-nodes');
    control.setAttribute('role', 'group');
    control.setAttribute('aria-label', 'A terminal on another node');
    const choice = element('select', 'labdeck-terminals-node');
    choice.setAttribute('aria-label', 'Node');
    choice.title = 'Which node of your cluster the new terminal runs on';
    for (const { node, terminal } of nodes) {
      const option = element('option', '');
      option.value = terminal;
      option.textContent = node;
      choice.append(option);
    }
    const open = element('button', 'labdeck-terminals-open-node');
    open.type = 'button';
    open.textContent = 'Open';
    open.setAttribute('aria-label', 'Open a terminal on this node');
    open.title = 'Open a terminal on the chosen node (or show it, if it is open)';
    open.addEventListener('click', () => this.openTerminal(choice.value));
    control.append(choice, open);
    return control;
  }

  #createView(name: string): TerminalView {
    const tab = element('button', 'labdeck-terminals-tab');
    tab.type = 'button';
    tab.setAttribute('role', 'tab');
    tab.textContent = name;
    tab.dataset.terminal = name;
    tab.addEventListener('click', () => this.select(name, true));
    const viewElement = element('div', 'labdeck-terminal');
    viewElement.dataset.terminal = name;
    viewElement.setAttribute('role', 'tabpanel');
    const terminal = new Terminal({
      // A blinking cursor is motion: not for those who asked their system for less.
      cursorBlink: !matchMedia('(prefers-reduced-motion: reduce)').matches,
      fontFamily: "'DejaVu Sans Mono', 'Droid Sans Mono', monospace",
      fontSize: 14,
      scrollback: 1000,
      screenReaderMode: this.#screenReader,
      theme: { background: '#1e1e1e' },
    });
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    terminal.attachCustomKeyEventHandler((event) => {
      if (!isLeaveKey(event)) return true;
      if (event.type === 'keydown') {
        event.preventDefault();
        this.#leaveTerminal();
      }
      return false;
    });
    const view: TerminalView = {
      name,
      tab,
      element: viewElement,
      terminal,
      fit,
      opened: false,
      status: 'not connected',
      connection: new TerminalConnection(terminal, {
        url: this.options.url,
        token: this.options.token,
        terminal: name,
        ...(this.options.attendee === undefined ? {} : { attendee: this.options.attendee }),
        onStatus: (status) => {
          view.status = describe(status);
          viewElement.dataset.state = status.kind;
          if (status.kind === 'connected') viewElement.dataset.role = status.state.role;
          if (view === this.#active) this.#showStatus(view);
        },
        onTitle: (title) => (tab.title = title),
        onNotice: (message) => {
          view.status = message;
          if (view === this.#active) this.#showStatus(view);
        },
      }),
    };
    return view;
  }

  #showStatus(view: TerminalView): void {
    this.#status.textContent = view.status;
  }

  #applyLayout(): void {
    this.#width = Math.max(minWidth, Math.min(this.#width, window.innerWidth - minWidth));
    document.documentElement.style.setProperty('--labdeck-terminals-width', `${this.#width}px`);
    document.body.classList.toggle('labdeck-terminals-open', this.#open);
    const toggle = this.#toggle;
    toggle.textContent = this.#open ? '⟩' : '⟨';
    toggle.title = this.#open ? 'Hide the terminals' : 'Show the terminals';
    toggle.setAttribute('aria-expanded', String(this.#open));
    const resizer = this.element.querySelector<HTMLElement>('.labdeck-terminals-resizer');
    resizer?.setAttribute('aria-valuenow', String(this.#width));
    resizer?.setAttribute('aria-valuemin', String(minWidth));
    resizer?.setAttribute('aria-valuemax', String(Math.max(minWidth, window.innerWidth - minWidth)));
    this.#save();
    // The slides have a new area: let them (and the fitted terminal) take its measure.
    window.dispatchEvent(new Event('resize'));
  }

  /** Gives the keyboard back to where it was before the terminal, or to the slides. */
  #leaveTerminal(): void {
    const back = this.#returnFocus;
    this.#returnFocus = undefined;
    if (back?.isConnected && isShown(back)) {
      back.focus();
      return;
    }
    const slides = document.getElementById('labdeck-slides');
    if (slides) {
      slides.tabIndex = -1;
      slides.focus();
    } else if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  }

  #enableKeyboardResizing(handle: HTMLElement): void {
    handle.addEventListener('keydown', (event) => {
      const direction = event.key === 'ArrowLeft' ? 1 : event.key === 'ArrowRight' ? -1 : 0;
      if (direction === 0 || !this.#open) return;
      event.preventDefault();
      event.stopPropagation(); // not a slide move
      this.#width += direction * resizeStep * (event.shiftKey ? 5 : 1);
      this.#applyLayout();
    });
  }

  #save(): void {
    writeSaved({ open: this.#open, width: this.#width, screenReader: this.#screenReader });
  }

  #fitActive(): void {
    if (this.#open && this.#active.opened) this.#active.fit.fit();
  }

  #enableResizing(handle: HTMLElement): void {
    handle.addEventListener('pointerdown', (down) => {
      if (!this.#open) return;
      down.preventDefault();
      handle.setPointerCapture(down.pointerId);
      const move = (event: PointerEvent) => {
        this.#width = window.innerWidth - event.clientX;
        this.#applyLayout();
      };
      const up = () => {
        handle.removeEventListener('pointermove', move);
        handle.removeEventListener('pointerup', up);
      };
      handle.addEventListener('pointermove', move);
      handle.addEventListener('pointerup', up);
    });
  }
}

/** Laid out (not `display: none`, nor inside it): `checkVisibility()` would say the same, but Safari has it only since 17.4. */
function isShown(target: HTMLElement): boolean {
  return target.getClientRects().length > 0;
}

function isLeaveKey(event: KeyboardEvent): boolean {
  return event.key === leaveTerminalKey && !event.altKey && !event.ctrlKey && !event.metaKey;
}

function describe(status: ConnectionStatus): string {
  switch (status.kind) {
    case 'connecting':
      return 'connecting…';
    case 'connected':
      return `${status.state.role === 'watcher' ? 'read-only' : status.state.role} · ${status.state.cols}×${status.state.rows}`;
    case 'reconnecting':
      return `disconnected, retrying in ${Math.ceil(status.inMs / 1000)} s`;
    case 'ended':
      return `${status.reason}: press a key for a new one`;
    case 'refused':
      return `refused: ${status.reason}`;
  }
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  created.className = className;
  return created;
}

interface SavedPane {
  open?: boolean;
  width?: number;
  screenReader?: boolean;
}

function readSaved(): SavedPane {
  try {
    const value = JSON.parse(localStorage.getItem(storageKey) ?? '{}') as { open?: unknown; width?: unknown; screenReader?: unknown };
    return {
      ...(typeof value.open === 'boolean' ? { open: value.open } : {}),
      ...(typeof value.width === 'number' ? { width: value.width } : {}),
      ...(typeof value.screenReader === 'boolean' ? { screenReader: value.screenReader } : {}),
    };
  } catch {
    return {};
  }
}

function writeSaved(value: Required<SavedPane>): void {
  try {
    localStorage.setItem(storageKey, JSON.stringify(value));
  } catch {
    // Storage may be disabled (private mode, file://): the pane just forgets its layout.
  }
}
