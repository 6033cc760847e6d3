// The markers on a replay's timeline as ONE drawing (a canvas under the scrubber): slide changes blue, commands and
// checks green or red by outcome, grey when unknown. One element, whatever their number: a button per marker cost the
// replay page 11-14 ms to build for an hour with 320 of them, 80-120 ms with 3,200, and then their layout
// (bench/replay.ts, timed in the page).
// A click at (or within a few pixels of) a marker seeks there; hovering one shows its label. The drawing is hidden
// from assistive technology: the scrubber names the marker at its position and PageUp/PageDown go from one to the
// next (replay-controls.ts), which is how a keyboard or a screen reader reaches them.
import { markerNear, type Marker } from './replay-timeline.ts';

/** Colours keep at least 3:1 against the controls' background (#2b2b2b); the words are in the scrubber's text. */
const colours = { slide: '#8ab4f8', ok: '#5bd16a', failed: '#ff6b5e', neutral: '#9aa0a6', edge: '#111111' } as const;
/** A marker's size (CSS pixels): as wide as the buttons were, as tall as the strip. */
const markerWidth = 8;
const stripHeight = 12;
/** A click this close to a marker (CSS pixels) is on it: markers are small, pointers are not. */
const pickPixels = 6;
/**
 * Where markers overlap (a command a second after another is 1-2 pixels away on an hour), the later layer is on top:
 * slide moves, then checks, then commands, then whatever failed, the thing an instructor looks for.
 */
const layerOf = (marker: Marker): number => (marker.tone === 'failed' ? 3 : marker.kind === 'command' ? 2 : marker.kind === 'check' ? 1 : 0);
const layers = 4;

export class MarkerStrip {
  readonly element: HTMLCanvasElement;
  readonly #markers: readonly Marker[];
  readonly #duration: number;

  /** `markers` by time; `onPick` gets the one a click lands on. */
  constructor(markers: readonly Marker[], duration: number, onPick: (marker: Marker) => void) {
    this.#markers = markers;
    this.#duration = Math.max(duration, 1);
    this.element = document.createElement('canvas');
    this.element.className = 'labdeck-replay-markers';
    this.element.setAttribute('aria-hidden', 'true');
    this.element.addEventListener('click', (event) => {
      const marker = this.#markerAt(event.offsetX);
      if (marker) onPick(marker);
    });
    this.element.addEventListener('mousemove', (event) => {
      const marker = this.#markerAt(event.offsetX);
      this.element.title = marker?.label ?? '';
      this.element.style.cursor = marker ? 'pointer' : '';
    });
    // Drawn once it has a size (the observer's first call comes after the first layout, before that frame's paint),
    // and again when it changes: no layout forced while the page is built.
    new ResizeObserver(() => this.#draw()).observe(this.element);
  }

  /**
   * The marker a pointer at `x` is on: the one drawn on top there (markers a few ms apart share a pixel: the click
   * gets the one the person sees), else the nearest within pickPixels.
   */
  #markerAt(x: number): Marker | undefined {
    const width = this.element.clientWidth;
    if (width === 0) return undefined;
    const msPerPixel = this.#duration / width;
    const t = x * msPerPixel;
    let under: Marker | undefined;
    for (const marker of this.#markers) {
      if (Math.abs(marker.t - t) <= (markerWidth / 2) * msPerPixel && (!under || layerOf(marker) >= layerOf(under))) under = marker;
    }
    return under ?? markerNear(this.#markers, t, pickPixels * msPerPixel);
  }

  #draw(): void {
    const canvas = this.element;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.round(canvas.clientWidth * ratio);
    const height = Math.round(stripHeight * ratio);
    if (width === 0) return;
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d');
    if (!context) return;
    const markerPixels = markerWidth * ratio;
    for (let layer = 0; layer < layers; layer++) {
      for (const marker of this.#markers) {
        if (layerOf(marker) !== layer) continue;
        const x = (marker.t / this.#duration) * width;
        context.fillStyle = colours.edge;
        if (marker.kind === 'check') {
          // Round, as the check buttons were: told apart from a command of the same colour by its shape.
          context.beginPath();
          context.arc(x, height / 2, Math.min(markerPixels * 0.65, height / 2), 0, 2 * Math.PI);
          context.fill();
          context.fillStyle = colourOf(marker);
          context.beginPath();
          context.arc(x, height / 2, Math.min(markerPixels * 0.65, height / 2) - ratio, 0, 2 * Math.PI);
          context.fill();
        } else {
          context.fillRect(x - markerPixels / 2, 0, markerPixels, height);
          context.fillStyle = colourOf(marker);
          context.fillRect(x - markerPixels / 2 + ratio, ratio, markerPixels - 2 * ratio, height - 2 * ratio);
        }
      }
    }
  }
}

function colourOf(marker: Marker): string {
  return marker.kind === 'slide' ? colours.slide : colours[marker.tone];
}
