// The deck page's entry point: reads the deck the server embedded, shows it, wires keys, hash and live reload.
// What the first slide does not need (sockets, the terminals bundle, slides further away) waits until it is painted.
import { pageDataElementId, type DeckJson, type PageData } from '../protocol.ts';
import { Slideshow } from './slideshow.ts';
import { ErrorOverlay } from './overlay.ts';
import { connectLiveReload } from './live-reload.ts';
import { loadTerminalsBundle } from './terminals-loader.ts';
import { startPresentation } from './presentation.ts';
import { StepBadges } from './step-badges.ts';
import { afterNextPaint } from './after-paint.ts';
import { takeLinkToken } from './link-token.ts';
import { pageElement } from './page-element.ts';
import { Diagrams } from './diagrams.ts';
import { isPlainView, markPlainView } from './plain.ts';
import { applyDeckLook } from './deck-look.ts';

/** Read while this script runs: `document.currentScript` is null afterwards. */
const scriptUrl = (document.currentScript as HTMLScriptElement).src;

function start(): void {
  // First: the token leaves the address bar before the page is seen (or projected).
  const token = takeLinkToken();
  const data = JSON.parse(pageElement(pageDataElementId).textContent ?? '') as PageData;
  const slidesRoot = pageElement('labdeck-slides');
  // `?plain` (plain.ts): the slides alone, none of labdeck's interface around or on them.
  const plain = isPlainView();
  if (plain) markPlainView();
  const slideshow = new Slideshow(slidesRoot);
  const overlay = plain ? undefined : new ErrorOverlay();
  let version = data.deck.version;
  // Live step results need the server: a static export shows no badges.
  const badges = data.live && !plain ? new StepBadges() : undefined;
  if (badges) {
    slideshow.addDecorator((container, index) => badges.decorate(container, index));
    slideshow.onShow((index) => badges.slideShown(index));
  }

  // mermaid diagrams (`<pre class="mermaid">`), drawn as their slides are built; mermaid loads only for them.
  const diagrams = new Diagrams(slidesRoot, scriptUrl);
  slideshow.addDecorator((container, index) => diagrams.decorate(container, index));
  slideshow.onShow((index) => diagrams.slideShown(slideshow.slideElement(index)));

  const show = (deck: DeckJson): void => {
    version = deck.version;
    document.title = deck.title;
    applyDeckLook(deck.look);
    badges?.update(deck);
    diagrams.update(deck);
    slideshow.update(deck);
    overlay?.show(deck.error);
  };
  show(data.deck);
  slideshow.goToHash(location.hash);

  // Keys, presenter view, follow-me, printing: src/client/presentation.ts.
  startPresentation(slideshow, { live: data.live, token });
  // Links between slides (`[see](#toc-part-1)`) and hand-edited URLs change the hash.
  window.addEventListener('hashchange', () => slideshow.goToHash(location.hash));
  window.addEventListener('resize', () => slideshow.rescale());

  afterNextPaint(() => {
    if (data.live) connectLiveReload({ version: () => version, onDeck: show });
    badges?.connect();
    // The terminal pane (when the workshop has terminals) and Run/Copy buttons on hands-on code blocks.
    if (!plain) {
      loadTerminalsBundle(scriptUrl)
        .then((terminals) => {
          terminals.installReplayEmbeds(slidesRoot, data.casts);
          return terminals.startTerminals(slidesRoot, data.live, token);
        })
        .then(() => {
          document.documentElement.dataset.labdeckTerminals = 'ready';
        })
        .catch((error: unknown) => console.error(error));
    }
    // Ready once the page's channels are opening too (tests and `labdeck pdf` wait for this), as it was when they
    // opened before the first paint.
    document.documentElement.dataset.labdeckReady = 'true';
  });
}

start();
