import { redactUrls } from '../secrets.js';

const MAX_SHOWN = 40;

/**
 * A value read from a file or the environment, made fit to quote in a message: quoted, control
 * characters and escape sequences written as text (\x1b), cut at 40 characters, and URL passwords
 * masked. A cut value is marked with "..." so nobody mistakes it for the whole.
 */
export function showValue(value: string, max = MAX_SHOWN): string {
  const characters = [...redactUrls(value)];
  const cut = characters.length > max ? `${characters.slice(0, max - 3).join('')}...` : characters.join('');
  return `"${escapeControl(cut)}"`;
}

/** Control characters (C0, DEL, C1) and the quote as escapes, so a value can never drive a terminal. */
export function escapeControl(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f"\\]/g, (c) => {
    if (c === '"' || c === '\\') return `\\${c}`;
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}
