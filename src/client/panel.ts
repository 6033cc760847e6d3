// A panel over the slides (help, overview): hidden until opened, closed by Esc through the presentation. Opening it
// gives it the keyboard (a screen reader then reads it); closing it gives the keyboard back to where it was. While it
// has the keyboard, the scrolling keys scroll it (a long help at 200% zoom) instead of moving the slides behind it.
const scrollKeys = new Set(['ArrowUp', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End', ' ']);

export class Panel {
  readonly element: HTMLElement;
  #returnFocus: HTMLElement | undefined;

  constructor(className: string, label: string) {
    this.element = document.createElement('div');
    this.element.className = `labdeck-panel ${className}`;
    this.element.setAttribute('role', 'dialog');
    this.element.setAttribute('aria-label', label);
    this.element.hidden = true;
    this.element.tabIndex = 0;
    this.element.addEventListener('keydown', (event) => {
      if (scrollKeys.has(event.key)) event.stopPropagation();
    });
    document.body.append(this.element);
  }

  get open(): boolean {
    return !this.element.hidden;
  }

  toggle(open = !this.open): void {
    if (open === this.open) return;
    if (open) {
      this.#returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
      this.element.hidden = false;
      this.element.focus();
      return;
    }
    const hadFocus = this.element.contains(document.activeElement);
    this.element.hidden = true;
    // A hidden element keeps the focus until the next frame in Chromium: keys typed meanwhile would go nowhere.
    if (hadFocus && this.#returnFocus?.isConnected) this.#returnFocus.focus();
    else if (hadFocus && document.activeElement instanceof HTMLElement) document.activeElement.blur();
    this.#returnFocus = undefined;
  }
}
