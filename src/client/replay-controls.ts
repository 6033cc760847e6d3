// The player's controls, for the replay page and for recordings embedded in slides: play/pause, the time, a
// scrubber, the speed (1×–16×) and, when given, markers on the timeline (slide changes, commands green or red by exit
// code, check transitions): one drawing under the scrubber (replay-markers.ts) that seeks when clicked at a marker.
// Keys inside `keyScope`: Space plays or pauses, ← → go 5 s back or forward, + and - change the speed, PageUp/PageDown
// go to the previous/next marker; the scrubber's spoken value names the marker it is on, so a keyboard and a screen
// reader reach every marker through the one control. Keys it handles stop there: on a deck page they are the
// slideshow's otherwise.
import type { ReplayPlayer } from './replay-player.ts';
import { MarkerStrip } from './replay-markers.ts';
import { formatTime, markersAt, neighbourMarker, replaySpeeds, type Marker } from './replay-timeline.ts';

export interface ReplayControlsOptions {
  readonly markers?: readonly Marker[];
  /** What the controls are for, for screen readers ("Replay of alice", "Recording demo.cast"). */
  readonly label: string;
  /** Where the keys work: the whole page (replay page) or the embed's own element (a slide). */
  readonly keyScope: HTMLElement | Document;
}

/** ← and → move this far (ms). */
const arrowStepMs = 5000;
/**
 * The scrubber's range, in thousandths of the recording: a range in milliseconds with a useful step could not reach
 * the end of a recording whose length is not a multiple of the step (a 683 ms demo, with a 1 s step, not at all).
 */
const scrubberSteps = 1000;
/** Ids for the scrubbers' hints (a deck may embed several players). */
let hints = 0;

export class ReplayControls {
  readonly element: HTMLElement;
  readonly #player: ReplayPlayer;
  readonly #markers: readonly Marker[];
  readonly #play: HTMLButtonElement;
  readonly #time: HTMLElement;
  readonly #scrubber: HTMLInputElement;
  readonly #speed: HTMLSelectElement;

  constructor(player: ReplayPlayer, options: ReplayControlsOptions) {
    this.#player = player;
    // By time (stable: markers of one moment keep their order), for the lookups of replay-timeline.ts.
    this.#markers = [...(options.markers ?? [])].sort((a, b) => a.t - b.t);
    this.element = element('div', 'labdeck-replay-controls');
    this.element.setAttribute('role', 'group');
    this.element.setAttribute('aria-label', `${options.label}: playback`);

    this.#play = element('button', 'labdeck-replay-play');
    this.#play.type = 'button';
    this.#play.addEventListener('click', () => player.toggle());

    this.#time = element('span', 'labdeck-replay-time');

    this.#scrubber = element('input', 'labdeck-replay-scrubber');
    this.#scrubber.type = 'range';
    this.#scrubber.min = '0';
    this.#scrubber.max = String(scrubberSteps);
    this.#scrubber.step = '1';
    this.#scrubber.setAttribute('aria-label', 'Position');
    this.#scrubber.addEventListener('input', () => void player.seek((Number(this.#scrubber.value) / scrubberSteps) * player.duration));

    const speedLabel = element('label', 'labdeck-replay-speed');
    speedLabel.append('Speed ');
    this.#speed = element('select', '');
    for (const speed of replaySpeeds) this.#speed.append(new Option(`${speed}×`, String(speed)));
    this.#speed.addEventListener('change', () => player.setSpeed(Number(this.#speed.value)));
    speedLabel.append(this.#speed);

    const timeline = element('div', 'labdeck-replay-timeline');
    timeline.append(this.#scrubber);
    if (this.#markers.length > 0) {
      this.#scrubber.setAttribute('aria-keyshortcuts', 'PageUp PageDown');
      const hint = element('span', 'labdeck-sr-only');
      hint.id = `labdeck-replay-markers-hint-${++hints}`;
      hint.textContent = `${this.#markers.length} moments (slide changes, commands, checks): PageDown goes to the next, PageUp to the previous.`;
      this.#scrubber.setAttribute('aria-describedby', hint.id);
      timeline.append(new MarkerStrip(this.#markers, player.duration, (marker) => void player.seek(marker.t)).element, hint);
    }
    this.element.append(this.#play, this.#time, timeline, speedLabel);

    options.keyScope.addEventListener('keydown', (event) => this.#onKey(event as KeyboardEvent));
    player.onChange(() => this.#show());
    this.#show();
  }

  #show(): void {
    const player = this.#player;
    this.#play.textContent = player.playing ? '❚❚' : '▶';
    this.#play.setAttribute('aria-label', player.playing ? 'Pause' : 'Play');
    // The exact position, for tests and tools (the scrubber's value is rounded to its step).
    this.element.dataset.position = String(Math.round(player.position));
    const at = `${formatTime(player.position)} / ${formatTime(player.duration)}`;
    this.#time.textContent = at;
    // The scrubber follows the player, unless a person is dragging it.
    if (document.activeElement !== this.#scrubber || !player.playing)
      this.#scrubber.value = String(Math.round((player.position / Math.max(player.duration, 1)) * scrubberSteps));
    const here = markersAt(this.#markers, player.position)
      .map((marker) => `, ${marker.label}`)
      .join('');
    this.#scrubber.setAttribute('aria-valuetext', `${formatTime(player.position)} of ${formatTime(player.duration)}${here}`);
    if (this.#speed.value !== String(player.speed)) this.#speed.value = String(player.speed);
  }

  #onKey(event: KeyboardEvent): void {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target instanceof Element ? event.target : null;
    const onControl = target?.closest('button, select, a[href]') !== null && target !== null;
    const onScrubber = target === this.#scrubber;
    const player = this.#player;
    let handled = true;
    if (event.key === ' ' && !onControl) player.toggle();
    else if (event.key === 'ArrowLeft' && !onScrubber && !(target instanceof HTMLSelectElement)) void player.seek(player.position - arrowStepMs);
    else if (event.key === 'ArrowRight' && !onScrubber && !(target instanceof HTMLSelectElement)) void player.seek(player.position + arrowStepMs);
    else if (event.key === '+' || event.key === '=') player.stepSpeed(1);
    else if (event.key === '-' || event.key === '_') player.stepSpeed(-1);
    else if (event.key === 'PageDown' || event.key === 'PageUp') this.#jumpMarker(event.key === 'PageDown' ? 1 : -1);
    else handled = onScrubber && /^Arrow|^Home$|^End$/.test(event.key); // the scrubber's own keys: not the slideshow's
    if (!handled) return;
    // On the scrubber, its own keys keep their default; PageUp/PageDown (a tenth of the range there) are the markers'.
    if (!onScrubber || event.key === ' ' || event.key === 'PageUp' || event.key === 'PageDown') event.preventDefault();
    event.stopPropagation();
  }

  #jumpMarker(direction: 1 | -1): void {
    const marker = neighbourMarker(this.#markers, this.#player.position, direction);
    if (marker) void this.#player.seek(marker.t);
  }
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  if (className) created.className = className;
  return created;
}
