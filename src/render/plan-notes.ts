import type { NoteCode, PlanNote } from '../plan/types.js';
import { quoteForHint } from '../sql/quote.js';

type Wording = { [C in NoteCode]: (note: Extract<PlanNote, { code: C }>) => string };

/** The words for each note code: the plan carries the code and values, every view prints these. */
const WORDING = {
  server_marked_by_other_role: (note) =>
    `server "${note.server}" carries a datalinks marker but is owned by role "${note.owner}": left alone`,
  remote_table_unreadable: (note) => {
    const user = note.user ?? 'the remote user';
    return `link "${note.link}": remote role "${user}" cannot read table "${note.schema}.${note.table}"; queries through it will fail until, on the remote: GRANT SELECT ON ${quoteForHint(note.schema)}.${quoteForHint(note.table)} TO ${quoteForHint(user)};`;
  },
  mapping_credentials_unreadable: (note) =>
    `link "${note.link}": the credentials of the user mapping for role "${note.role}" cannot be read by "${note.reader}", so they were not compared`,
} satisfies Wording;

/** A note in words (raw: each view escapes it for its medium). */
export function noteText(note: PlanNote): string {
  return (WORDING[note.code] as (note: PlanNote) => string)(note);
}
