// Printing: one slide per page, at the size the deck's stylesheet asks (`@page`, container.training's 1210×681) or
// else the slide's own, the slide scaled to fit it, with the notes below each slide when asked. `?print` shows that layout on screen (what `labdeck pdf` prints, add `&notes`
// for notes); Ctrl+P from the slideshow prints the same way.
import type { Slideshow } from './slideshow.ts';

export interface PrintLayout {
  /** Call after every deck update: pages follow the ratio, notes follow the slides. */
  refresh(): void;
}

/** `?print`: the page is the print layout (what `labdeck pdf` prints), not a live slideshow. */
export function isPrintView(): boolean {
  return new URLSearchParams(location.search).has('print');
}

export function installPrint(slideshow: Slideshow): PrintLayout {
  const root = document.documentElement;
  const withNotes = new URLSearchParams(location.search).has('notes');
  const style = document.createElement('style');
  document.head.append(style);
  const viewing = !isPrintView();
  if (!viewing) root.classList.add('labdeck-print');
  root.classList.toggle('labdeck-print-with-notes', withNotes && !viewing);
  // Printing from the slideshow: the same layout, for as long as the print dialog needs it.
  window.addEventListener('beforeprint', () => {
    if (!viewing) return;
    root.classList.add('labdeck-print');
    slideshow.buildAll();
  });
  window.addEventListener('afterprint', () => viewing && root.classList.remove('labdeck-print'));

  const refresh = (): void => {
    // Slides are built as needed (src/client/slideshow.ts); a printout needs every one.
    if (root.classList.contains('labdeck-print')) slideshow.buildAll();
    const slide = { width: slideshow.slideWidth, height: slideshow.slideHeight };
    const page = slideshow.pageSize ?? slide;
    const pageHeight = Math.ceil(page.height * (root.classList.contains('labdeck-print-with-notes') ? 2 : 1));
    style.textContent = `@page { size: ${page.width}px ${pageHeight}px; margin: 0; }`;
    root.style.setProperty('--labdeck-print-page-width', `${page.width}px`);
    root.style.setProperty('--labdeck-print-page-height', `${pageHeight}px`);
    root.style.setProperty('--labdeck-print-scale', String(Math.min(page.width / slide.width, page.height / slide.height)));
    if (!root.classList.contains('labdeck-print-with-notes')) return;
    slideshow.slides.forEach((slide, index) => {
      const container = slideshow.slideElement(index);
      if (!container) return; // each slide has its container
      let notes = container.querySelector<HTMLElement>(':scope > .labdeck-print-notes');
      if (!notes) {
        notes = document.createElement('div');
        notes.className = 'labdeck-print-notes';
        container.append(notes);
      }
      // The deck author's notes, rendered and sanitized by the server like the slides.
      notes.innerHTML = slide.notes;
    });
  };
  refresh();
  return { refresh };
}
