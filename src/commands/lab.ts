// `labdeck lab up|down`: prepares (or removes) what the sample workshop needs on the local engine, offline. Both also
// remove what the workshop's own steps created (read from its deck): up, so that it can be played again; down, so that
// nothing of the workshop is left.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { labDown, labUp } from '../lab/lab.ts';
import { objectsCreatedBy } from '../lab/workshop-objects.ts';
import { loadDeck } from '../workshop/load-deck.ts';
import { stringOption, UsageError, type Command } from './command.ts';
import { connectLocalEngine } from './local-engine.ts';

export const labCommand: Command = {
  synopsis: 'lab up|down [workshop.yml] [options]',
  options: {
    'rng-replicas': { type: 'string', valueName: 'N', description: 'replicas of rng (default 5: `drill tasks.rng` lists five addresses)' },
    mirror: { type: 'string', valueName: 'URL', description: "Debian mirror for building the toolbox image (debootstrap's default otherwise)" },
    images: { type: 'boolean', description: 'down: also remove the lab images (kept by default as a build cache)' },
  },
  async run(args, context) {
    const [action, ...rest] = args.positionals;
    if (action !== 'up' && action !== 'down') throw new UsageError(action ? `unknown action '${action}': up or down` : 'say up or down');
    if (rest.length > 1) throw new UsageError(`unexpected argument '${rest[1]}'`);
    const replicasText = stringOption(args, 'rng-replicas');
    const rngReplicas = replicasText === undefined ? undefined : Number(replicasText);
    if (rngReplicas !== undefined && (!Number.isInteger(rngReplicas) || rngReplicas < 1 || rngReplicas > 20)) {
      throw new UsageError(`--rng-replicas must be a whole number from 1 to 20, not '${replicasText}'`);
    }
    // The workshop's steps say what they create; without a workshop.yml here (and none named), there is none to reset.
    const manifest = resolve(context.cwd, rest[0] ?? 'workshop.yml');
    const workshopObjects = rest[0] !== undefined || existsSync(manifest) ? objectsCreatedBy((await loadDeck(manifest)).deck.steps) : [];
    const docker = connectLocalEngine(context);
    const started = Date.now();
    const log = (line: string): void => context.stdout(`[lab ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}\n`);
    try {
      if (action === 'up') {
        const mirror = stringOption(args, 'mirror');
        await labUp(docker, { log, workshopObjects, ...(rngReplicas === undefined ? {} : { rngReplicas }), ...(mirror === undefined ? {} : { mirror }) });
      } else {
        await labDown(docker, { log, workshopObjects, removeImages: args.values.images === true });
      }
    } catch (problem) {
      context.stderr(`labdeck lab ${action}: ${(problem as Error).message}\n`);
      return 1;
    }
    return 0;
  },
};
