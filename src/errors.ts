/**
 * The user's problems (bad config, unreachable database, refused plan) are UserErrors with a
 * stable code and next steps; anything else that reaches the CLI edge is a bug in datalinks.
 */
export class UserError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly nextSteps: readonly string[] = [],
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export class BugError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BugError';
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
