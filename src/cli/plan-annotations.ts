import type { DesiredState, SourcePosition } from '../config/types.js';
import { NOTE_SEVERITY, type Plan } from '../plan/types.js';
import { destructiveChanges } from '../render/markdown.js';
import { noteText, problemLine, problemWords } from '../render/plan-words.js';
import type { Annotation } from './github.js';

// Apart from github.ts so that every command's start-up (main.ts imports github.ts) does not load
// the plan renderers and, through them, pg.

/** Plan errors (on the link's line, or the database's), and destructive changes and the plan's warnings as warnings. */
export function planAnnotations(plan: Plan, desired: DesiredState): Annotation[] {
  const positionOf = (alias: string, link: string | null): SourcePosition | undefined => {
    const database = desired.databases.find((db) => db.alias === alias);
    return database?.links.find((l) => l.name === link)?.position ?? database?.position;
  };
  const errors = plan.databases.flatMap((database) =>
    database.errors.map(
      (error): Annotation => ({
        level: 'error',
        title: `datalinks: database ${database.alias}`,
        message: problemLine(error),
        hint: problemWords(error).hint,
        position: positionOf(database.alias, error.link),
      }),
    ),
  );
  const warnings = destructiveChanges(plan).map(
    (change): Annotation => ({
      level: 'warning',
      title: `datalinks: destructive change in database ${change.database}`,
      message: change.text,
      position: positionOf(change.database, change.link),
    }),
  );
  // Warnings of the plan (what it leaves undone that the file asks for) on the link's line too.
  const noted = plan.databases.flatMap((database) =>
    database.notes
      .filter((note) => NOTE_SEVERITY[note.code] === 'warning')
      .map(
        (note): Annotation => ({
          level: 'warning',
          title: `datalinks: database ${database.alias}`,
          message: noteText(note),
          position: positionOf(database.alias, note.link),
        }),
      ),
  );
  return [...errors, ...warnings, ...noted];
}
