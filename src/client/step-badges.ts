// Live step results in the slideshow: a badge on each step of each hands-on block (its reason in a popover on hover,
// focus or tap), "check now" and, for manual steps, "I did it", a per-chapter progress count and the engine's status.
//
// - Steps and DOM: the `<li>` items of a slide's `.exercise` / `.lab` blocks, in order, are its steps (deck.steps:
//   slide position + index). A `--` increment repeats the earlier slides' blocks before its own, so the items of a
//   slide map to the steps of its whole increment chain, counted from the end.
// - Slides are built as they are needed (src/client/slideshow.ts): each gets its badges when it is built.
// - Reasons can contain names attendees typed: they are only ever inserted as text.
// - The results socket reconnects by itself; on each connection the server sends the whole state again.
import {
  resultsPath,
  slideUiClass,
  type DeckJson,
  type EngineStatusJson,
  type ResultsClientMessage,
  type ResultsServerMessage,
  type StepJson,
  type StepResultJson,
} from '../protocol.ts';
import { Announcer } from './announcer.ts';

interface Badge {
  readonly step: StepJson;
  readonly button: HTMLButtonElement;
  readonly popover: HTMLElement;
  readonly reason: HTMLElement;
  readonly note: HTMLElement;
  readonly confirm: HTMLButtonElement;
  pinned: boolean;
}

const statusWords: Record<string, string> = { passed: 'done', failed: 'not done', pending: 'checking', error: 'cannot check' };
const handsOnSelector = '.exercise, .lab';

export class StepBadges {
  readonly #hud: HTMLElement;
  readonly #engine: HTMLElement;
  readonly #progress: HTMLElement;
  readonly #notice: HTMLElement;
  /** Tells screen readers when a step of the slide on screen changes status. */
  readonly #news = new Announcer('checks');
  readonly #results = new Map<string, StepResultJson>();
  #badges: Badge[] = [];
  #deck: DeckJson | undefined;
  /** Per slide (0-based), the steps its items show: its own, after those of the slides it continues. */
  #chains: StepJson[][] = [];
  /** 0-based index of the slide on screen. */
  #shown = 0;
  #socket: WebSocket | undefined;
  #connected = false;
  #engineStatus: EngineStatusJson | undefined;
  #popoverIds = 0;

  constructor() {
    this.#hud = element('div', 'labdeck-checks');
    this.#hud.setAttribute('role', 'region');
    this.#hud.setAttribute('aria-label', 'Exercise checks');
    this.#hud.hidden = true;
    this.#engine = element('span', 'labdeck-engine');
    this.#engine.setAttribute('role', 'status');
    this.#progress = element('span', 'labdeck-progress');
    this.#progress.setAttribute('aria-live', 'polite');
    const checkAll = element('button', 'labdeck-check-all') as HTMLButtonElement;
    checkAll.type = 'button';
    checkAll.textContent = 'Check now';
    checkAll.addEventListener('click', () => this.#send({ type: 'check-now' }));
    this.#notice = element('span', 'labdeck-checks-notice');
    this.#notice.setAttribute('role', 'alert');
    this.#hud.append(this.#engine, this.#progress, checkAll, this.#notice);
    document.body.append(this.#hud);
    document.addEventListener(
      'keydown',
      (event) => {
        if (event.key === 'Escape') this.#closeAll(true);
      },
      true,
    );
    document.addEventListener('click', (event) => {
      if (!(event.target instanceof Node) || !this.#badges.some((b) => b.button.parentElement?.contains(event.target as Node))) this.#closeAll(false);
    });
  }

  /** Call before the slideshow shows `deck` (which then decorates its slides again). */
  update(deck: DeckJson): void {
    this.#deck = deck;
    const steps = deck.steps.filter((s) => typeof s.id === 'string' && typeof s.slide === 'number');
    const bySlide = new Map<number, StepJson[]>();
    for (const step of steps) bySlide.set(step.slide, [...(bySlide.get(step.slide) ?? []), step]);
    for (const own of bySlide.values()) own.sort((a, b) => a.index - b.index);
    this.#chains = [];
    let previous: StepJson[] = [];
    deck.slides.forEach((slide, i) => {
      const own = bySlide.get(slide.index) ?? [];
      const chain = slide.continued && i > 0 ? [...previous, ...own] : own;
      this.#chains.push(chain);
      previous = chain;
    });
    this.#badges = [];
    this.#renderAll();
  }

  /** Puts a badge on each step's item of slide `index` (its `.remark-slide-container`); a SlideDecorator. */
  decorate(container: HTMLElement, index: number): void {
    const old = container.querySelectorAll('.labdeck-step');
    if (old.length > 0) {
      this.#badges = this.#badges.filter((badge) => !container.contains(badge.button));
      old.forEach((wrapper) => {
        wrapper.remove();
      });
    }
    const chain = this.#chains[index] ?? [];
    if (chain.length === 0) return;
    const items = [...container.querySelectorAll(handsOnSelector)].flatMap((block) => [...block.querySelectorAll(':scope > ul > li, :scope > ol > li')]);
    const offset = items.length - chain.length;
    chain.forEach((step, k) => {
      const item = items[offset + k];
      if (!(item instanceof HTMLElement)) return;
      const badge = this.#decorate(item, step);
      this.#badges.push(badge);
      this.#renderBadge(badge);
    });
  }

  /** Call when slide `index` (0-based) is shown: the progress count is the chapter's of the slide on screen. */
  slideShown(index: number): void {
    this.#shown = index;
    this.#renderProgress();
  }

  /** Opens the results socket (live pages only). */
  connect(): void {
    let retryMs = 500;
    const open = (): void => {
      const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${resultsPath}`);
      this.#socket = socket;
      socket.addEventListener('open', () => {
        retryMs = 500;
        this.#connected = true;
      });
      socket.addEventListener('message', (event) => this.#receive(event.data));
      socket.addEventListener('close', () => {
        this.#connected = false;
        this.#renderEngine();
        setTimeout(open, retryMs);
        retryMs = Math.min(retryMs * 2, 10_000);
      });
    };
    open();
  }

  #receive(data: unknown): void {
    let message: ResultsServerMessage;
    try {
      message = JSON.parse(String(data)) as ResultsServerMessage;
    } catch {
      return;
    }
    switch (message.type) {
      case 'results':
        this.#results.clear();
        for (const result of message.results) this.#results.set(result.stepId, result);
        this.#engineStatus = message.engine;
        this.#renderAll();
        break;
      case 'result': {
        const before = this.#results.get(message.result.stepId)?.status;
        this.#results.set(message.result.stepId, message.result);
        for (const badge of this.#badges) {
          if (badge.step.id !== message.result.stepId) continue;
          this.#renderBadge(badge);
          // Only a change of status, and only on the slide on screen: a new reason alone is not news.
          if (before !== message.result.status && badge.button.closest('.remark-visible')) this.#news.say(describe(badge.step, message.result));
        }
        this.#renderProgress();
        break;
      }
      case 'engine':
        this.#engineStatus = message.engine;
        this.#renderEngine();
        break;
      case 'refused':
        this.#notice.textContent = message.message;
        setTimeout(() => {
          this.#notice.textContent = '';
        }, 5000);
        break;
      default:
        break; // unknown: ignored
    }
  }

  #send(message: ResultsClientMessage): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  #decorate(item: HTMLElement, step: StepJson): Badge {
    // slideUiClass: a deck's stylesheet does not restyle the badge (deck/deck-style.ts).
    const wrapper = element('span', `labdeck-step ${slideUiClass}`);
    const popoverId = `labdeck-step-popover-${++this.#popoverIds}`;
    const button = element('button', 'labdeck-step-badge') as HTMLButtonElement;
    button.type = 'button';
    button.setAttribute('aria-expanded', 'false');
    button.setAttribute('aria-controls', popoverId);
    button.dataset.stepId = step.id;
    const popover = element('div', 'labdeck-step-popover');
    popover.id = popoverId;
    popover.setAttribute('role', 'group');
    popover.hidden = true;
    const reason = element('p', 'labdeck-step-reason');
    const note = element('p', 'labdeck-step-note');
    const actions = element('div', 'labdeck-step-actions');
    const checkNow = element('button', 'labdeck-step-check') as HTMLButtonElement;
    checkNow.type = 'button';
    checkNow.textContent = 'Check now';
    checkNow.addEventListener('click', () => this.#send({ type: 'check-now', stepId: step.id }));
    const confirm = element('button', 'labdeck-step-confirm') as HTMLButtonElement;
    confirm.type = 'button';
    confirm.addEventListener('click', () => {
      const confirmed = this.#results.get(step.id)?.confirmed === true;
      this.#send({ type: 'confirm', stepId: step.id, confirmed: !confirmed });
    });
    actions.append(checkNow, confirm);
    popover.append(reason, note, actions);
    wrapper.append(button, popover);
    item.classList.add('labdeck-has-check');
    item.prepend(wrapper);

    const badge: Badge = { step, button, popover, reason, note, confirm, pinned: false };
    const show = (open: boolean): void => {
      popover.hidden = !open;
      button.setAttribute('aria-expanded', String(open));
    };
    button.addEventListener('click', () => {
      badge.pinned = !badge.pinned || popover.hidden;
      if (badge.pinned) this.#closeAll(false, badge);
      show(badge.pinned);
    });
    wrapper.addEventListener('mouseenter', () => show(true));
    wrapper.addEventListener('mouseleave', () => {
      if (!badge.pinned) show(false);
    });
    return badge;
  }

  #closeAll(returnFocus: boolean, except?: Badge): void {
    for (const badge of this.#badges) {
      if (badge === except || badge.popover.hidden) continue;
      badge.pinned = false;
      badge.popover.hidden = true;
      badge.button.setAttribute('aria-expanded', 'false');
      if (returnFocus && badge.popover.contains(document.activeElement)) badge.button.focus();
    }
  }

  #renderAll(): void {
    // Nothing to show before the server has answered once (e.g. a server without checks), nor for a deck without steps.
    this.#hud.hidden = !this.#engineStatus || !this.#deck || this.#deck.steps.length === 0;
    for (const badge of this.#badges) this.#renderBadge(badge);
    this.#renderEngine();
    this.#renderProgress();
  }

  #renderBadge(badge: Badge): void {
    const result = this.#results.get(badge.step.id);
    const status = result?.status ?? 'pending';
    const selfReported = result?.selfReported === true;
    badge.button.dataset.status = status;
    badge.button.dataset.selfReported = String(selfReported);
    // The whole status in words, its reason included: the glyph and colour are only for the eye.
    badge.button.setAttribute('aria-label', describe(badge.step, result));
    badge.reason.textContent = result ? result.reason : 'waiting for the first check…';
    badge.note.textContent = selfReported ? 'Self-reported: no evidence can show this step, so your word counts.' : '';
    badge.note.hidden = !selfReported;
    badge.confirm.hidden = !selfReported;
    badge.confirm.textContent = result?.confirmed ? 'Not done yet' : 'I did it';
  }

  #renderEngine(): void {
    const status = this.#engineStatus;
    if (!this.#connected) {
      this.#engine.dataset.state = 'unknown';
      this.#engine.textContent = 'Checks: connecting…';
    } else if (!status || (!status.reachable && status.error === null)) {
      this.#engine.dataset.state = 'unknown';
      this.#engine.textContent = 'Engine: not read yet';
    } else if (status.reachable) {
      this.#engine.dataset.state = 'ok';
      this.#engine.textContent = `Engine: connected${status.swarm === 'active' ? '' : ` (swarm ${status.swarm})`}`;
    } else {
      this.#engine.dataset.state = 'down';
      this.#engine.textContent = `Engine unreachable: ${status.error}`;
    }
  }

  /** "3/7 steps done" for the chapter (source file) of the slide on screen. */
  #renderProgress(): void {
    const deck = this.#deck;
    const slide = deck?.slides[this.#shown];
    if (!deck || !slide) {
      this.#progress.textContent = '';
      return;
    }
    const chapterSlides = new Set(deck.slides.filter((s) => s.source.file === slide.source.file).map((s) => s.index));
    const steps = deck.steps.filter((step) => chapterSlides.has(step.slide));
    const done = steps.filter((step) => this.#results.get(step.id)?.status === 'passed').length;
    this.#progress.hidden = steps.length === 0;
    this.#progress.dataset.done = String(done);
    this.#progress.dataset.total = String(steps.length);
    this.#progress.textContent = `${done}/${steps.length} steps done in this chapter`;
  }
}

/** "Step 1: not done: service `debug`: 0/1 tasks running": a badge's label, and what a change of status announces. */
function describe(step: StepJson, result: StepResultJson | undefined): string {
  const status = result?.status ?? 'pending';
  const words = `${statusWords[status] ?? status}${result?.selfReported && status === 'passed' ? ' (self-reported)' : ''}`;
  return `Step ${step.index + 1}: ${words}${result?.reason ? `: ${result.reason}` : ''}`;
}

function element(tag: string, className: string): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  return node;
}
