// The deck page's entry point: reads the deck the server embedded, shows it, wires keys, hash and live reload.
import { pageDataElementId, type DeckJson, type PageData } from '../protocol.ts';
import { Slideshow } from './slideshow.ts';
import { ErrorOverlay } from './overlay.ts';
import { connectLiveReload } from './live-reload.ts';
import { startTerminals } from './terminals.ts';
import { startPresentation } from './presentation.ts';
import { StepBadges } from './step-badges.ts';

function start(): void {
  const data = JSON.parse(document.getElementById(pageDataElementId)!.textContent!) as PageData;
  const slideshow = new Slideshow(document.getElementById('labdeck-slides')!);
  const overlay = new ErrorOverlay();
  let version = data.deck.version;
  // Live step results need the server: a static export shows no badges.
  const badges = data.live ? new StepBadges(document.getElementById('labdeck-slides')!) : undefined;

  const show = (deck: DeckJson): void => {
    version = deck.version;
    document.title = deck.title;
    slideshow.update(deck);
    badges?.update(deck);
    overlay.show(deck.error);
  };
  show(data.deck);
  slideshow.goToHash(location.hash);

  // Keys, presenter view, follow-me, printing: src/client/presentation.ts.
  startPresentation(slideshow, { live: data.live });
  // Links between slides (`[see](#toc-part-1)`) and hand-edited URLs change the hash.
  window.addEventListener('hashchange', () => slideshow.goToHash(location.hash));
  window.addEventListener('resize', () => slideshow.rescale());

  if (data.live) connectLiveReload({ version: () => version, onDeck: show });
  badges?.connect();
  // The terminal pane (when the workshop has terminals) and Run/Copy buttons on hands-on code blocks.
  void startTerminals(document.getElementById('labdeck-slides')!, data.live).then(() => {
    document.documentElement.dataset.labdeckTerminals = 'ready';
  });
  document.documentElement.dataset.labdeckReady = 'true';
}

start();
