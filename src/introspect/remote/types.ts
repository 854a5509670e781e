import type { ConnectOptions } from '../../db/connect.js';
import type { ConnectionTarget, LongValueQuestion } from '../../wrappers/types.js';
import type { RemoteSchema } from '../types.js';

/** What datalinks does with a link's remote from this machine, through the remote's own client library. */
export interface RemoteClient {
  /**
   * How datalinks itself proves that a remote answers: a connection with its handshake and
   * authentication, within the connect timeout, closed at once.
   */
  reach(target: ConnectionTarget, options: ConnectOptions): Promise<void>;
  /** The linked schemas of one remote: one connection and a fixed number of queries, whatever the number of tables. */
  readSchemas(target: ConnectionTarget, schemas: readonly string[], options: ConnectOptions): Promise<Record<string, RemoteSchema>>;
  /** For each question, how many rows hold a longer value than the wrapper reads; a wrapper that reads every value whole answers 0. */
  countLongValues(target: ConnectionTarget, questions: readonly LongValueQuestion[], options: ConnectOptions): Promise<number[]>;
}
