/**
 * How a GitHub Actions runner reads what a step prints, written from its source (actions/runner, read
 * at 258d6c857db3519913f7deb6004b60172f8043ae), independently of datalinks' own escaping:
 * - src/Runner.Sdk/ProcessInvoker.cs reads stdout and stderr each with StreamReader.ReadLine: a line
 *   ends at CR, LF or CRLF.
 * - src/Runner.Worker/Handlers/OutputManager.cs hands every line to
 *   ActionCommandManager.TryProcessCommand (src/Runner.Worker/ActionCommandManager.cs), which tries
 *   ActionCommand.TryParseV2, then ActionCommand.TryParse (src/Runner.Common/ActionCommand.cs):
 *   - TryParseV2: `message.TrimStart()` must StartsWith `::`; the command info runs from index 2 to
 *     the next `::`; the name is the info up to its first space and must be registered (ignoring case);
 *     the properties `k=v` are split at `,`; the data is the rest, with %0D %0A %25 unescaped.
 *   - TryParse: the first `##[` anywhere in the line; the info runs to the next `]`; the name as above;
 *     the properties are split at `;`; the data is the rest, with %3B %0D %0A %5D %25 unescaped.
 * - The registered commands are `stop-commands` and the command extensions of ActionCommandManager.cs
 *   (add-mask, add-matcher, add-path, debug, echo, endgroup, error, group, notice, remove-matcher,
 *   save-state, set-env, set-output, warning; internal-set-repo-path for plugins); `::stop-commands::T`
 *   registers T, any text, until T is seen: so by default any non-empty name counts here.
 * - StartsWith and IndexOf(string) compare with the current culture (ICU on Linux), which passes over
 *   ignorable characters (`#\u200b#[` can match `##[`). This parser removes control, format and
 *   default-ignorable characters from the line before it looks: it finds every command the runner
 *   would, and some it would not.
 */

export const RUNNER_COMMANDS: ReadonlySet<string> = new Set([
  'stop-commands',
  'add-mask',
  'add-matcher',
  'add-path',
  'debug',
  'echo',
  'endgroup',
  'error',
  'group',
  'internal-set-repo-path',
  'notice',
  'remove-matcher',
  'save-state',
  'set-env',
  'set-output',
  'warning',
]);

export interface WorkflowCommand {
  syntax: '::' | '##[';
  command: string;
  properties: Record<string, string>;
  data: string;
  /** The line as printed. */
  line: string;
}

/** The lines of a stream as the runner reads them. */
export function runnerLines(output: string): string[] {
  const lines = output.split(/\r\n|\r|\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

const IGNORABLE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
/** .NET's char.IsWhiteSpace, which String.TrimStart() removes. */
const LEADING_WHITE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

/** The command the runner would read in `line`, or null. `commands`: the registered names, or any name (an active stop token). */
export function parseWorkflowCommand(line: string, commands: ReadonlySet<string> | 'any' = 'any'): WorkflowCommand | null {
  if (!line) return null;
  const registered = (name: string) =>
    name !== '' && (commands === 'any' || [...commands].some((c) => c.toLowerCase() === name.toLowerCase()));
  // TrimStart first: a tab is both white space and a control character.
  const message = line.replace(LEADING_WHITE, '').replace(IGNORABLE, '');
  return tryParseV2(message, line, registered) ?? tryParse(message, line, registered);
}

/** Every command in a stream's output. */
export function workflowCommandsIn(output: string, commands: ReadonlySet<string> | 'any' = 'any'): WorkflowCommand[] {
  return runnerLines(output).flatMap((line) => parseWorkflowCommand(line, commands) ?? []);
}

function tryParseV2(message: string, line: string, registered: (name: string) => boolean): WorkflowCommand | null {
  const trimmed = message.replace(LEADING_WHITE, '');
  if (!trimmed.startsWith('::')) return null;
  const end = trimmed.indexOf('::', 2);
  if (end < 0) return null;
  const info = trimmed.slice(2, end);
  const space = info.indexOf(' ');
  const command = space < 0 ? info : info.slice(0, space);
  if (!registered(command)) return null;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .trim()
      .split(',')
      .filter(Boolean)) {
      const [key, value] = splitPair(pair);
      if (key !== undefined && value !== undefined)
        properties[key] = decodeEscapes(value, ['%0D', '\r'], ['%0A', '\n'], ['%3A', ':'], ['%2C', ','], ['%25', '%']);
    }
  }
  const data = decodeEscapes(trimmed.slice(end + 2), ['%0D', '\r'], ['%0A', '\n'], ['%25', '%']);
  return { syntax: '::', command, properties, data, line };
}

function tryParse(message: string, line: string, registered: (name: string) => boolean): WorkflowCommand | null {
  const prefix = message.indexOf('##[');
  if (prefix < 0) return null;
  const close = message.indexOf(']', prefix);
  if (close < 0) return null;
  const info = message.slice(prefix + 3, close);
  const space = info.indexOf(' ');
  const command = space < 0 ? info : info.slice(0, space);
  if (!registered(command)) return null;
  const properties: Record<string, string> = {};
  const old = [
    ['%3B', ';'],
    ['%0D', '\r'],
    ['%0A', '\n'],
    ['%5D', ']'],
    ['%25', '%'],
  ] as const;
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .split(';')
      .filter(Boolean)) {
      const [key, value] = splitPair(pair);
      if (key !== undefined && value !== undefined) properties[key] = decodeEscapes(value, ...old);
    }
  }
  return { syntax: '##[', command, properties, data: decodeEscapes(message.slice(close + 1), ...old), line };
}

/** C#'s Split('=', 2, RemoveEmptyEntries), taken only when it gives two parts (a key and a value). */
function splitPair(pair: string): [string | undefined, string | undefined] {
  const at = pair.indexOf('=');
  const key = at < 0 ? '' : pair.slice(0, at);
  const value = at < 0 ? '' : pair.slice(at + 1);
  return key && value ? [key, value] : [undefined, undefined];
}

function decodeEscapes(text: string, ...mappings: (readonly [string, string])[]): string {
  let out = text;
  for (const [escaped, token] of mappings) out = out.replaceAll(escaped, token);
  return out;
}
