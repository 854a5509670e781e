import { escapeJson, escapeText } from './render/escape.js';

export const MASK = '********';

const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:@/\s]*:)([^@\s]*)@/gi;

/** Replaces the password of every URL in `text` with the mask. */
export function redactUrls(text: string): string {
  return text.replace(URL_PASSWORD, `$1${MASK}@`);
}

/**
 * Every password datalinks has read from the environment, so that the CLI edge can scrub them from
 * anything it prints, whatever path a message took (a Postgres error quoting a value, a URL in a
 * message). A last line of defence: the rest of the code keeps secrets out of messages by design.
 */
const knownSecrets = new Set<string>();

export function registerSecret(secret: string): void {
  if (secret.length >= 3) knownSecrets.add(secret);
}

export function scrubSecrets(text: string): string {
  let out = redactUrls(text);
  for (const secret of knownSecrets) {
    for (const form of secretForms(secret)) out = out.split(form).join(MASK);
  }
  return out;
}

function secretForms(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), secret.replaceAll("'", "''")]);
  forms.add(secret.replaceAll('\\', '\\\\'));
  // Output is escaped before it is scrubbed: a secret holding a control character is printed escaped.
  forms.add(escapeText(secret));
  forms.add(escapeJson(JSON.stringify(secret)).slice(1, -1));
  return [...forms];
}
