import type { ConnectionTarget } from '../wrappers/types.js';
import { type ConnectOptions, withConnection } from './connect.js';

/**
 * How many more client connections the server would accept from the connecting role now: its
 * max_connections, less the slots kept for superusers (and for pg_use_reserved_connections, 16+), less
 * the sessions open (the role's own limit too, when it has one), plus this session, which closes.
 * A session another role owns may hide its backend_type from us: counted as a client then.
 */
const FREE_SLOTS_QUERY = `SELECT least(
    current_setting('max_connections')::int
      - current_setting('superuser_reserved_connections')::int
      - coalesce(nullif(current_setting('reserved_connections', true), '')::int, 0)
      - (SELECT count(*) FROM pg_catalog.pg_stat_activity a
          WHERE a.backend_type IS NULL OR a.backend_type = 'client backend')::int,
    CASE WHEN r.rolconnlimit >= 0 THEN r.rolconnlimit
      - (SELECT count(*) FROM pg_catalog.pg_stat_activity a WHERE a.usesysid = r.oid)::int END
  ) + 1 AS free
  FROM pg_catalog.pg_roles r WHERE r.rolname = current_user`;

/** The server's free connection slots for this role (see FREE_SLOTS_QUERY), on a connection of its own. */
export function readFreeSlots(target: ConnectionTarget, options: ConnectOptions): Promise<number> {
  return withConnection(target, options, async (client) => Number((await client.query(FREE_SLOTS_QUERY)).rows[0]?.free ?? 0));
}
