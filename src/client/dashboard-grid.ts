// The dashboard's grid: one row per attendee (name, connection, slide, last command, then one cell per step). Built
// once from a whole state, then patched cell by cell: with a hundred attendees a change touches a few cells, never
// the whole table. Attendee-provided text (names, commands) only ever goes through textContent.
import { replayPagePath, type DashboardAttendeeJson, type DashboardPatch, type DashboardResultJson, type DashboardState, type StepStatus } from '../protocol.ts';

interface Row {
  readonly element: HTMLTableRowElement;
  readonly name: HTMLButtonElement;
  /** "(2 with this name)": two attendees who look alike are told apart by their join time and id (its title). */
  readonly sameName: HTMLSpanElement;
  /** What happened to their environment (sandbox recreated, class full), with the local time it happened. */
  readonly environment: HTMLSpanElement;
  /** "connected" or "not connected", for screen readers (the dot's shape says it to the eye). */
  readonly connection: HTMLSpanElement;
  readonly remove: HTMLButtonElement;
  /** Their replay page (a new tab): their terminal, slides and checks on one timeline. */
  readonly replay: HTMLAnchorElement;
  readonly slide: HTMLTableCellElement;
  readonly command: HTMLTableCellElement;
  readonly cells: Map<string, HTMLTableCellElement>;
  stuckStep: string | null;
}

const statusMark: Record<StepStatus, string> = { passed: '✔', failed: '✘', error: '!', pending: '·' };
/** What a screen reader says for a cell (the attendee page's badges use the same words). */
const statusWords: Record<StepStatus, string> = { passed: 'done', failed: 'not done', error: 'cannot check', pending: 'checking' };

export class DashboardGrid {
  readonly #root: HTMLElement;
  readonly #onSelect: (attendee: DashboardAttendeeJson) => void;
  readonly #onRemove: (attendee: DashboardAttendeeJson) => void;
  #rows = new Map<string, Row>();
  #steps: DashboardState['steps'] = [];
  #body: HTMLTableSectionElement | undefined;
  #selected: string | undefined;
  #stuckAfterMs = 0;

  constructor(root: HTMLElement, onSelect: (attendee: DashboardAttendeeJson) => void, onRemove: (attendee: DashboardAttendeeJson) => void) {
    this.#root = root;
    this.#onSelect = onSelect;
    this.#onRemove = onRemove;
  }

  get attendeeCount(): number {
    return this.#rows.size;
  }

  render(state: DashboardState): void {
    this.#steps = state.steps;
    this.#stuckAfterMs = state.stuckAfterMs;
    this.#rows = new Map();
    const table = document.createElement('table');
    table.className = 'dash-grid';
    const caption = table.createCaption();
    caption.className = 'dash-sr-only';
    caption.textContent = 'Attendees: their slide, their last command and each step';
    const header = table.createTHead().insertRow();
    header.append(columnHeader('Attendee'), columnHeader('Slide'), columnHeader('Last command'));
    for (const step of state.steps) {
      const th = columnHeader(`#${step.slide}`);
      th.title = step.text;
      // Read as the step, not as "number sign 12": a cell's header is what a screen reader says before its status.
      th.setAttribute('aria-label', `Step on slide ${step.slide}: ${step.text}`);
      th.className = 'dash-step';
      header.append(th);
    }
    this.#body = table.createTBody();
    for (const attendee of state.attendees) this.#updateRow(attendee);
    for (const result of state.results) this.#updateResult(result);
    this.#root.replaceChildren(table);
  }

  apply(patch: DashboardPatch): void {
    for (const attendee of patch.attendees) this.#updateRow(attendee);
    for (const result of patch.results) this.#updateResult(result);
  }

  select(attendee: string | undefined): void {
    if (this.#selected) this.#rows.get(this.#selected)?.element.classList.remove('selected');
    this.#selected = attendee;
    if (attendee) this.#rows.get(attendee)?.element.classList.add('selected');
  }

  #updateRow(attendee: DashboardAttendeeJson): void {
    const row = this.#rows.get(attendee.id) ?? this.#createRow(attendee);
    row.name.textContent = attendee.name;
    row.name.onclick = () => this.#onSelect(attendee);
    row.remove.onclick = () => this.#onRemove(attendee);
    row.element.classList.toggle('disconnected', !attendee.connected);
    row.connection.textContent = attendee.connected ? 'connected' : 'not connected';
    const joined = `joined at ${new Date(attendee.joinedAt).toLocaleTimeString()}, id ${attendee.id}`;
    row.name.title = `${attendee.connected ? 'Connected' : 'Not connected'}: click to watch their terminal (${joined})`;
    row.sameName.hidden = attendee.sameNameCount < 2;
    row.sameName.textContent = attendee.sameNameCount < 2 ? '' : `(${attendee.sameNameCount} with this name)`;
    row.sameName.title = attendee.sameNameCount < 2 ? '' : `This one ${joined}`;
    const note = attendee.environment;
    row.environment.hidden = !note;
    row.environment.textContent = note ? `⚠ ${note.text} (${new Date(note.at).toLocaleTimeString()})` : '';
    row.remove.title = `Remove ${attendee.name}${attendee.sameNameCount < 2 ? '' : ` (${joined})`} from the class`;
    row.remove.setAttribute('aria-label', row.remove.title);
    row.replay.setAttribute('aria-label', `Replay ${attendee.name}${attendee.sameNameCount < 2 ? '' : ` (${joined})`}`);
    row.slide.textContent = attendee.slide ? attendee.slide.label : '–';
    row.slide.classList.toggle('free', attendee.slide !== null && !attendee.slide.following);
    row.slide.title = attendee.slide ? (attendee.slide.following ? 'Following you' : 'Browsing freely (left follow mode)') : 'No deck page reported yet';
    const last = attendee.lastCommand;
    row.command.textContent = last ? `${last.exitCode === null ? '…' : last.exitCode === 0 ? '✔' : `✘ ${last.exitCode}`} ${last.command}` : '–';
    row.command.className = `dash-command${last && last.exitCode !== null && last.exitCode !== 0 ? ' failed' : ''}`;
    row.command.title = last ? `exit code ${last.exitCode ?? '(running)'} at ${new Date(last.at).toLocaleTimeString()}` : '';

    if (row.stuckStep) row.cells.get(row.stuckStep)?.classList.remove('stuck');
    row.stuckStep = attendee.stuck?.step ?? null;
    row.element.classList.toggle('stuck', attendee.stuck !== null);
    if (attendee.stuck) {
      const stuckCell = row.cells.get(attendee.stuck.step);
      stuckCell?.classList.add('stuck');
      const stuckStep = attendee.stuck.step;
      row.element.title = `Stuck: failing step ${this.#steps.find((step) => step.id === stuckStep)?.text ?? stuckStep} for ${minutes(Date.now() - attendee.stuck.since)}`;
    } else {
      row.element.removeAttribute('title');
    }
  }

  #createRow(attendee: DashboardAttendeeJson): Row {
    // biome-ignore lint/style/noNonNullAssertion: render() set #body, and the channel sends a whole state before any patch
    const element = this.#body!.insertRow();
    element.dataset.attendee = attendee.id;
    const nameCell = cell('th', '');
    nameCell.scope = 'row';
    const name = document.createElement('button');
    name.type = 'button';
    name.className = 'dash-name';
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'dash-remove';
    remove.textContent = '×';
    const sameName = document.createElement('span');
    sameName.className = 'dash-same-name';
    sameName.hidden = true;
    const environment = document.createElement('span');
    environment.className = 'dash-environment';
    environment.hidden = true;
    const connection = document.createElement('span');
    connection.className = 'dash-connection dash-sr-only';
    const replay = document.createElement('a');
    replay.className = 'dash-replay';
    replay.href = `${replayPagePath}/${encodeURIComponent(attendee.id)}`;
    replay.target = '_blank';
    replay.rel = 'noopener';
    replay.textContent = 'Replay';
    replay.title = 'Their terminal, slides and checks on one timeline (opens a new tab)';
    // A server that records nothing has no replay to open.
    replay.hidden = !('replays' in this.#root.dataset);
    nameCell.append(name, connection, sameName, environment, replay, remove);
    const slide = cell('td', '');
    slide.className = 'dash-slide';
    const command = cell('td', '');
    element.append(nameCell, slide, command);
    const cells = new Map<string, HTMLTableCellElement>();
    for (const step of this.#steps) {
      const td = cell('td', '');
      showStatus(td, 'pending');
      td.dataset.step = step.id;
      td.title = `${step.text}: pending`;
      cells.set(step.id, td);
      element.append(td);
    }
    const row: Row = { element, name, sameName, environment, connection, remove, replay, slide, command, cells, stuckStep: null };
    this.#rows.set(attendee.id, row);
    if (attendee.id === this.#selected) element.classList.add('selected');
    return row;
  }

  #updateResult(result: DashboardResultJson): void {
    const row = this.#rows.get(result.attendee);
    const td = row?.cells.get(result.step);
    if (!row || !td) return;
    showStatus(td, result.status);
    const step = this.#steps.find((candidate) => candidate.id === result.step);
    td.title = `${step?.text ?? result.step}: ${result.status} since ${new Date(result.since).toLocaleTimeString()}`;
  }

  /** For the status line: "stuck after N min". */
  get stuckAfterMinutes(): number {
    return Math.round(this.#stuckAfterMs / 60_000);
  }
}

function columnHeader(text: string): HTMLTableCellElement {
  const th = cell('th', text);
  th.scope = 'col';
  return th;
}

/** The status's mark for the eye (and its colour, by class), its words for a screen reader. */
function showStatus(td: HTMLTableCellElement, status: StepStatus): void {
  const mark = document.createElement('span');
  mark.setAttribute('aria-hidden', 'true');
  mark.textContent = statusMark[status];
  const words = document.createElement('span');
  words.className = 'dash-sr-only';
  words.textContent = statusWords[status];
  td.replaceChildren(mark, words);
  td.classList.remove('passed', 'failed', 'error', 'pending');
  td.classList.add(status);
}

function cell(tag: 'th' | 'td', text: string): HTMLTableCellElement {
  const element = document.createElement(tag);
  element.textContent = text;
  return element;
}

function minutes(ms: number): string {
  return `${Math.max(1, Math.round(ms / 60_000))} min`;
}
