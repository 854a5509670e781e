// render/: pure views of plans, outcomes and reports: text, Ink, JSON, markdown, annotations.
import type { DatabaseView, PlanView, ViewLine } from './plan-view.js';
import { type Paint, plainPaint } from './style.js';

/**
 * The plan as plain text (CI logs, pipes); with `paint` = ansiPaint, coloured for a terminal. Every
 * string it prints comes from the view model, already escaped: nothing here interpolates raw data.
 */
export function renderPlanText(view: PlanView, paint: Paint = plainPaint): string {
  const out: string[] = [];
  for (const database of view.databases) out.push(...databaseText(database, paint), '');
  out.push(paint('bold', view.summary));
  for (const line of view.footer) out.push(paint(line.tone, line.text));
  return `${out.join('\n')}\n`;
}

export function databaseText(database: DatabaseView, paint: Paint): string[] {
  const out = [paint('bold', `Database ${database.alias}`)];
  const nothing = database.links.length === 0 && database.preamble.length === 0;
  for (const l of database.preamble) out.push(lineText(l, paint, 1));
  for (const link of database.links) for (const l of link.lines) out.push(lineText(l, paint, 1));
  for (const note of database.notes)
    out.push(`  ${paint(note.severity === 'warning' ? 'warning' : 'muted', `${note.severity}: ${note.text}`)}`);
  for (const error of database.errors) {
    out.push(`  ${paint('error', `✗ ${error.text}`)}`);
    if (error.hint) out.push(`      hint: ${error.hint}`);
  }
  if (nothing && database.errors.length === 0) out.push(`  ${paint('muted', 'no changes')}`);
  return out;
}

function lineText(line: ViewLine, paint: Paint, baseDepth: number): string {
  const indent = '  '.repeat(baseDepth + line.depth * 2);
  return `${indent}${paint(line.tone, line.symbol)} ${line.text}`;
}
