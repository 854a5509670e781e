import type { ManagedMeta } from './types.js';

const PREFIX = 'datalinks:';

/** The comment that marks a server as managed. It holds when and from which variable, never a secret. */
export function formatManagedComment(meta: ManagedMeta, now: string): string {
  return `${PREFIX}${JSON.stringify({ created_at: meta.created_at ?? now, remote: meta.remote })}`;
}

/** The metadata of a managed server's comment, or null if the server is not managed by datalinks. */
export function parseManagedComment(comment: string | null): ManagedMeta | null {
  if (!comment?.startsWith(PREFIX)) return null;
  try {
    const parsed = JSON.parse(comment.slice(PREFIX.length)) as Partial<ManagedMeta>;
    return {
      created_at: typeof parsed.created_at === 'string' ? parsed.created_at : null,
      remote: typeof parsed.remote === 'string' ? parsed.remote : null,
    };
  } catch {
    return { created_at: null, remote: null };
  }
}
