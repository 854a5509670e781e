import { type ConfigProblem, formatProblem } from '../config/problem.js';
import { UserError } from '../errors.js';
import { plural } from '../plural.js';

// Its own small module so that main.ts can recognise it without loading the config loader.
/** An invalid config: one error listing every problem, which keeps them as data for annotations. */
export class ConfigInvalidError extends UserError {
  constructor(
    readonly problems: readonly ConfigProblem[],
    path: string,
    notes: readonly string[] = [],
  ) {
    super(
      'config_invalid',
      `${[...problems.map(formatProblem), ...notes].join('\n')}\n\n${path} is invalid: ${plural(problems.length, 'problem')}. Nothing was done.`,
    );
  }
}
