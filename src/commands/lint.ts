// `labdeck lint`: every diagnostic of a workshop as `file:line: message`, its mermaid diagrams' syntax and its check
// specs' included; exit 1 when one is an error.
import { byLocation, readWorkshopForLint } from '../workshop/load-deck.ts';
import { diagramDiagnostics } from '../workshop/diagram-syntax.ts';
import { checkSpecDiagnostics } from '../workshop/workshop-checks.ts';
import { openRenderCache } from '../workshop/render-cache.ts';
import { formatDiagnostic, type Diagnostic } from '../deck/index.ts';
import { LabdeckError } from '../errors.ts';
import { describeLabdeckError, displayPath, workshopPathArg, type Command } from './command.ts';

export const lintCommand: Command = {
  synopsis: 'lint [workshop.yml]',
  options: {},
  async run(args, context) {
    const manifest = workshopPathArg(args, context.cwd);
    let diagnostics: Diagnostic[];
    try {
      const deck = readWorkshopForLint(manifest);
      diagnostics = [
        ...deck.diagnostics,
        ...(await diagramDiagnostics(deck.diagrams)),
        ...(await checkSpecDiagnostics(manifest, openRenderCache(context.renderCacheDir))),
      ].sort(byLocation);
    } catch (error) {
      // A manifest that cannot even be read or parsed is one error, reported the same way.
      if (!(error instanceof LabdeckError)) throw error;
      context.stdout(`${describeLabdeckError(error, context.cwd)}\n`);
      return 1;
    }
    for (const diagnostic of diagnostics) {
      const severity = diagnostic.severity === 'warning' ? ' (warning)' : '';
      const location = { ...diagnostic.location, file: displayPath(diagnostic.location.file, context.cwd) };
      context.stdout(`${formatDiagnostic({ ...diagnostic, location })}${severity}\n`);
    }
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
    const warnings = diagnostics.length - errors;
    context.stderr(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
    return errors > 0 ? 1 : 0;
  },
};
