import type { Tone } from './plan-view.js';

const CODES: Record<Tone | 'bold', [number, number]> = {
  create: [32, 39],
  update: [33, 39],
  replace: [35, 39],
  destroy: [31, 39],
  warning: [33, 39],
  error: [31, 39],
  muted: [90, 39],
  plain: [0, 0],
  bold: [1, 22],
};

export type Paint = (tone: Tone | 'bold', text: string) => string;

export const plainPaint: Paint = (_tone, text) => text;

export const ansiPaint: Paint = (tone, text) => {
  const [open, close] = CODES[tone];
  return open === 0 ? text : `\u001b[${open}m${text}\u001b[${close}m`;
};
