// Find a slide fast (`o` or `/`): every slide by number and title, filtered as one types; Enter or a click jumps.
// Each slide of the list is a button: Tab from the search field reaches them, Enter or Space jumps.
import type { SlideJson } from '../protocol.ts';
import { Panel } from './panel.ts';

interface Entry {
  readonly index: number;
  readonly title: string;
  /** The slide's whole text, lower case. */
  readonly text: string;
}

export class SlideOverview {
  readonly #panel = new Panel('labdeck-overview', 'Find a slide');
  readonly #input = document.createElement('input');
  readonly #list = document.createElement('ol');
  readonly #goTo: (index: number) => void;
  #slides: readonly SlideJson[] = [];
  /** Titles and texts of the slides, read from their HTML the first time the overview opens (not at page start). */
  #entries: Entry[] | undefined;

  constructor(goTo: (index: number) => void) {
    this.#goTo = goTo;
    this.#input.type = 'search';
    this.#input.placeholder = 'Slide title or text…';
    this.#input.setAttribute('aria-label', 'Find a slide');
    this.#input.addEventListener('input', () => this.#render());
    this.#input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') this.#jump(this.#matches()[0]?.index);
      else if (event.key === 'Escape') this.toggle(false);
      else return;
      event.preventDefault();
      event.stopPropagation();
    });
    this.#list.addEventListener('click', (event) => {
      const item = (event.target as HTMLElement).closest<HTMLElement>('[data-index]');
      if (item) this.#jump(Number(item.dataset.index));
    });
    // Esc on a slide of the list closes the finder too (the search field handles its own).
    this.#list.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      event.stopPropagation();
      this.toggle(false);
    });
    this.#panel.element.append(this.#input, this.#list);
  }

  get open(): boolean {
    return this.#panel.open;
  }

  /** The slides to list; continued slides (`--` increments) are listed once, at their first step. */
  setSlides(slides: readonly SlideJson[]): void {
    this.#slides = slides;
    this.#entries = undefined;
    if (this.open) this.#render();
  }

  toggle(open = !this.open): void {
    this.#panel.toggle(open);
    if (!open) return;
    this.#input.value = '';
    this.#render();
    this.#input.focus();
  }

  #readEntries(): Entry[] {
    const parser = document.createElement('template');
    return this.#slides.flatMap((slide, index) => {
      if (slide.continued) return [];
      parser.innerHTML = slide.html;
      const heading = parser.content.querySelector('h1, h2, h3, h4');
      const text = (parser.content.textContent ?? '').replace(/\s+/g, ' ').trim();
      return [{ index, title: heading?.textContent?.trim() || slide.name || text.slice(0, 60) || '(no title)', text: text.toLowerCase() }];
    });
  }

  #matches(): Entry[] {
    const query = this.#input.value.trim().toLowerCase();
    const entries = (this.#entries ??= this.#readEntries());
    return query === '' ? entries : entries.filter((entry) => entry.title.toLowerCase().includes(query) || entry.text.includes(query));
  }

  #render(): void {
    this.#list.replaceChildren(
      ...this.#matches().map((entry) => {
        const item = document.createElement('li');
        item.dataset.index = String(entry.index);
        item.value = entry.index + 1;
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = entry.title;
        item.append(button);
        return item;
      }),
    );
  }

  #jump(index: number | undefined): void {
    if (index === undefined) return;
    this.toggle(false);
    this.#goTo(index);
  }
}
