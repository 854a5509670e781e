/**
 * Where a command writes, and what it knows of the terminal and environment it runs in. A neutral
 * module below every layer: the CLI makes one (cli/output.ts), the demo hands one to the commands it runs.
 */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is an interactive terminal (Ink view). */
  readonly isTerminal: boolean;
  /** Whether a question can be asked: stdin is a terminal too (`echo yes | datalinks apply` cannot). */
  readonly canPrompt: boolean;
  readonly color: boolean;
  /** Where ${VAR} in the config is read from. */
  readonly env: NodeJS.ProcessEnv;
}
