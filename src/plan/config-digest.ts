import { createHash } from 'node:crypto';
import type { DesiredDatabase, DesiredLink } from '../config/types.js';
import type { ConnectionTarget } from '../wrappers/types.js';
import type { ConfigDigest, LinkConfigPart } from './types.js';

/**
 * What of the configuration a database's plan depends on, hashed part by part, so that a saved plan
 * goes stale when its own database's configuration changes, and only then (a comment, another
 * database, or a link outside a targeted plan's --link does not count), and the refusal can say
 * which part changed. No secret is hashed: a password (in the URL, `?password=`, `sslpassword`) is
 * left out, and a password change shows instead as the user mapping the plan made again would replace.
 */
export function digestDatabase(database: DesiredDatabase): ConfigDigest {
  return {
    url: hash(publicTarget(database.target)),
    links: Object.fromEntries(
      [...database.links].sort((a, b) => a.name.localeCompare(b.name)).map((link) => [link.name, digestLink(link)]),
    ),
  };
}

function digestLink(link: DesiredLink): Record<LinkConfigPart, string> {
  const { user: _user, ...target } = publicTarget(link.remote.target);
  return {
    remote: hash({ target, variable: link.remote.variable, schema: link.remote.schema }),
    remote_user: hash(link.remote.target.user),
    tables: hash({ tables: link.tables, exclude: link.exclude }),
    access: hash(link.access),
    grant_to: hash([...link.grantTo].sort()),
    server_options: hash(sorted(link.serverOptions)),
    import_options: hash(sorted(link.importOptions)),
  };
}

/** One difference between the configuration a plan was made from and the one read now. */
export type ConfigChange = { part: 'url' } | { link: string; part: LinkConfigPart | 'added' | 'removed' };

/** What changed between two digests of one database, in a stable order; empty when nothing did. */
export function compareDigests(saved: ConfigDigest, now: ConfigDigest): ConfigChange[] {
  const changes: ConfigChange[] = [];
  if (saved.url !== now.url) changes.push({ part: 'url' });
  const names = [...new Set([...Object.keys(saved.links), ...Object.keys(now.links)])].sort();
  for (const link of names) {
    const before = saved.links[link];
    const after = now.links[link];
    if (!before) changes.push({ link, part: 'added' });
    else if (!after) changes.push({ link, part: 'removed' });
    else for (const part of LINK_PARTS) if (before[part] !== after[part]) changes.push({ link, part });
  }
  return changes;
}

const LINK_PARTS: readonly LinkConfigPart[] = ['remote', 'remote_user', 'tables', 'access', 'grant_to', 'server_options', 'import_options'];

/** A connection target without its secrets: the password, the URL that holds it, and any parameter that is one. */
function publicTarget(target: ConnectionTarget) {
  const params = Object.fromEntries(Object.entries(target.params).filter(([name]) => !/password/i.test(name)));
  return { host: target.host, port: target.port, dbname: target.dbname, user: target.user, params: sorted(params) };
}

function sorted<T extends object>(record: T): [string, unknown][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}

/** 16 hex digits: enough to tell a change, short enough for a plan of 600 databases. */
function hash(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(value) ?? 'null')
    .digest('hex')
    .slice(0, 16);
}
