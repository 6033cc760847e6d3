// The slides on the page: one 16:9 (or 4:3) box per slide scaled to the slides' own container (not the window: a
// terminal pane or the presenter view may share the page), the current one visible, and the URL hash (`#N`,
// `#slide-name`, `#pN` in presenter mode) as the way in. The DOM keeps remark.js's class names so that decks' CSS applies.
import type { DeckJson, SlideJson } from '../protocol.ts';

/** remark.js's reference size: slides are laid out at this width and scaled to the window. */
export const slideWidth = 908;

/** Why the shown slide changed: `navigation` = goTo (keys, hash, links, followers), `update` = a new deck version. */
export type ShowCause = 'navigation' | 'update';

export class Slideshow {
  readonly #root: HTMLElement;
  #slides: readonly SlideJson[] = [];
  #containers: HTMLElement[] = [];
  /** 0-based index of the shown slide. */
  #current = 0;
  #height = slideWidth / (16 / 9);
  /** Called after every change of the shown slide (and after every deck update). */
  onShow: (index: number, cause: ShowCause) => void = () => {};
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

  /** The `.remark-slide-container` of each slide, in order. */
  get slideElements(): readonly HTMLElement[] {
    return this.#containers;
  }

  /** Slide height at the reference width: the deck's ratio. */
  get slideHeight(): number {
    return this.#height;
  }

  get slideCount(): number {
    return this.#slides.length;
  }

  /**
   * Shows `deck`, keeping the slide the person is on: the slide with the same name when it has one, otherwise the
   * same position. Unchanged slides keep their DOM (no image reload, no flicker).
   */
  update(deck: DeckJson): void {
    const previous = this.#slides[this.#current];
    const byName = previous?.name ? deck.slides.findIndex((slide) => slide.name === previous.name) : -1;
    const target = byName >= 0 ? byName : this.#current;

    this.#height = slideWidth / ratioOf(deck.ratio);
    const containers = deck.slides.map((slide, i) => {
      const old = this.#containers[i];
      return old && old.dataset.signature === signature(slide) ? old : createSlideElement(slide);
    });
    this.#root.replaceChildren(...containers);
    this.#slides = deck.slides;
    this.#containers = containers;
    this.#scale();
    this.#show(Math.min(target, Math.max(0, containers.length - 1)), 'update');
    // The first deck is shown before the URL's hash is read (goToHash): leave the hash alone until then.
    if (previous) this.#syncHash();
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
    this.#containers[index]?.classList.add('remark-visible');
    this.onShow(index, cause);
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
    fitSlides(this.#root, this.#height);
  }
}

/** Sets the CSS variables that scale slides (`.remark-slide-scaler`) inside `box` to fit it. */
export function fitSlides(box: HTMLElement, slideHeight: number): void {
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

function signature(slide: SlideJson): string {
  return JSON.stringify([slide.classes, slide.html, slide.numberText]);
}

function createSlideElement(slide: SlideJson): HTMLElement {
  const container = document.createElement('div');
  container.className = 'remark-slide-container';
  container.dataset.signature = signature(slide);
  if (slide.name) container.dataset.name = slide.name;
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
  container.append(scaler);
  return container;
}
