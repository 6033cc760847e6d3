// The slides on the page: one scaled 16:9 (or 4:3) box per slide, the current one visible, ←/→ to move, and the
// URL hash (`#N` or `#slide-name`) as the way in. The DOM keeps remark.js's class names so that decks' CSS applies.
import type { DeckJson, SlideJson } from '../protocol.ts';

/** remark.js's reference size: slides are laid out at this width and scaled to the window. */
const slideWidth = 908;

export class Slideshow {
  readonly #root: HTMLElement;
  #slides: readonly SlideJson[] = [];
  #containers: HTMLElement[] = [];
  /** 0-based index of the shown slide. */
  #current = 0;
  #height = slideWidth / (16 / 9);

  constructor(root: HTMLElement) {
    this.#root = root;
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
    this.#show(Math.min(target, Math.max(0, containers.length - 1)));
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
    if (/^\d+$/.test(key)) {
      const index = Number(key) - 1;
      return index >= 0 && index < this.#slides.length ? index : undefined;
    }
    const index = this.#slides.findIndex((slide) => slide.name === key);
    return index >= 0 ? index : undefined;
  }

  goTo(index: number): void {
    if (index < 0 || index >= this.#slides.length) return;
    this.#show(index);
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

  #show(index: number): void {
    this.#containers[this.#current]?.classList.remove('remark-visible');
    this.#current = index;
    this.#containers[index]?.classList.add('remark-visible');
  }

  /** `#N` of the shown slide, unless the hash already names it (`#slide-name` links stay as they were). */
  #syncHash(): void {
    if (this.#slides.length === 0 || this.indexOfHash(location.hash) === this.#current) return;
    // replaceState, not location.hash: moving through 300 slides should not make 300 history entries.
    history.replaceState(null, '', `#${this.#current + 1}`);
  }

  #scale(): void {
    const scale = Math.min(window.innerWidth / slideWidth, window.innerHeight / this.#height);
    this.#root.style.setProperty('--labdeck-slide-width', `${slideWidth}px`);
    this.#root.style.setProperty('--labdeck-slide-height', `${this.#height}px`);
    this.#root.style.setProperty('--labdeck-scale', String(scale));
  }
}

function ratioOf(ratio: string): number {
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
