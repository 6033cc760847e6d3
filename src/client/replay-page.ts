// The replay page (`/replay/<attendee>`, bundle build/replay.js): takes the attendee's Timeline (replay-fetch.ts) and
// plays it — the terminal in xterm.js beside the slide they were on at that moment, with the controls and markers of
// replay-controls.ts.
import type { Timeline } from '../protocol.ts';
import { fetchTimeline, replayPageData } from './replay-fetch.ts';
import { ReplayPlayer } from './replay-player.ts';
import { loadReplayXterm } from './replay-xterm-loader.ts';
import { ReplayControls } from './replay-controls.ts';
import { formatDate, formatTime, markersOf, slideAt, slidesOf, type SlideMoment } from './replay-timeline.ts';
import { createSlideContent, fitSlides, referenceSize } from './slideshow.ts';

const data = replayPageData();

const header = element('header', 'labdeck-replay-header');
const title = element('h1', '');
title.textContent = `Replay of ${data.attendee}`;
const about = element('p', 'labdeck-replay-about');
about.setAttribute('role', 'status');
about.textContent = 'Loading the recording…';
header.append(title, about);
const main = element('main', 'labdeck-replay-main');
document.body.append(header, main);

function start(timeline: Timeline): void {
  about.textContent = `Recorded ${formatDate(new Date(timeline.startedAt))}, ${formatTime(timeline.durationMs)} long.${timeline.inputRecorded ? ' Typed input was recorded too.' : ''}`;

  const slideSection = element('section', 'labdeck-replay-slide');
  slideSection.setAttribute('aria-label', 'The slide they were on');
  const slideBox = element('div', 'labdeck-replay-slide-box');
  const slideCaption = element('p', 'labdeck-replay-slide-caption');
  slideSection.append(slideBox, slideCaption);

  const terminalSection = element('section', 'labdeck-replay-terminal');
  terminalSection.setAttribute('aria-label', 'Their terminal');
  const terminalHost = element('div', 'labdeck-replay-xterm');
  const xterm = loadReplayXterm();
  xterm.catch((error: unknown) => showProblem(error));
  const player = new ReplayPlayer(terminalHost, timeline, xterm, { terminalWhenIdle: true });
  if (player.tracks.length > 1) {
    const label = element('label', 'labdeck-replay-terminal-choice');
    label.append('Terminal ');
    const select = element('select', '');
    for (const track of player.tracks) select.append(new Option(track.name, track.name));
    select.addEventListener('change', () => void player.selectTerminal(select.value));
    label.append(select);
    terminalSection.append(label);
  }
  terminalSection.append(terminalHost);
  main.append(slideSection, terminalSection);

  const controls = new ReplayControls(player, { markers: markersOf(timeline), label: `Replay of ${data.attendee}`, keyScope: document });
  const footer = element('footer', 'labdeck-replay-footer');
  footer.append(controls.element);
  document.body.append(footer);

  const slides = slidesOf(timeline);
  const { width, height } = referenceSize(data.deck);
  let shown: SlideMoment | undefined | null = null;
  const showSlide = (): void => {
    const moment = slideAt(slides, player.position);
    if (moment === shown) return;
    shown = moment;
    const slide = moment ? data.deck.slides[moment.slide] : undefined;
    const container = element('div', 'remark-slide-container remark-visible');
    if (slide) container.append(createSlideContent(slide));
    slideBox.replaceChildren(container);
    slideBox.dataset.slide = moment ? String(moment.slide) : '';
    slideCaption.textContent = !moment
      ? 'No slide yet.'
      : slide
        ? `Slide ${moment.slide + 1} of ${data.deck.slides.length}${moment.name ? ` (${moment.name})` : ''}`
        : `Slide ${moment.slide + 1}${moment.name ? ` (${moment.name})` : ''}: not in the deck as it is now.`;
  };
  player.onChange(showSlide);
  showSlide();
  // The box's scale holds for every slide shown in it: set when it is first laid out and when its size changes, by
  // the observer (after layout, before the paint). Fitted at each slide change, it forced a layout of the whole page
  // then: 40-50 ms of opening a replay, ~10 ms of a seek that changed the slide (bench/replay.ts, Chromium's profiler).
  new ResizeObserver(() => fitSlides(slideBox, width, height)).observe(slideBox);
  document.documentElement.dataset.labdeckReplay = 'ready';
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  if (className) created.className = className;
  return created;
}

function showProblem(error: unknown): void {
  about.textContent = error instanceof Error ? error.message : String(error);
  about.classList.add('labdeck-replay-problem');
  document.documentElement.dataset.labdeckReplay = 'failed';
}

fetchTimeline(data.attendee).then(start, showProblem);
