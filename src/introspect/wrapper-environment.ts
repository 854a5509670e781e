import { postgresWrapper } from '../wrappers/postgres/wrapper.js';
import type { Wrapper } from '../wrappers/types.js';
import type { LocalEnvironment, WrapperEnvironment } from './types.js';

/** The state of `wrapper`'s extension in a local database (see LocalEnvironment.wrappers). */
export function wrapperEnvironment(env: LocalEnvironment, wrapper: Wrapper): WrapperEnvironment {
  return (
    env.wrappers?.[wrapper.fdw] ??
    (wrapper === postgresWrapper
      ? { extension: env.fdwExtension, available: env.fdwAvailable, usage: env.fdwUsage }
      : { extension: null, available: false, usage: null })
  );
}
