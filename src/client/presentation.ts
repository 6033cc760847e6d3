// What turns slides into a presentation: remark.js's keys and modes (blackout, mirror, fullscreen, clone, presenter
// view, timer, help), touch swipe, the slide finder, printing, windows kept in sync and the follow-me channel.
// Moves the person makes are told to the other windows and, when leading, to the followers; moves that come from
// them are applied without being echoed back.
import { bindKeys, type KeyAction } from './keyboard.ts';
import { createHelp } from './help.ts';
import { SlideOverview } from './overview.ts';
import { PresenterView } from './presenter.ts';
import { PresentationTimer } from './timer.ts';
import { WindowSync, type SyncMessage } from './window-sync.ts';
import { FollowMe } from './follow.ts';
import { bindSwipe } from './touch.ts';
import { installPrint, isPrintView } from './print.ts';
import { afterNextPaint } from './after-paint.ts';
import { withLinkToken } from './link-token.ts';
import { Announcer } from './announcer.ts';
import { isPlainView } from './plain.ts';
import type { Slideshow } from './slideshow.ts';

export interface PresentationOptions {
  /** A server is there (not a static export): follow-me is available. */
  readonly live: boolean;
  /** The token the page's link brought (link-token.ts), if any. */
  readonly token?: string | undefined;
}

export function startPresentation(slideshow: Slideshow, options: PresentationOptions): void {
  const root = document.documentElement;
  const timer = new PresentationTimer();
  const presenter = new PresenterView(timer);
  const help = createHelp();
  const overview = new SlideOverview((index) => slideshow.goTo(index));
  const print = installPrint(slideshow);
  const sync = new WindowSync(location.pathname);
  const slideNews = new Announcer('slides');
  /** True while applying a move that came from another window or the leader. */
  let applyingRemote = false;

  const applyRemote = (index: number): void => {
    applyingRemote = true;
    try {
      slideshow.goTo(index);
    } finally {
      applyingRemote = false;
    }
  };
  /** Joins the follow-me channel after the first slide is painted (opening it costs more than showing the slide). */
  let follow: FollowMe | undefined;
  // The print layout is a document, not a slideshow: it follows no one. Nor does the plain view (no badge on it).
  if (options.live && !isPrintView() && !isPlainView()) {
    afterNextPaint(() => (follow = new FollowMe({ goTo: applyRemote, currentIndex: () => slideshow.current, token: options.token })));
  }

  const setBlackout = (on: boolean): void => {
    root.classList.toggle('labdeck-blackout', on);
  };
  const refresh = (): void => {
    // Only an open presenter view is kept up to date: copying the next slide on every move would slow moves down.
    const index = slideshow.current;
    if (presenter.open) presenter.render(slideshow.slides, slideshow.slideElement(index + 1), index, { width: slideshow.slideWidth, height: slideshow.slideHeight });
    root.dataset.labdeckSlide = String(index + 1);
  };
  const setPresenter = (open: boolean): void => {
    presenter.toggle(open);
    slideshow.hashPrefix = open ? 'p' : '';
    slideshow.syncHash();
    refresh();
  };

  slideshow.onShow((index, cause) => {
    refresh();
    if (cause === 'update') {
      overview.setSlides(slideshow.slides);
      print.refresh();
      return;
    }
    timer.slideChanged();
    // Said after every move, the person's or the leader's: the slide itself is not a live region (it would be read whole).
    slideNews.say(describeSlide(slideshow, index));
    if (applyingRemote) return;
    sync.post({ type: 'goto', index });
    follow?.userMoved(index);
  });

  sync.onMessage = (message: SyncMessage) => {
    if (message.type === 'blackout') return setBlackout(message.on);
    // The person moved in another window of this browser: they are browsing there, so this one stops following too.
    if (follow?.following) follow.toggle();
    applyRemote(message.index);
  };

  const actions: Record<KeyAction, () => void> = {
    previous: () => slideshow.previous(),
    next: () => slideshow.next(),
    first: () => slideshow.goTo(0),
    last: () => slideshow.goTo(slideshow.slideCount - 1),
    blackout: () => {
      setBlackout(!root.classList.contains('labdeck-blackout'));
      sync.post({ type: 'blackout', on: root.classList.contains('labdeck-blackout') });
    },
    mirror: () => root.classList.toggle('labdeck-mirrored'),
    fullscreen: () => {
      if (document.fullscreenElement) void document.exitFullscreen();
      else root.requestFullscreen().catch(() => {}); // refused (no user gesture, iframe): nothing to do
    },
    clone: () => {
      // The clone shows the audience view of the same slide; WindowSync keeps the two together from then on.
      window.open(`${location.pathname}${withLinkToken(location.search, options.token)}#${slideshow.current + 1}`, '_blank', 'location=no');
    },
    presenter: () => setPresenter(!presenter.open),
    resetTimer: () => {
      timer.reset();
      presenter.renderTime();
    },
    help: () => help.toggle(),
    overview: () => overview.toggle(),
    toggleFollow: () => follow?.toggle(),
    takeLead: () => follow?.takeLead(),
    close: () => {
      help.toggle(false);
      overview.toggle(false);
      setBlackout(false);
    },
  };
  bindKeys(document, { onAction: (action) => actions[action](), onNumber: (position) => slideshow.goTo(position - 1) });
  bindSwipe(document.body, { next: actions.next, previous: actions.previous });

  overview.setSlides(slideshow.slides);
  if (slideshow.hashPrefix === 'p') setPresenter(true);
  refresh();
}

/** "Slide 12 of 32: Entering the debug container": what a screen reader hears after a move. */
function describeSlide(slideshow: Slideshow, index: number): string {
  const heading = slideshow.slideElement(index)?.querySelector('h1, h2, h3, h4')?.textContent?.trim();
  const title = heading || slideshow.slides[index]?.name;
  return `Slide ${index + 1} of ${slideshow.slideCount}${title ? `: ${title}` : ''}`;
}
