// mermaid diagrams on slides: each `<pre class="mermaid">` (as container.training's chapters write them) is drawn
// as an SVG by mermaid, which the page loads only when a slide has one (a classic script, so that a static export
// opened from file:// draws them too). The shown slide's diagrams go first, the others as their slides are built.
//
// mermaid lays a diagram out by measuring its labels in the page (getBoundingClientRect), which needs the diagram's
// box to be displayed and not scaled: slides are display:none until shown and scaled to the window by a transform. So
// each diagram is drawn in a copy of its slide, unscaled at the slide's reference size, out of sight (the same
// classes, so the deck's styles apply as on the slide), and its SVG, which scales with its box (viewBox, width
// 100%), is then put in the real slide: sizes are right whenever and at whatever scale the slide appears.
// `html[data-labdeck-diagrams]` says where drawing is: `none` (no diagram), `drawing`, `ready` (every diagram of the
// deck drawn or shown with its error), `failed` (mermaid could not be loaded); `labdeck pdf` waits for it.
import type { DeckJson } from '../protocol.ts';
import { afterNextPaint } from './after-paint.ts';

/** What labdeck uses of mermaid's API (mermaid 11). */
interface Mermaid {
  initialize(config: Record<string, unknown>): void;
  render(id: string, text: string, container?: Element): Promise<{ svg: string }>;
}

/** mermaid's browser build, as src/http/package-assets.ts serves it (`_labdeck/vendor/`), from the page's labdeck.js. */
const mermaidScript = '../vendor/mermaid.min.js';
const diagramSelector = 'pre.mermaid';
/** The same test as src/deck/diagrams.ts containsDiagram (the client imports no server code). */
const diagramInHtml = /<pre\b[^>]*\sclass="(?:[^"]*\s)?mermaid(?:\s[^"]*)?"/;

export type DiagramsState = 'none' | 'drawing' | 'ready' | 'failed';

interface Job {
  readonly container: HTMLElement;
  readonly pre: HTMLElement;
}

export class Diagrams {
  readonly #slidesRoot: HTMLElement;
  readonly #scriptUrl: string;
  #mermaid: Promise<Mermaid> | undefined;
  #queue: Job[] = [];
  #drawing = false;
  /** Indexes of the current deck's slides that have diagrams, and of those built (decorated) so far. */
  #diagramSlides: readonly number[] = [];
  #builtSlides = new Set<number>();
  #failed = false;
  #nextId = 0;

  /** `scriptUrl`: the page's labdeck.js, beside which mermaid is served. */
  constructor(slidesRoot: HTMLElement, scriptUrl: string) {
    this.#slidesRoot = slidesRoot;
    this.#scriptUrl = scriptUrl;
  }

  /** Call with every deck, before the slideshow shows it. */
  update(deck: DeckJson): void {
    this.#diagramSlides = deck.slides.flatMap((slide, index) => (diagramInHtml.test(slide.html) ? [index] : []));
    this.#builtSlides = new Set();
    this.#publishState();
  }

  /** The slideshow's decorator: queues the diagrams of a slide whose content was just built. */
  decorate(container: HTMLElement, index: number): void {
    this.#builtSlides.add(index);
    for (const pre of container.querySelectorAll<HTMLElement>(diagramSelector)) {
      if (pre.dataset.labdeckDiagram) continue; // drawn (or queued) before a deck update kept this slide
      pre.dataset.labdeckDiagram = 'queued';
      this.#queue.push({ container, pre });
    }
    this.#publishState();
    if (this.#queue.length > 0 && !this.#drawing) {
      this.#drawing = true;
      // Loading mermaid (3.5 MB) must not delay the first slide.
      afterNextPaint(() => void this.#drawQueue());
    }
  }

  /** The shown slide's diagrams are drawn next. */
  slideShown(container: HTMLElement | undefined): void {
    const mine = this.#queue.filter((job) => job.container === container);
    if (mine.length) this.#queue = [...mine, ...this.#queue.filter((job) => job.container !== container)];
  }

  async #drawQueue(): Promise<void> {
    for (let job = this.#queue.shift(); job; job = this.#queue.shift()) {
      // A slide replaced by a deck update is gone: its successor is queued on its own.
      if (job.container.isConnected) await this.#draw(job);
      this.#publishState();
    }
    this.#drawing = false;
    this.#publishState();
  }

  async #draw(job: Job): Promise<void> {
    const text = diagramText(job.pre);
    let mermaid: Mermaid;
    try {
      mermaid = await this.#load();
    } catch (error) {
      this.#failed = true;
      showError(job.pre, 'mermaid could not be loaded', error);
      return;
    }
    // Labels are measured as they will be shown: in the slide's fonts.
    await document.fonts.ready;
    const copy = this.#stageCopy(job);
    try {
      const { svg } = await mermaid.render(`labdeck-diagram-${++this.#nextId}`, text, copy.target);
      // mermaid's SVG, its labels sanitized by mermaid itself (securityLevel strict).
      job.pre.innerHTML = svg;
      job.pre.dataset.labdeckDiagram = 'drawn';
    } catch (error) {
      showError(job.pre, 'This diagram has an error', error);
    } finally {
      copy.stage.remove();
    }
  }

  /** An unscaled, invisible copy of the job's slide in the slides' box, and the diagram's place in it. */
  #stageCopy(job: Job): { stage: HTMLElement; target: HTMLElement } {
    const stage = document.createElement('div');
    stage.className = 'labdeck-diagram-stage';
    stage.setAttribute('aria-hidden', 'true');
    const slide = job.container.firstElementChild;
    const position = [...job.container.querySelectorAll(diagramSelector)].indexOf(job.pre);
    if (slide) stage.append(slide.cloneNode(true));
    // The copy's ids (headings, earlier diagrams) must not be found instead of the slide's while it exists.
    for (const element of stage.querySelectorAll('[id]')) element.removeAttribute('id');
    this.#slidesRoot.append(stage);
    const target = stage.querySelectorAll<HTMLElement>(diagramSelector)[position] ?? stage;
    return { stage, target };
  }

  #load(): Promise<Mermaid> {
    this.#mermaid ??= new Promise<Mermaid>((resolve, reject) => {
      const script = document.createElement('script');
      script.src = new URL(mermaidScript, this.#scriptUrl).href;
      script.addEventListener('load', () => {
        const mermaid = (window as unknown as { mermaid?: Mermaid }).mermaid;
        if (!mermaid) return reject(new Error(`${script.src} did not define mermaid`));
        // strict: labels are sanitized and click handlers ignored; errors are thrown (shown by us, readable) rather
        // than drawn as mermaid's bomb picture.
        mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', suppressErrorRendering: true });
        resolve(mermaid);
      });
      script.addEventListener('error', () => reject(new Error(`cannot load ${script.src}`)));
      document.head.append(script);
    });
    return this.#mermaid;
  }

  #publishState(): void {
    let state: DiagramsState = 'drawing';
    if (this.#diagramSlides.length === 0) state = 'none';
    else if (this.#failed) state = 'failed';
    else if (!this.#drawing && this.#queue.length === 0 && this.#diagramSlides.every((index) => this.#builtSlides.has(index))) state = 'ready';
    document.documentElement.dataset.labdeckDiagrams = state;
  }
}

/**
 * The diagram's text as mermaid's own `run()` reads a block: its HTML with character references decoded (a
 * textarea decodes them and leaves tags as text), without the indentation its lines share, trimmed.
 */
function diagramText(pre: HTMLElement): string {
  const decoder = document.createElement('textarea');
  decoder.innerHTML = pre.innerHTML;
  const lines = decoder.value.split('\n');
  const indents = lines.filter((line) => line.trim() !== '').map((line) => /^[ \t]*/.exec(line)?.[0].length ?? 0);
  const common = indents.length ? Math.min(...indents) : 0;
  return lines
    .map((line) => line.slice(Math.min(common, /^[ \t]*/.exec(line)?.[0].length ?? 0)))
    .join('\n')
    .trim();
}

/** The diagram's place shows what went wrong, in words (`labdeck lint` gives the chapter's line). */
function showError(pre: HTMLElement, title: string, error: unknown): void {
  const box = document.createElement('div');
  box.className = 'labdeck-diagram-error';
  box.setAttribute('role', 'note');
  const heading = document.createElement('strong');
  heading.textContent = title;
  const message = document.createElement('div');
  message.className = 'labdeck-diagram-error-message';
  message.textContent = error instanceof Error ? error.message : String(error);
  const hint = document.createElement('div');
  hint.textContent = 'labdeck lint names its line in the chapter.';
  box.append(heading, message, hint);
  pre.replaceChildren(box);
  pre.dataset.labdeckDiagram = 'error';
}
