import { randomBytes } from 'node:crypto';
import { lstat, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';

/** What is written, for its messages (`the plan`, the default), and its mode (0600 by default). */
export interface WriteOptions {
  what?: string;
  /** Another reader must read it (node_exporter's textfile collector runs as its own user): 0o644. */
  mode?: number;
}

/**
 * Writes `text` to `path` as a new file: a temp file in the same directory (mode 0600 unless said,
 * created exclusively), flushed, then renamed over `path`. A reader never sees half a file, and a
 * symlink at `path` is refused rather than followed, so the file it points to is never overwritten.
 * The temp file's name starts with a dot and ends `.tmp`, so a collector of `*.prom` files skips it.
 */
export async function writeFileAtomically(path: string, text: string, options: WriteOptions = {}): Promise<void> {
  await checkWritablePath(path, options);
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', options.mode ?? 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw cannotWrite(path, describeErrno(error as NodeJS.ErrnoException), undefined, options.what);
  }
}

/** Refuses, before any work is done, a path that is a symlink or something other than a file. */
export async function checkWritablePath(path: string, options: Pick<WriteOptions, 'what'> = {}): Promise<void> {
  const existing = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw cannotWrite(path, describeErrno(error), undefined, options.what);
  });
  if (existing?.isSymbolicLink()) {
    throw cannotWrite(
      path,
      'it is a symbolic link, and datalinks does not write through links',
      'pass the path of the file itself, or remove the link',
      options.what,
    );
  }
  if (existing && !existing.isFile())
    throw cannotWrite(path, 'it exists and is not a regular file', 'pass the path of a file', options.what);
}

function describeErrno(error: NodeJS.ErrnoException): string {
  const reasons: Record<string, string> = {
    ENOENT: 'its directory does not exist',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EISDIR: 'it is a directory',
    ENOTDIR: 'a part of the path is not a directory',
    ENOSPC: 'the disk is full',
    EROFS: 'the file system is read-only',
  };
  return reasons[error.code ?? ''] ?? `the system said ${error.code ?? 'unknown error'}`;
}

function cannotWrite(path: string, reason: string, hint?: string, what = 'the plan'): UserError {
  const code = what === 'the plan' ? 'plan_not_saved' : 'file_not_written';
  return new UserError(code, `cannot write ${what} to ${path}: ${reason}`, hint ? [hint] : []);
}
