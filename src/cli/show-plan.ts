import { renderPlanText } from '../render/plan-text.js';
import type { PlanView } from '../render/plan-view.js';
import { ansiPaint, plainPaint } from '../render/style.js';
import type { Output } from './output.js';

/** Prints the plan: coloured text in a terminal, plain text anywhere else. */
export async function showPlan(view: PlanView, output: Output): Promise<void> {
  output.out(renderPlanText(view, output.color ? ansiPaint : plainPaint));
}
