export interface Interpolated {
  value: string;
  /** The variable's name when the whole string was exactly `${NAME}`. */
  wholeVariable: string | null;
  /** Names referenced that the environment does not define. */
  unset: string[];
  /** Malformed references such as `${}` or `${lower-case}`. */
  malformed: string[];
}

const REFERENCE = /\$\$|\$\{([^}]*)\}?/g;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Replaces `${NAME}` with the environment's value and `$$` with `$`; any other `$` is literal. */
export function interpolate(text: string, env: NodeJS.ProcessEnv): Interpolated {
  const unset: string[] = [];
  const malformed: string[] = [];
  const value = text.replace(REFERENCE, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    if (name === undefined || !match.endsWith('}') || !VARIABLE_NAME.test(name)) {
      malformed.push(match);
      return match;
    }
    const resolved = env[name];
    if (resolved === undefined) {
      unset.push(name);
      return '';
    }
    return resolved;
  });
  const whole = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(text);
  return { value, wholeVariable: whole?.[1] ?? null, unset, malformed };
}

/** The text that `interpolate` reads back as `value`, whatever it holds: each `$` written `$$`. */
export function literalForInterpolation(value: string): string {
  return value.replaceAll('$', '$$$$');
}
