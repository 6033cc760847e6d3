// The elements the server's page templates write for the scripts (ids the page and its script agree on).

/** The page's element with this id; a missing one means page and script disagree: that is said, not a null later. */
export function pageElement(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`labdeck: the page has no #${id} element`);
  return found;
}
