// `labdeck slides`: the rendered slide list as JSON, for scripts, diffs and tests.
import { dirname } from 'node:path';
import { loadDeck } from '../workshop/load-deck.ts';
import { openRenderCache } from '../workshop/render-cache.ts';
import { slideRelativeToWorkshop, toSlideJson } from '../deck/deck-json.ts';
import { deckSelectionOptions, listOption, UsageError, workshopPathArg, type Command } from './command.ts';

export const slidesCommand: Command = {
  synopsis: 'slides [workshop.yml] --json [--exclude a,b] [--only a,b]',
  options: {
    json: { type: 'boolean', description: 'print JSON (the only format so far, required so that a later text format is not a breaking change)' },
    ...deckSelectionOptions,
  },
  async run(args, context) {
    if (args.values.json !== true) throw new UsageError('--json is required (JSON is the only output format)');
    const manifest = workshopPathArg(args, context.cwd);
    const { deck } = await loadDeck(
      manifest,
      { exclude: listOption(args, 'exclude'), only: listOption(args, 'only') },
      openRenderCache(context.renderCacheDir),
      context.repository,
    );
    // Named as /deck.json names them: relative to the workshop folder, the same on every machine.
    const slides = deck.slides.map((slide) => slideRelativeToWorkshop(toSlideJson(slide), dirname(manifest)));
    context.stdout(`${JSON.stringify(slides, null, 2)}\n`);
    return 0;
  },
};
