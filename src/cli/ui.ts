import { UserError } from '../errors.js';
import { loadTerminal } from '../render/load-terminal.js';
import { renderPlanText } from '../render/plan-text.js';
import type { PlanView } from '../render/plan-view.js';
import { ansiPaint, plainPaint } from '../render/style.js';
import type { Output } from './output.js';

export type ReadState = 'reading' | 'done' | 'error';

/** What commands need from a UI. In a terminal it is Ink; anywhere else, plain text and no prompts. */
export interface Ui {
  showPlan(view: PlanView): void;
  trackReading(aliases: string[]): { update(alias: string, state: ReadState): void; stop(): void };
  /** Asks whether to apply; false when the answer is no, or when `signal` is aborted first. */
  confirm(view: PlanView, signal?: AbortSignal): Promise<boolean>;
  trackApply(aliases: string[]): {
    progress(alias: string, done: number, total: number): void;
    finish(alias: string, outcome: string, failed: boolean): void;
    stop(): void;
  };
}

const quiet = { update() {}, progress() {}, finish() {}, stop() {} };

export function plainUi(output: Output): Ui {
  return {
    showPlan: (view) => output.out(renderPlanText(view, output.color ? ansiPaint : plainPaint)),
    trackReading: () => quiet,
    confirm: () => {
      throw new UserError('confirmation_required', 'apply needs a confirmation, and there is no terminal to ask in', [
        'review the plan above, then run again with --auto-approve (as in CI), or apply a reviewed plan file: datalinks plan --out plan.json, then datalinks apply plan.json',
      ]);
    },
    trackApply: () => quiet,
  };
}

/** Ink and React are loaded here, and only here, and only for a terminal. */
export async function createUi(output: Output): Promise<Ui> {
  if (!output.isTerminal) return plainUi(output);
  // Ink colours through chalk, which reads FORCE_COLOR but not NO_COLOR: say it before Ink loads.
  if (!output.color) process.env.FORCE_COLOR = '0';
  const terminal = await loadTerminal();
  return {
    showPlan: (view) => output.out(terminal.planToString(view, output.color)),
    trackReading: terminal.trackReading,
    confirm: output.canPrompt ? (view, signal) => terminal.confirmPlan(view, process.stdout, signal) : plainUi(output).confirm,
    trackApply: terminal.trackApply,
  };
}
