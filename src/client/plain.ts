// `?plain`: the slides alone, without labdeck's interface (no terminal pane, step badges, Run/Copy buttons, follow-me
// badge nor error overlay), the shown slide scaled to the window without a shadow: in a window of the deck's ratio
// a screenshot is the slide and nothing else. For pictures of slides and for the visual comparison with remark.js
// (bench/visual.ts). Keys and `#N` still move between slides; live reload still follows edits.

/** The page was opened with `?plain`. */
export function isPlainView(): boolean {
  return new URLSearchParams(location.search).has('plain');
}

/** Marks the page so that its styles (public/presentation.css) drop what surrounds the slides. */
export function markPlainView(): void {
  document.documentElement.classList.add('labdeck-plain');
}
