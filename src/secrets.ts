import { escapeJson, escapeText } from './escape.js';

export const MASK = '********';

const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:@/\s]*:)([^@\s]*)@/gi;
/** `password=...` / `sslpassword=...` in a query string or a key=value connection string. */
const PASSWORD_PARAM = /(\b(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s&;'"]+)/gi;

/**
 * A value that names where its secret is (`${OWNER_PASSWORD}`, as a config file writes it), not a
 * secret: every `$` in it starts a reference (`$${X}` is the literal text `${X}`, so it is masked).
 */
const REFERENCES_ONLY = /^(?:[^$]|\$\{[A-Za-z_][A-Za-z0-9_]*\})*$/;

/** Replaces the password of every URL, and every `password=` value, in `text` with the mask. */
export function redactUrls(text: string): string {
  // `USER:PASSWORD@` is the placeholder of our own hints, not a password. A `${VAR}` reference is a URL
  // as the file writes it: export must write it back, or its file would not read as the same. (A
  // password read from the environment never reaches here in clear: scrubSecrets masks it first.)
  const keep = (password: string) => password === 'PASSWORD' || (password.includes('${') && REFERENCES_ONLY.test(password));
  return text
    .replace(URL_PASSWORD, (match, head: string, password: string) => (keep(password) ? match : `${head}${MASK}@`))
    .replace(PASSWORD_PARAM, (match, head: string, password: string) => (keep(password) ? match : `${head}${MASK}`));
}

/**
 * Every secret datalinks has read from the environment, so that the CLI edge can scrub them from
 * anything it prints, whatever path a message took (a Postgres error quoting a value, a URL in a
 * message). A last line of defence: the rest of the code keeps secrets out of messages by design.
 */
const knownForms = new Set<string>();
/** The forms, longest first (so a whole URL is masked before the password inside it); sorted when next used. */
let ordered: string[] | undefined = [];

export function registerSecret(secret: string): void {
  if (secret.length < 3 || knownForms.has(secret)) return;
  for (const form of secretForms(secret)) knownForms.add(form);
  ordered = undefined;
}

/**
 * Registers a value read for a URL field, whatever its form, before anything tries to parse it:
 * the whole value and every password-like part of it (a URL's user info, `password=` and
 * `sslpassword=` parameters, quoted or not), raw and decoded.
 */
export function registerConnectionSecrets(value: string): void {
  registerSecret(value);
  for (const part of passwordParts(value)) registerSecret(part);
}

export function scrubSecrets(text: string): string {
  ordered ??= [...knownForms].sort((a, b) => b.length - a.length);
  let out = text;
  for (const form of ordered) if (out.includes(form)) out = out.split(form).join(MASK);
  return redactUrls(out);
}

/** Password-like parts of a connection string, found leniently: the value may be malformed. */
export function passwordParts(value: string): string[] {
  const parts = new Set<string>();
  const add = (raw: string) => {
    for (const form of [raw, lenientDecode(raw), lenientDecode(raw.replaceAll('+', ' '))]) if (form) parts.add(form);
  };
  const authority = /^[a-z][a-z0-9+.:-]*:\/\/(.*)$/is.exec(value)?.[1];
  if (authority !== undefined) {
    // The user info ends at the first or the last @; an unencoded @ in a password makes it ambiguous.
    for (const end of [authority.indexOf('@'), authority.lastIndexOf('@')]) {
      if (end < 0) continue;
      const userInfo = authority.slice(0, end);
      const colon = userInfo.indexOf(':');
      if (colon >= 0) add(userInfo.slice(colon + 1));
    }
  }
  for (const match of value.matchAll(/(?:^|[?&;\s])(?:ssl)?password\s*=\s*('(?:[^'\\]|\\.)*'?|[^&;\s]*)/gi)) {
    const raw = match[1] ?? '';
    if (raw.startsWith("'")) {
      const inner = raw.replace(/^'|'$/g, '');
      add(inner);
      add(inner.replace(/\\(.)/g, '$1'));
    } else add(raw);
  }
  return [...parts];
}

/** Decodes the valid %XX sequences of `text` and leaves the rest as it is; never throws. */
function lenientDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** The spellings a secret can take on its way out: SQL literals, URL encodings, JSON strings. */
function secretForms(secret: string): string[] {
  const sql = [
    secret,
    secret.replaceAll("'", "''"),
    secret.replaceAll('\\', '\\\\'),
    secret.replaceAll("'", "''").replaceAll('\\', '\\\\'),
  ];
  const encoded = encodeURIComponent(secret);
  const url = [
    encoded,
    encoded.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
    new URLSearchParams({ x: secret }).toString().slice(2),
    encodeURI(secret),
  ];
  const forms = new Set([...sql, ...url]);
  for (const form of [...forms]) forms.add(JSON.stringify(form).slice(1, -1));
  // Output is escaped before it is scrubbed: a secret holding a control character is printed escaped.
  // Printable ASCII escapes to itself (forms already held), and skipping it spares every command
  // compiling the escapers' Unicode-property patterns at start-up.
  if (!PRINTABLE_ASCII.test(secret)) {
    forms.add(escapeText(secret));
    forms.add(escapeJson(JSON.stringify(secret)).slice(1, -1));
  }
  return [...forms].filter((form) => form.length >= 3);
}
