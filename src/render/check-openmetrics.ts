import { type CheckReport, isBroken, type LinkCheck } from '../check/check-report.js';
import { escapeText } from '../escape.js';
import { scrubSecrets } from '../secrets.js';

/**
 * `datalinks check --format openmetrics`: the check as metrics, for node_exporter's textfile collector
 * or a push gateway. Pure.
 *
 * The text is OpenMetrics 1.0 and, at the same time, the Prometheus text format 0.0.4 that
 * node_exporter's textfile collector and `promtool check metrics` read: gauges only (no stateset or info
 * type, which the older format refuses), `# UNIT` and `# EOF` (comments to the older parser), HELP text
 * without `\` or `"`, each family's lines together, every label set once. Labels are the database alias
 * and the link name, never a target, user or message, so no secret can be in one; each value is scrubbed
 * all the same, then shown as the terminal shows a name (control characters as `\x1b` text, so no raw
 * line break or escape sequence), then escaped for the format (`\\`, `\"`).
 */

export interface MetricsRun {
  /** When the check ran. */
  at: Date;
  /** How long it took, in milliseconds. */
  durationMs: number;
}

type Labels = [name: string, value: string][];

interface Family {
  name: string;
  help: string;
  unit?: 'seconds';
  samples: { labels: Labels; value: number }[];
}

/** The metric families, in the order they are written. */
const FAMILIES = {
  timestamp: {
    name: 'datalinks_check_timestamp_seconds',
    help: 'When datalinks check ran, as a Unix time: alert when it is old, the check stopped running.',
    unit: 'seconds',
  },
  duration: { name: 'datalinks_check_duration_seconds', help: 'How long datalinks check took.', unit: 'seconds' },
  databaseUp: {
    name: 'datalinks_database_up',
    help: 'Whether datalinks could check the database: 1 yes, 0 no (it could not connect, or read its links).',
  },
  sessionLeft: {
    name: 'datalinks_database_session_left',
    help: 'Whether a session of the check is still running on the database server: 1 yes (see the check output), 0 no.',
  },
  up: {
    name: 'datalinks_link_up',
    help: 'Whether the link works from its local database server: 1 yes (ok, drift or unknown), 0 no (unreachable, auth failed, missing, unreadable tables).',
  },
  state: { name: 'datalinks_link_state', help: "The link's state: 1 for the one it is in, 0 for the others." },
  connect: {
    name: 'datalinks_link_connect_seconds',
    help: 'Time of the first read through the link on the local server, connecting included when no connection was open.',
    unit: 'seconds',
  },
  roundTrip: {
    name: 'datalinks_link_round_trip_seconds',
    help: 'Time of a second small read through the open connection, on the local server.',
    unit: 'seconds',
  },
  tables: { name: 'datalinks_link_tables', help: "Foreign tables of the link that the check read (those the check's role may read)." },
  unreadable: {
    name: 'datalinks_link_unreadable_tables',
    help: 'Foreign tables of the link that a read fails on, or returns rows short of the remote.',
  },
  drift: {
    name: 'datalinks_link_drift',
    help: 'Whether the link differs from the file: 1 yes (datalinks apply would change it), 0 no; absent when it could not be compared.',
  },
} as const satisfies Record<string, Omit<Family, 'samples'>>;

type FamilyKey = keyof typeof FAMILIES;

export function renderCheckOpenMetrics(report: CheckReport, run: MetricsRun): string {
  const samples = new Map<FamilyKey, Family['samples']>(Object.keys(FAMILIES).map((key) => [key as FamilyKey, []]));
  const add = (key: FamilyKey, labels: Labels, value: number | null | undefined) => {
    if (value === null || value === undefined || !Number.isFinite(value)) return;
    samples.get(key)?.push({ labels, value });
  };
  add('timestamp', [], run.at.getTime() / 1000);
  add('duration', [], run.durationMs / 1000);
  // Every state the report counts, the ones no link is in included: a rule can match on any of them.
  const states = Object.keys(report.summary);
  for (const database of report.databases) {
    const db: Labels = [['database', database.alias]];
    add('databaseUp', db, database.error ? 0 : 1);
    add('sessionLeft', db, database.left ? 1 : 0);
    // A managed link that the file no longer has appears once, as drift; a name seen twice is written once.
    const seen = new Set<string>();
    for (const link of database.links) {
      if (seen.has(link.link)) continue;
      seen.add(link.link);
      const labels: Labels = [...db, ['link', link.link]];
      const health = link.health;
      if (health) add('up', labels, isBroken(link.state) ? 0 : 1);
      for (const state of states) add('state', [...labels, ['state', state]], link.state === state ? 1 : 0);
      add('connect', labels, seconds(health?.connectMs));
      add('roundTrip', labels, seconds(health?.rttMs));
      // Tables are counted only where the link connected: a failed probe read none.
      if (health && !health.failure) {
        add('tables', labels, health.tablesChecked);
        add('unreadable', labels, unreadableTables(link));
      }
      add('drift', labels, link.drift ? 1 : link.driftUnknown ? null : 0);
    }
  }
  const out: string[] = [];
  for (const [key, family] of Object.entries(FAMILIES) as [FamilyKey, Omit<Family, 'samples'>][]) {
    const written = samples.get(key) ?? [];
    if (written.length === 0) continue;
    out.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} gauge`);
    if (family.unit) out.push(`# UNIT ${family.name} ${family.unit}`);
    for (const sample of written) out.push(`${family.name}${labelSet(sample.labels)} ${formatValue(sample.value)}`);
  }
  out.push('# EOF');
  return `${out.join('\n')}\n`;
}

/** Tables a read through the link fails on, and tables that hold rows a read does not return (counted once each). */
function unreadableTables(link: LinkCheck): number {
  const failing = new Set((link.health?.unreadable ?? []).map((t) => `${t.schema}.${t.name}`));
  for (const table of link.rowsNotRead) failing.add(`${table.schema}.${table.name}`);
  return failing.size;
}

function seconds(ms: number | null | undefined): number | null {
  return ms === null || ms === undefined ? null : Math.round(ms * 1000) / 1e6;
}

function labelSet(labels: Labels): string {
  return labels.length === 0 ? '' : `{${labels.map(([name, value]) => `${name}="${labelValue(value)}"`).join(',')}}`;
}

/** A label's value: scrubbed, shown as text (no control character), and escaped as both formats escape it. */
export function labelValue(value: string): string {
  return escapeText(scrubSecrets(value)).replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

/** A number as both formats read it: JavaScript's shortest form (`1`, `0.0091`, `1e-7`) is valid in each. */
function formatValue(value: number): string {
  return Object.is(value, -0) ? '0' : String(value);
}
