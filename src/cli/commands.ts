import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseShard, type Shard } from '../config/select.js';
import { CHECK_FORMATS } from './check-formats.js';
import { parseDuration, parsePositiveInt } from './durations.js';
import { type CommonOptions, DEFAULT_CONFIG_PATH } from './options.js';
import type { Output } from './output.js';

// Each command loads its implementation (pg, ajv, yaml, Ink...) only when it runs, so that
// `datalinks --version` and `datalinks validate` do not pay for what they do not use.

export type SetExitCode = (code: number) => void;

/** Runs the whole CLI on arguments (main.ts's main, passed in so that this module does not import it back). */
export type RunCli = (argv: string[], output: Output) => Promise<number>;

function withCommonOptions(command: Command): Command {
  return command
    .option('-c, --config <file>', 'the configuration file', DEFAULT_CONFIG_PATH)
    .option('-d, --database <alias>', 'only this database (repeatable)', collect, []);
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** --link and --shard: plan, apply and check. */
function withSelectionOptions(command: Command): Command {
  return command
    .option(
      '--link <name>',
      'only this link of the selected databases (repeatable): a targeted run reads and changes nothing else',
      collect,
      [],
    )
    .addOption(
      new Option('--shard <i/n>', "only the file's databases in shard I of N (a stable hash of each alias), for a CI job matrix").argParser(
        shardArgument,
      ),
    );
}

function shardArgument(value: string): Shard {
  const shard = parseShard(value);
  if (typeof shard === 'string') throw new InvalidArgumentError(shard);
  return shard;
}

function withConnectionOptions(
  command: Command,
  statementTimeout = { default: '5min', description: 'longest any one statement may run' },
): Command {
  return command
    .addOption(new Option('--connect-timeout <duration>', 'give up connecting after this long').default('10s').argParser(parseDuration))
    .addOption(
      new Option('--statement-timeout <duration>', statementTimeout.description).default(statementTimeout.default).argParser(parseDuration),
    )
    .addOption(new Option('--parallelism <n>', 'databases read and applied at once').default(4).argParser(parsePositiveInt));
}

export function registerCommands(program: Command, output: Output, setExitCode: SetExitCode, runCli: RunCli): void {
  withCommonOptions(program.command('validate').description('check the configuration file; connects to nothing')).action(
    async (options: CommonOptions) => {
      const { runValidateCommand } = await import('./validate-command.js');
      setExitCode(await runValidateCommand(options, output));
    },
  );

  withSelectionOptions(withConnectionOptions(withCommonOptions(program.command('plan').description('show what apply would change'))))
    .option('--json', 'print the plan as JSON')
    .option(
      '--markdown',
      'print the plan as GitHub-flavoured markdown for a pull request comment: databases whose changes read the same are one section with their count, and it is cut to fit 65,536 characters',
    )
    .option('--sql', 'also print the SQL (passwords masked)')
    .option('--out <file>', 'save the plan for `datalinks apply FILE`')
    .option('--detailed-exitcode', 'exit 2 when there are changes, 0 when there are none')
    .option('--adopt', 'take over hand-made servers whose names match links in the file')
    .action(async (options) => {
      const [{ runPlanCommand }, { runInterruptible }] = await Promise.all([import('./plan-command.js'), import('./interruptible.js')]);
      setExitCode(await runInterruptible(output, (signal) => runPlanCommand(options, output, signal)));
    });

  withSelectionOptions(
    withConnectionOptions(
      withCommonOptions(program.command('apply').description('plan, confirm, and apply in one transaction per database')),
    ),
  )
    .argument('[plan-file]', 'a plan saved with `datalinks plan --out`')
    .option('--auto-approve', 'do not ask for confirmation (required without a terminal)')
    .option('--no-verify', 'commit without proving each created or changed link from the local server')
    .option('--allow-dependent-drops', 'allow dropping objects outside the links that depend on them')
    .option('--adopt', 'take over hand-made servers whose names match links in the file')
    .addOption(new Option('--lock-timeout <duration>', 'how long to wait for a lock').default('10s').argParser(parseDuration))
    .action(async (planFile: string | undefined, options) => {
      const [{ runApplyCommand }, { runInterruptible }] = await Promise.all([import('./apply-command.js'), import('./interruptible.js')]);
      setExitCode(await runInterruptible(output, (signal) => runApplyCommand(planFile, options, output, signal)));
    });

  withConnectionOptions(
    withCommonOptions(
      program
        .command('destroy')
        .description('remove every managed link of the databases given with -d (offboarding): plan, confirm, apply'),
    ),
  )
    .option('--link <name>', 'only this link (repeatable)', collect, [])
    .option('--auto-approve', 'do not ask for confirmation (required without a terminal)')
    .option('--allow-dependent-drops', 'allow dropping objects outside the links that depend on them')
    .addOption(new Option('--lock-timeout <duration>', 'how long to wait for a lock').default('10s').argParser(parseDuration))
    .action(async (options) => {
      const [{ runDestroyCommand }, { runInterruptible }] = await Promise.all([
        import('./destroy-command.js'),
        import('./interruptible.js'),
      ]);
      setExitCode(await runInterruptible(output, (signal) => runDestroyCommand(options, output, signal)));
    });

  withConnectionOptions(withCommonOptions(program.command('export').description('print datalinks.yaml for the links that exist now')))
    .option(
      '--database-url <url>',
      'export this database, without a configuration file (also: DATABASE_URL when there is no ./datalinks.yaml); written as main, with url: ${DATABASE_URL}',
    )
    .action(async (options, command: Command) => {
      const [{ runExportCommand }, { runInterruptible }] = await Promise.all([import('./export-command.js'), import('./interruptible.js')]);
      const configGiven = command.getOptionValueSource('config') !== 'default';
      setExitCode(await runInterruptible(output, (signal) => runExportCommand({ ...options, configGiven }, output, signal)));
    });

  program
    .command('demo')
    .description('start an embedded PostgreSQL and walk through plan, apply, list and a query through a link')
    .action(async () => {
      const { runDemo } = await import('../demo/run-demo.js');
      setExitCode(await runDemo(runCli, output));
    });

  withSelectionOptions(
    withConnectionOptions(
      withCommonOptions(
        program.command('check').description("prove each link, and each role's user mapping of it, works from its local database server"),
      ),
      {
        default: '10s',
        description: 'longest any one probe may wait for a remote',
      },
    ),
  )
    .option('--json', 'print the result as JSON (--format json)')
    .addOption(
      new Option(
        '--format <format>',
        'text, json, or openmetrics (Prometheus text: per-link gauges for node_exporter or a push gateway)',
      ).choices(CHECK_FORMATS),
    )
    .option(
      '--out <file>',
      "write the result to FILE instead (atomically: a temp file renamed over it, as node_exporter's textfile collector needs)",
    )
    .option('--quiet', 'print only what is not ok (and the summary); --json and --format openmetrics are unaffected')
    .option(
      '--detailed-exitcode',
      'exit 2 when links work but differ from the file, 1 also when a link could not be compared with it (unknown)',
    )
    .action(async (options) => {
      const [{ runCheckCommand }, { runInterruptible }] = await Promise.all([import('./check-command.js'), import('./interruptible.js')]);
      setExitCode(await runInterruptible(output, (signal) => runCheckCommand(options, output, signal)));
    });

  withConnectionOptions(withCommonOptions(program.command('list').description('every foreign server per database, like heroku pg:links')))
    .option('--json', 'print as JSON')
    .action(async (options) => {
      const [{ runListCommand }, { runInterruptible }] = await Promise.all([import('./list-command.js'), import('./interruptible.js')]);
      setExitCode(await runInterruptible(output, (signal) => runListCommand(options, output, signal)));
    });
}
