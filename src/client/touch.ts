// Touch swipe on phones and tablets: a mostly horizontal swipe left = next slide, right = previous.
const minimumSwipePx = 50;

export function bindSwipe(target: HTMLElement, handlers: { readonly next: () => void; readonly previous: () => void }): void {
  let start: { x: number; y: number } | undefined;
  target.addEventListener(
    'touchstart',
    (event) => {
      const touch = event.touches[0];
      start = event.touches.length === 1 && touch ? { x: touch.clientX, y: touch.clientY } : undefined;
    },
    { passive: true },
  );
  target.addEventListener('touchend', (event) => {
    const touch = event.changedTouches[0];
    if (!start || !touch) return;
    const dx = touch.clientX - start.x;
    const dy = touch.clientY - start.y;
    start = undefined;
    if (Math.abs(dx) < minimumSwipePx || Math.abs(dx) < Math.abs(dy)) return;
    if (dx < 0) handlers.next();
    else handlers.previous();
  });
}
