// The slides on the page: one 16:9 (or 4:3) box per slide scaled to the slides' own container (not the window: a
// terminal pane or the presenter view may share the page), the current one visible, and the URL hash (`#N`,
// `#slide-name`, `#pN` in presenter mode) as the way in. The DOM keeps remark.js's class names so that decks' CSS applies.
import type { DeckJson, SlideJson } from '../protocol.ts';
import { afterNextPaint, whenIdle, type IdleDeadline } from './after-paint.ts';

/**
 * The size slides are laid out at before being scaled to their box. A deck with its own stylesheet gets remark.js's
 * (681px high, as wide as the ratio makes it: 1210×681 at 16:9), which its pixel sizes were written for; labdeck's
 * default theme was made at 908px wide.
 */
export function referenceSize(deck: Pick<DeckJson, 'ratio' | 'look'>): { width: number; height: number } {
  const ratio = ratioOf(deck.ratio);
  if (deck.look?.stylesheet != null) return { width: Math.floor(remarkReferenceHeight * ratio), height: remarkReferenceHeight };
  return { width: defaultThemeWidth, height: defaultThemeWidth / ratio };
}
/** remark.js's scaler: slides are 681px high (908×681 at 4:3). */
const remarkReferenceHeight = 681;
const defaultThemeWidth = 908;

/** Why the shown slide changed: `navigation` = goTo (keys, hash, links, followers), `update` = a new deck version. */
export type ShowCause = 'navigation' | 'update';

/** Called on a slide's element once its content exists (and again after each deck update): badges, buttons. */
export type SlideDecorator = (container: HTMLElement, index: number) => void;
export type ShowListener = (index: number, cause: ShowCause) => void;

/** Built first after the shown slide, so that the next move finds its slide (and pictures) ready. */
const neighbours = [1, -1, 2];
/** The longest slice of background building (ms): keys and the follow-me channel's moves must not wait longer. */
const buildSliceMs = 8;

export class Slideshow {
  readonly #root: HTMLElement;
  #slides: readonly SlideJson[] = [];
  /**
   * One `.remark-slide-container` per slide, always (their number and order are the deck's), but the content inside
   * is built only when needed: the shown slide at once, its neighbours and then the rest when the page is idle after
   * the first paint. Building all 276 slides of a long deck before showing the first one would cost more than
   * everything else at start.
   */
  #containers: HTMLElement[] = [];
  readonly #built = new WeakSet<HTMLElement>();
  readonly #decorators: SlideDecorator[] = [];
  readonly #showListeners: ShowListener[] = [];
  #backgroundBuild: { next: number } | undefined;
  /** 0-based index of the shown slide. */
  #current = 0;
  #pageSize: { readonly width: number; readonly height: number } | null = null;
  #width = defaultThemeWidth;
  #height = defaultThemeWidth / (16 / 9);
  /** `p` in presenter mode, so that a reload comes back to the presenter view (`#p12`) as in remark.js. */
  hashPrefix = /^#p\d+$/.test(location.hash) ? 'p' : '';

  constructor(root: HTMLElement) {
    this.#root = root;
    new ResizeObserver(() => this.#scale()).observe(root);
  }

  get current(): number {
    return this.#current;
  }

  get slides(): readonly SlideJson[] {
    return this.#slides;
  }

  /** Slide size before scaling (referenceSize). */
  get slideWidth(): number {
    return this.#width;
  }

  get slideHeight(): number {
    return this.#height;
  }

  /** The page size the deck's stylesheet asks for printing (`@page`), if it asks one. */
  get pageSize(): { readonly width: number; readonly height: number } | null {
    return this.#pageSize;
  }

  get slideCount(): number {
    return this.#slides.length;
  }

  /** Called after every change of the shown slide (and after every deck update). */
  onShow(listener: ShowListener): void {
    this.#showListeners.push(listener);
  }

  /** Runs `decorator` on every slide element as its content is built, and on every built one after a deck update. */
  addDecorator(decorator: SlideDecorator): void {
    this.#decorators.push(decorator);
    this.#containers.forEach((container, index) => {
      if (this.#built.has(container)) decorator(container, index);
    });
  }

  /** The `.remark-slide-container` of slide `index`, its content built if it was not yet. */
  slideElement(index: number): HTMLElement | undefined {
    const container = this.#containers[index];
    if (container && !this.#built.has(container)) this.#build(container, index);
    return container;
  }

  /** Builds every slide now (printing needs them all). */
  buildAll(): void {
    this.#containers.forEach((_, index) => {
      this.slideElement(index);
    });
  }

  /**
   * Shows `deck`, keeping the slide the person is on: the slide with the same name when it has one, otherwise the
   * same position. Unchanged slides keep their DOM (no image reload, no flicker).
   */
  update(deck: DeckJson): void {
    const previous = this.#slides[this.#current];
    const byName = previous?.name ? deck.slides.findIndex((slide) => slide.name === previous.name) : -1;
    const target = byName >= 0 ? byName : this.#current;

    ({ width: this.#width, height: this.#height } = referenceSize(deck));
    this.#pageSize = deck.look?.pageSize ?? null;
    const containers = deck.slides.map((slide, i) => {
      const old = this.#containers[i];
      const oldSlide = this.#slides[i];
      return old && oldSlide && sameContent(oldSlide, slide) ? old : createSlideContainer(slide);
    });
    this.#root.replaceChildren(...containers);
    this.#slides = deck.slides;
    this.#containers = containers;
    // Kept slides are decorated again: what decorates them (step badges) may have changed with the deck.
    containers.forEach((container, index) => {
      if (this.#built.has(container)) for (const decorator of this.#decorators) decorator(container, index);
    });
    this.#scale();
    this.#show(Math.min(target, Math.max(0, containers.length - 1)), 'update');
    // The first deck is shown before the URL's hash is read (goToHash): leave the hash alone until then.
    if (previous) this.#syncHash();
    this.#buildRestWhenIdle();
  }

  /** Goes to the slide `hash` names (`#12`, `#toc-part-1`); returns false when it names none. */
  goToHash(hash: string): boolean {
    const index = this.indexOfHash(hash);
    if (index === undefined) return false;
    this.goTo(index);
    return true;
  }

  indexOfHash(hash: string): number | undefined {
    const key = decodeURIComponent(hash.replace(/^#/, ''));
    if (/^p?\d+$/.test(key)) {
      const index = Number(key.replace('p', '')) - 1;
      return index >= 0 && index < this.#slides.length ? index : undefined;
    }
    const index = this.#slides.findIndex((slide) => slide.name === key);
    return index >= 0 ? index : undefined;
  }

  goTo(index: number): void {
    if (index < 0 || index >= this.#slides.length) return;
    this.#show(index, 'navigation');
    this.#syncHash();
  }

  next(): void {
    this.goTo(this.#current + 1);
  }

  previous(): void {
    this.goTo(this.#current - 1);
  }

  /** Call when the window changes size. */
  rescale(): void {
    this.#scale();
  }

  /** Rewrites the hash after a change of `hashPrefix`. */
  syncHash(): void {
    this.#syncHash();
  }

  #show(index: number, cause: ShowCause): void {
    this.#containers[this.#current]?.classList.remove('remark-visible');
    this.#current = index;
    this.slideElement(index)?.classList.add('remark-visible');
    for (const listener of this.#showListeners) listener(index, cause);
  }

  #build(container: HTMLElement, index: number): void {
    this.#built.add(container);
    // biome-ignore lint/style/noNonNullAssertion: containers and slides are made together, one per slide
    container.append(createSlideContent(this.#slides[index]!));
    for (const decorator of this.#decorators) decorator(container, index);
  }

  /**
   * Builds the slides not built yet a few at a time while the page is idle: the shown slide's neighbours first, then
   * all the others, so that moves find their slide ready and a printout (Ctrl+P) has every slide and picture.
   */
  #buildRestWhenIdle(): void {
    if (this.#backgroundBuild) {
      this.#backgroundBuild.next = 0; // a new deck: start over (built slides are skipped quickly)
      return;
    }
    const state = { next: 0 };
    this.#backgroundBuild = state;
    const step = (deadline: IdleDeadline): void => {
      const end = performance.now() + buildSliceMs;
      for (const offset of neighbours) this.slideElement(this.#current + offset);
      do this.slideElement(state.next++);
      while (state.next < this.#containers.length && deadline.timeRemaining() > 1 && performance.now() < end);
      if (state.next < this.#containers.length) whenIdle(step);
      else this.#backgroundBuild = undefined;
    };
    afterNextPaint(() => whenIdle(step));
  }

  /** `#N` of the shown slide, unless the hash already names it (`#slide-name` links stay as they were). */
  #syncHash(): void {
    const hash = `#${this.hashPrefix}${this.#current + 1}`;
    if (this.#slides.length === 0 || location.hash === hash) return;
    // A `#slide-name` link stays as it was, unless the presenter view needs its `#pN`.
    if (this.hashPrefix === '' && !/^#p?\d+$/.test(location.hash) && this.indexOfHash(location.hash) === this.#current) return;
    // replaceState, not location.hash: moving through 300 slides should not make 300 history entries.
    history.replaceState(null, '', hash);
  }

  #scale(): void {
    fitSlides(this.#root, this.#width, this.#height);
  }
}

/** Sets the CSS variables that scale slides (`.remark-slide-scaler`) inside `box` to fit it. */
export function fitSlides(box: HTMLElement, slideWidth: number, slideHeight: number): void {
  const width = box.clientWidth || window.innerWidth;
  const height = box.clientHeight || window.innerHeight;
  box.style.setProperty('--labdeck-slide-width', `${slideWidth}px`);
  box.style.setProperty('--labdeck-slide-height', `${slideHeight}px`);
  box.style.setProperty('--labdeck-scale', String(Math.min(width / slideWidth, height / slideHeight)));
}

export function ratioOf(ratio: string): number {
  const [width, height] = ratio.split(':').map(Number);
  return width && height ? width / height : 16 / 9;
}

function sameContent(a: SlideJson, b: SlideJson): boolean {
  return a.html === b.html && a.numberText === b.numberText && a.classes.join(' ') === b.classes.join(' ');
}

/** The slide's container, empty until its content is needed (see Slideshow.#containers). */
function createSlideContainer(slide: SlideJson): HTMLElement {
  const container = document.createElement('div');
  container.className = 'remark-slide-container';
  if (slide.name) container.dataset.name = slide.name;
  return container;
}

export function createSlideContent(slide: SlideJson): HTMLElement {
  const scaler = document.createElement('div');
  scaler.className = 'remark-slide-scaler';
  const frame = document.createElement('div');
  frame.className = 'remark-slide';
  const content = document.createElement('div');
  content.className = ['remark-slide-content', ...slide.classes].join(' ');
  // The server renders and sanitizes slide HTML (remark-html's schema): the deck is the author's trusted content.
  content.innerHTML = slide.html;
  const number = document.createElement('div');
  number.className = 'remark-slide-number';
  number.textContent = slide.numberText;
  content.append(number);
  frame.append(content);
  scaler.append(frame);
  return scaler;
}
