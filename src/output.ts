/**
 * Where a command writes, and what it knows of the terminal and environment it runs in. A neutral
 * module below every layer: the CLI makes one (cli/output.ts), the demo hands one to the commands it runs.
 */
export interface Output {
  /** Writes `text` to stdout; `medium` says how its escapes are spelled (text unless said otherwise). */
  out(text: string, medium?: Medium): void;
  err(text: string, medium?: Medium): void;
  /** Whether stdout is an interactive terminal (Ink view). */
  readonly isTerminal: boolean;
  /** The terminal's width in columns when stdout is one (text views wrap on words to it); undefined otherwise. */
  readonly columns?: number;
  /** Whether a question can be asked: stdin is a terminal too (`echo yes | datalinks apply` cannot). */
  readonly canPrompt: boolean;
  readonly color: boolean;
  /** Where ${VAR} in the config is read from. */
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The language of what is written, so that the output edge can escape what a CI runner would read as
 * a command in the spelling that language gives it (`\x23` in text, `\u0023` in JSON, `&#35;` in
 * markdown, ...): the output still means the same. `workflow-command` is an annotation datalinks means
 * the runner to read, written as it is.
 */
export type Medium = 'text' | 'json' | 'markdown' | 'yaml' | 'sql' | 'openmetrics' | 'workflow-command';
