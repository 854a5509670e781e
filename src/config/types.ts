import type { Access, ConnectionTarget, RemoteAuth } from '../wrappers/types.js';

/** Where a value came from in the config file, for error messages. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
  /** Set when the place is inside a block that aliases repeat (`&name` ... `*name`): one problem there is one problem. */
  shared?: { anchor: string; places: number };
}

export interface ImportOptions {
  import_collate: boolean;
  import_default: boolean;
  import_generated: boolean;
  import_not_null: boolean;
}

export const DEFAULT_IMPORT_OPTIONS: ImportOptions = {
  import_collate: true,
  import_default: false,
  import_generated: true,
  import_not_null: true,
};

export interface DesiredLink {
  name: string;
  remote: {
    target: ConnectionTarget;
    /** The environment variable that held the whole remote URL, if it was `${VAR}`. */
    variable: string | null;
    /** The url as written in the file (`${VAR}`), for export. Never holds a password. */
    urlSource: string;
    schema: string;
    /**
     * With `scram_passthrough` the URL's password (if any) is only for datalinks' own reading of the
     * remote from this machine: it never goes into a user mapping. Absent: `password`.
     */
    auth?: RemoteAuth;
  };
  tables: string[] | null;
  exclude: string[];
  access: Access;
  grantTo: string[];
  /** postgres_fdw options as Postgres stores them (strings), from `server_options`. */
  serverOptions: Record<string, string>;
  importOptions: ImportOptions;
  position: SourcePosition;
}

export interface DesiredDatabase {
  alias: string;
  target: ConnectionTarget;
  /** The url as written in the file (`${VAR}`), for export. Never holds a password. */
  urlSource: string;
  links: DesiredLink[];
  position: SourcePosition;
}

export interface DesiredState {
  configPath: string;
  /** sha256 of the file's bytes: a saved plan is only valid for the file it was made from. */
  configHash: string;
  databases: DesiredDatabase[];
}
