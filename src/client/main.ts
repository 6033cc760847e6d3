// The deck page's entry point: reads the deck the server embedded, shows it, wires keys, hash and live reload.
import { pageDataElementId, type DeckJson, type PageData } from '../protocol.ts';
import { Slideshow } from './slideshow.ts';
import { ErrorOverlay } from './overlay.ts';
import { connectLiveReload } from './live-reload.ts';

const nextKeys = new Set(['ArrowRight', 'ArrowDown', 'PageDown', ' ']);
const previousKeys = new Set(['ArrowLeft', 'ArrowUp', 'PageUp']);

function start(): void {
  const data = JSON.parse(document.getElementById(pageDataElementId)!.textContent!) as PageData;
  const slideshow = new Slideshow(document.getElementById('labdeck-slides')!);
  const overlay = new ErrorOverlay();
  let version = data.deck.version;

  const show = (deck: DeckJson): void => {
    version = deck.version;
    document.title = deck.title;
    slideshow.update(deck);
    overlay.show(deck.error);
  };
  show(data.deck);
  slideshow.goToHash(location.hash);

  document.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || isEditable(event.target)) return;
    if (nextKeys.has(event.key)) slideshow.next();
    else if (previousKeys.has(event.key)) slideshow.previous();
    else if (event.key === 'Home') slideshow.goTo(0);
    else if (event.key === 'End') slideshow.goTo(slideshow.slideCount - 1);
    else return;
    event.preventDefault();
  });
  // Links between slides (`[see](#toc-part-1)`) and hand-edited URLs change the hash.
  window.addEventListener('hashchange', () => slideshow.goToHash(location.hash));
  window.addEventListener('resize', () => slideshow.rescale());

  if (data.live) connectLiveReload({ version: () => version, onDeck: show });
  document.documentElement.dataset.labdeckReady = 'true';
}

function isEditable(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

start();
