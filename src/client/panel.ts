// A panel over the slides (help, overview): hidden until opened, closed by Esc through the presentation.
export class Panel {
  readonly element: HTMLElement;

  constructor(className: string, label: string) {
    this.element = document.createElement('div');
    this.element.className = `labdeck-panel ${className}`;
    this.element.setAttribute('role', 'dialog');
    this.element.setAttribute('aria-label', label);
    this.element.hidden = true;
    document.body.append(this.element);
  }

  get open(): boolean {
    return !this.element.hidden;
  }

  toggle(open = !this.open): void {
    this.element.hidden = !open;
  }
}
