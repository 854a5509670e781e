import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';

export type FileRead = { ok: true; bytes: Buffer } | { ok: false; message: string; hint: string; missing?: boolean };

/**
 * Reads a regular file of at most `maxBytes`. A FIFO, a device or a directory is refused before it
 * is opened (reading a FIFO waits for a writer forever; /dev/zero never ends), and the read itself
 * stops at the bound, so a file that grows, or is swapped for something else, cannot exhaust memory.
 */
export async function readRegularFile(path: string, maxBytes: number, what = 'file'): Promise<FileRead> {
  try {
    const refused = notRegular(await stat(path), maxBytes, what);
    if (refused) return refused;
    // O_NONBLOCK: if the path was swapped for a FIFO since the stat, open returns instead of waiting.
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const stats = await handle.stat();
      const again = notRegular(stats, maxBytes, what);
      if (again) return again;
      // Sized for the file as it was, grown (up to the bound) only if it grew: allocating the whole
      // bound up front cost every run 10 MB of resident memory for a file of a few kilobytes.
      let buffer = Buffer.alloc(Math.min(maxBytes + 1, stats.size + 1));
      let length = 0;
      for (;;) {
        if (length === buffer.length) {
          if (buffer.length > maxBytes) break;
          const grown = Buffer.alloc(Math.min(maxBytes + 1, buffer.length * 2 + 4096));
          buffer.copy(grown, 0, 0, length);
          buffer = grown;
        }
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
      }
      if (length > maxBytes) return tooLarge(maxBytes, what);
      return { ok: true, bytes: buffer.subarray(0, length) };
    } finally {
      await handle.close();
    }
  } catch (error) {
    return unreadable(error, path, what);
  }
}

function notRegular(stats: import('node:fs').Stats, maxBytes: number, what: string): FileRead | undefined {
  if (stats.isDirectory()) return { ok: false, message: 'is a directory, not a file', hint: `pass the ${what} itself` };
  if (stats.isFIFO())
    return { ok: false, message: 'is a named pipe (FIFO), not a regular file', hint: `write the ${what} to a file and pass that` };
  if (stats.isCharacterDevice() || stats.isBlockDevice())
    return { ok: false, message: 'is a device, not a regular file', hint: `pass the ${what} itself` };
  if (stats.isSocket()) return { ok: false, message: 'is a socket, not a regular file', hint: `pass the ${what} itself` };
  if (!stats.isFile()) return { ok: false, message: 'is not a regular file', hint: `pass the ${what} itself` };
  if (stats.size > maxBytes) return tooLarge(maxBytes, what);
  return undefined;
}

function tooLarge(maxBytes: number, what: string): FileRead {
  return {
    ok: false,
    message: `is larger than ${Math.round(maxBytes / 1024 / 1024)} MB, the limit for a ${what}`,
    hint: 'check that this is the right file; split a very large fleet into several files and run them separately',
  };
}

function unreadable(error: unknown, path: string, what: string): FileRead {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return { ok: false, message: 'file not found', hint: `check the path ${path}`, missing: true };
  if (code === 'EISDIR') return { ok: false, message: 'is a directory, not a file', hint: `pass the ${what} itself` };
  if (code === 'EACCES' || code === 'EPERM')
    return { ok: false, message: 'cannot be read: permission denied', hint: 'check the file permissions' };
  if (code === 'ELOOP') return { ok: false, message: 'is a loop of symbolic links', hint: `pass the ${what} itself` };
  return { ok: false, message: `cannot be read (${code ?? 'unknown error'})`, hint: 'check the path' };
}
