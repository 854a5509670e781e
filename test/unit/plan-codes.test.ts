import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validate as validatePlanDocument } from '../../src/config/generated/validate-plan.js';
import type { DesiredState } from '../../src/config/types.js';
import { fromPlanDocument } from '../../src/plan/plan-document.js';
import { NOTE_CODES, type Plan, type PlanNote, PROBLEM_CODES } from '../../src/plan/types.js';
import { renderPlanJson } from '../../src/render/plan-json.js';
import { noteText } from '../../src/render/plan-notes.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { buildPlanView } from '../../src/render/plan-view.js';

/** One note of each code, with every value set. */
const NOTES: Record<PlanNote['code'], PlanNote> = {
  server_marked_by_other_role: { code: 'server_marked_by_other_role', link: null, server: 'old', owner: 'mallory' },
  remote_table_unreadable: { code: 'remote_table_unreadable', link: 'billing', user: 'bill', schema: 'public', table: 'Secret Table' },
  mapping_credentials_unreadable: { code: 'mapping_credentials_unreadable', link: 'billing', role: 'reader', reader: 'app' },
};

const plan: Plan = {
  summary: { create: 0, update: 0, destroy: 0 },
  databases: [
    {
      alias: 'main',
      fingerprint: '',
      preamble: [],
      changes: [],
      errors: [
        { link: 'billing', code: 'role_missing', message: 'role "ghost" in grant_to does not exist in this database', hint: 'create it' },
      ],
      notes: Object.values(NOTES),
    },
  ],
};
const desired = { configPath: 'datalinks.yaml', configHash: `sha256:${'0'.repeat(64)}` } as DesiredState;
const schema = JSON.parse(readFileSync('schemas/plan.schema.json', 'utf8'));

describe('plan notes and problems are codes and values', () => {
  it('words every note code, naming each of its values', () => {
    for (const code of NOTE_CODES) {
      const note = NOTES[code];
      const words = noteText(note);
      for (const [key, value] of Object.entries(note)) {
        if (key !== 'code' && key !== 'link' && typeof value === 'string') expect(words).toContain(value);
      }
    }
    expect(noteText(NOTES.remote_table_unreadable)).toBe(
      'link "billing": remote role "bill" cannot read table "public.Secret Table"; queries through it will fail until, on the remote: GRANT SELECT ON public."Secret Table" TO bill;',
    );
    expect(noteText({ ...NOTES.remote_table_unreadable, user: null } as PlanNote)).toContain(
      'remote role "the remote user" cannot read table',
    );
  });

  it('prints the worded note in the text view', () => {
    expect(renderPlanText(buildPlanView(plan))).toContain(
      'note: server "old" carries a datalinks marker but is owned by role "mallory": left alone',
    );
  });

  it('--json gives each note its code, link, values and words, and each problem its code; the document is a valid plan', () => {
    const document = JSON.parse(renderPlanJson(plan, desired, '2026-01-01T00:00:00Z'));
    expect(validatePlanDocument(document)).toBe(true);
    expect(document.databases[0].notes[2]).toStrictEqual({
      code: 'mapping_credentials_unreadable',
      link: 'billing',
      role: 'reader',
      reader: 'app',
      message: 'link "billing": the credentials of the user mapping for role "reader" cannot be read by "app", so they were not compared',
    });
    expect(document.databases[0].errors[0]).toMatchObject({ link: 'billing', code: 'role_missing' });
  });

  it('reads a saved plan back to the same notes (the words are re-made, not trusted)', () => {
    const document = JSON.parse(renderPlanJson(plan, desired, '2026-01-01T00:00:00Z'));
    document.databases[0].notes[0].message = 'forged words';
    expect(fromPlanDocument(document).databases[0]?.notes).toStrictEqual(plan.databases[0]?.notes);
  });

  it('refuses a saved plan whose note or problem has no known code', () => {
    const document = JSON.parse(renderPlanJson(plan, desired, '2026-01-01T00:00:00Z'));
    expect(validatePlanDocument({ ...document, databases: [{ ...document.databases[0], notes: ['a note in words'] }] })).toBe(false);
    const uncoded = { ...document.databases[0].errors[0], code: undefined };
    expect(validatePlanDocument({ ...document, databases: [{ ...document.databases[0], errors: [uncoded] }] })).toBe(false);
  });

  it('lists in schemas/plan.schema.json exactly the codes the planner can write', () => {
    expect(schema.$defs.problem.properties.code.enum).toStrictEqual([...PROBLEM_CODES]);
    expect(schema.$defs.note.oneOf.map((n: { properties: { code: { const: string } } }) => n.properties.code.const)).toStrictEqual([
      ...NOTE_CODES,
    ]);
  });
});
