import { CATALOG_SCHEMAS, definitionKey } from '../introspect/type-definitions.js';
import type { QualifiedName, RemoteTable, ResolvedNeeds, TypeDefinition } from '../introspect/types.js';
import type { EnumLabelToAdd, PlanNote, PlanProblem, TypeDifference } from './types.js';

/** What comparing a link's local copies of remote types found: missing enum labels (reads fail) and other differences. */
export interface TypeDrift {
  problems: Extract<PlanProblem, { code: 'enum_labels_missing' }>[];
  notes: Extract<PlanNote, { code: 'type_differs' }>[];
}

/**
 * Compares each user-defined type that the link's linked columns use by name (and the types those are
 * made of: an array's element, a domain's base, a composite's attributes) with the local type of the
 * same name that its foreign tables use instead: postgres_fdw converts every value the remote sends
 * through the local type. A remote enum label missing locally fails every read of a row that holds it
 * ("invalid input value for enum"): a problem with the ALTER TYPE that adds it, in the remote's order.
 * Anything else that differs (labels only the local type has or in another order, a domain's base,
 * NOT NULL, default or CHECKs, a composite's attributes) is a note: reads may work, but the two no
 * longer mean the same. Pure; types that do not exist here are the column problems' business.
 */
export function compareLinkTypes(
  link: string,
  tables: readonly RemoteTable[],
  remoteTypes: Readonly<Record<string, TypeDefinition>> | undefined,
  resolved: ResolvedNeeds,
): TypeDrift {
  const drift: TypeDrift = { problems: [], notes: [] };
  if (!remoteTypes || !resolved.definitions || Object.keys(remoteTypes).length === 0) return drift;
  const local = resolved.definitions;
  const seen = new Set<string>();
  const queue: QualifiedName[] = [];
  const use = (type: QualifiedName) => {
    const key = definitionKey(type);
    if (CATALOG_SCHEMAS.includes(type.schema) || seen.has(key)) return;
    seen.add(key);
    queue.push({ schema: type.schema, name: type.name });
  };
  for (const table of tables) for (const column of table.columns) if (column.unmapped === undefined) use(column.type);
  for (let type = queue.shift(); type; type = queue.shift()) {
    const key = definitionKey(type);
    const remote = remoteTypes[key];
    if (!remote) continue;
    if (remote.kind === 'array') use(remote.element);
    if (remote.kind === 'domain') use(remote.baseType);
    if (remote.kind === 'composite') for (const attribute of remote.attributes) use(attribute.typeRef);
    const here = local[key];
    if (!here) continue;
    const found = compareDefinitions(here, remote);
    if (found.missing.length > 0) {
      drift.problems.push({ code: 'enum_labels_missing', link, schema: type.schema, type: type.name, labels: found.missing });
    }
    if (found.differences.length > 0) {
      drift.notes.push({ code: 'type_differs', link, schema: type.schema, type: type.name, differences: found.differences });
    }
  }
  return drift;
}

/** How a local definition differs from the remote's of the same name. */
export function compareDefinitions(
  local: TypeDefinition,
  remote: TypeDefinition,
): { missing: EnumLabelToAdd[]; differences: TypeDifference[] } {
  const differences: TypeDifference[] = [];
  const missing: EnumLabelToAdd[] = [];
  if (local.kind !== remote.kind) {
    if (local.kind !== 'other' || remote.kind !== 'other') differences.push({ what: 'kind', local: local.kind, remote: remote.kind });
    return { missing, differences };
  }
  if (local.kind === 'enum' && remote.kind === 'enum') {
    const here = new Set(local.labels);
    const there = new Set(remote.labels);
    // In the remote's order: each after the label before it there (which exists, or was just added), the first before the local first.
    for (const [i, label] of remote.labels.entries()) {
      if (here.has(label)) continue;
      const after = i > 0 ? (remote.labels[i - 1] as string) : null;
      missing.push({ label, after, before: after === null ? (local.labels[0] ?? null) : null });
    }
    const extra = local.labels.filter((label) => !there.has(label));
    if (extra.length > 0) differences.push({ what: 'labels_extra', labels: extra });
    const commonHere = local.labels.filter((label) => there.has(label));
    const commonThere = remote.labels.filter((label) => here.has(label));
    if (commonHere.join('\0') !== commonThere.join('\0'))
      differences.push({ what: 'labels_order', local: commonHere, remote: commonThere });
  }
  if (local.kind === 'domain' && remote.kind === 'domain') {
    if (local.base !== remote.base) differences.push({ what: 'base', local: local.base, remote: remote.base });
    if (local.notNull !== remote.notNull) differences.push({ what: 'not_null', local: local.notNull, remote: remote.notNull });
    if (local.default !== remote.default) differences.push({ what: 'default', local: local.default, remote: remote.default });
    if (local.checks.join('\0') !== remote.checks.join('\0'))
      differences.push({ what: 'checks', local: local.checks, remote: remote.checks });
  }
  if (local.kind === 'composite' && remote.kind === 'composite') {
    const shape = (def: typeof local) => def.attributes.map((a) => `${a.name} ${a.type}`);
    if (shape(local).join('\0') !== shape(remote).join('\0'))
      differences.push({ what: 'attributes', local: shape(local), remote: shape(remote) });
  }
  // Arrays follow their elements, compared on their own.
  return { missing, differences };
}
