// A polite live region: what it is told is read by screen readers once they are idle, never interrupting. Visually
// hidden (`.labdeck-sr-only`). One per kind of news (slide changes, check results), so that one does not cut off the
// other when both happen at once (a Run button moves nothing, but a follow-me move and a check can coincide).
export class Announcer {
  readonly element: HTMLElement;

  /** `kind` names the region for tests and styles (`data-announces`). */
  constructor(kind: string, parent: HTMLElement = document.body) {
    this.element = document.createElement('div');
    this.element.className = 'labdeck-announcer labdeck-sr-only';
    this.element.dataset.announces = kind;
    this.element.setAttribute('role', 'status');
    this.element.setAttribute('aria-live', 'polite');
    parent.append(this.element);
  }

  say(text: string): void {
    this.element.textContent = text;
  }
}
