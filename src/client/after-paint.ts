// Scheduling for work that must not delay the first slide: sockets, the terminals bundle, slides not yet on screen.

/**
 * Runs `task` once the page's next frame is on screen: the frame is painted after the first requestAnimationFrame
 * and shown by the time of the second. A hidden page paints no frames (and its sockets must still open): then at
 * once, in a task of its own.
 */
export function afterNextPaint(task: () => void): void {
  if (document.visibilityState === 'hidden') setTimeout(task, 0);
  else requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(task, 0)));
}

/** How long an idle period still lasts, in ms. */
export interface IdleDeadline {
  timeRemaining(): number;
}

/** Runs `task` when the page is idle; without requestIdleCallback (Safari), soon, with a short slice of time. */
export function whenIdle(task: (deadline: IdleDeadline) => void): void {
  if (typeof requestIdleCallback === 'function') {
    requestIdleCallback(task, { timeout: 1000 });
    return;
  }
  setTimeout(() => {
    const end = performance.now() + 8;
    task({ timeRemaining: () => Math.max(0, end - performance.now()) });
  }, 16);
}
