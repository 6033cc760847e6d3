// The presenter view (`p`, or a `#pN` URL): the current slide, the next one, the notes, elapsed time and clock, and
// N/total. It lives in the same page as the slides (the slides' box just gets smaller), so a second window opened
// with `c` and switched to `p` is the classic audience + presenter pair, kept in sync by WindowSync.
import type { SlideJson } from '../protocol.ts';
import { fitSlides } from './slideshow.ts';
import type { PresentationTimer } from './timer.ts';

export class PresenterView {
  readonly #element: HTMLElement;
  readonly #next: HTMLElement;
  readonly #notes: HTMLElement;
  readonly #position: HTMLElement;
  readonly #elapsed: HTMLElement;
  readonly #clock: HTMLElement;
  readonly #timer: PresentationTimer;
  #tick: number | undefined;
  #slideSize = { width: 0, height: 0 };

  constructor(timer: PresentationTimer) {
    this.#timer = timer;
    this.#element = element('div', 'labdeck-presenter');
    this.#next = element('div', 'labdeck-presenter-next');
    this.#notes = element('div', 'labdeck-presenter-notes');
    const status = element('div', 'labdeck-presenter-status');
    this.#position = element('span', 'labdeck-presenter-position');
    this.#elapsed = element('span', 'labdeck-presenter-elapsed');
    this.#clock = element('span', 'labdeck-presenter-clock');
    status.append(this.#position, this.#elapsed, this.#clock);
    this.#element.append(this.#next, this.#notes, status);
    this.#element.hidden = true;
    document.body.append(this.#element);
    new ResizeObserver(() => fitSlides(this.#next, this.#slideSize.width, this.#slideSize.height)).observe(this.#next);
  }

  get open(): boolean {
    return !this.#element.hidden;
  }

  toggle(open = !this.open): void {
    this.#element.hidden = !open;
    document.documentElement.classList.toggle('labdeck-presenter-mode', open);
    clearInterval(this.#tick);
    if (open) {
      this.#tick = window.setInterval(() => this.renderTime(), 1000);
      this.renderTime();
    }
  }

  /** Shows slide `index` of `slides`: the next slide's preview is a copy of `nextElement` (none after the last). */
  render(slides: readonly SlideJson[], nextElement: HTMLElement | undefined, index: number, slideSize: { width: number; height: number }): void {
    this.#slideSize = slideSize;
    const preview = nextElement?.querySelector('.remark-slide-scaler')?.cloneNode(true) as HTMLElement | undefined;
    // Ids in the copy would duplicate the audience slide's (in-slide links, anchors).
    preview?.querySelectorAll('[id]').forEach((node) => {
      node.removeAttribute('id');
    });
    const end = element('p', 'labdeck-presenter-end');
    end.textContent = 'End of the deck';
    this.#next.replaceChildren(preview ?? end);
    fitSlides(this.#next, slideSize.width, slideSize.height);
    const notes = slides[index]?.notes ?? '';
    // Notes are the deck author's HTML, rendered and sanitized by the server like the slides.
    this.#notes.innerHTML = notes === '' ? '<p class="labdeck-presenter-no-notes">No notes for this slide.</p>' : notes;
    this.#position.textContent = `Slide ${index + 1}/${slides.length}`;
  }

  renderTime(): void {
    this.#elapsed.textContent = `Elapsed ${this.#timer.formatElapsed()}`;
    this.#clock.textContent = `Time ${new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
  }
}

function element(tag: string, className: string): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  return node;
}
