// The terminals (xterm.js, the pane, Run/Copy buttons) are a bundle of their own, loaded once the first slide is on
// screen: evaluating xterm.js before would delay that slide. A classic script, not `import()`: the static export is
// opened from file://, where module scripts are refused.
import type { startTerminals } from './terminals.ts';
import type { installReplayEmbeds } from './replay-embed.ts';

/** What src/client/terminals-bundle.ts puts on `window`. */
export interface TerminalsBundle {
  readonly startTerminals: typeof startTerminals;
  /** Recordings embedded in slides (`.replay[demo.cast]`) play in xterm.js too. */
  readonly installReplayEmbeds: typeof installReplayEmbeds;
}

export const terminalsBundleGlobal = 'labdeckTerminals';
/** Built by scripts/build-client.mjs beside the page's main script. */
const terminalsBundleFile = 'labdeck-terminals.js';

/** Loads the terminals bundle from beside `mainScriptUrl` (the page's labdeck.js). */
export function loadTerminalsBundle(mainScriptUrl: string): Promise<TerminalsBundle> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = new URL(terminalsBundleFile, mainScriptUrl).href;
    script.addEventListener('load', () => {
      const bundle = (window as unknown as Record<string, TerminalsBundle>)[terminalsBundleGlobal];
      if (bundle) resolve(bundle);
      else reject(new Error(`labdeck: ${script.src} did not define ${terminalsBundleGlobal}`));
    });
    script.addEventListener('error', () => reject(new Error(`labdeck: cannot load ${script.src}`)));
    document.body.append(script);
  });
}
