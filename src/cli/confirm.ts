import { createInterface } from 'node:readline/promises';
import type { PlanView } from '../render/plan-view.js';

/**
 * Asks before applying. Creates and updates take a yes; a plan that destroys anything takes the
 * database alias typed out, as `heroku pg:links:destroy` asks for the app name.
 */
export async function confirmApply(view: PlanView): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const destroying = view.databases.filter((db) => db.links.some((l) => l.action === 'destroy')).map((db) => db.alias);
    if (destroying.length > 0) {
      for (const alias of destroying) {
        process.stdout.write(
          `\n ! WARNING: Destructive action\n ! This destroys links in database ${alias}, with every foreign table in them.\n`,
        );
        const answer = await rl.question(` ! To proceed, type "${alias}": `);
        if (answer.trim() !== alias) return false;
      }
      return true;
    }
    const answer = await rl.question('\nApply these changes? Only "yes" is accepted [no]: ');
    return answer.trim().toLowerCase() === 'yes';
  } finally {
    rl.close();
  }
}
