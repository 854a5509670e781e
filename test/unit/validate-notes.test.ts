import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig, validateConfig } from '../../src/config/load-config.js';
import { formatNote, formatProblem } from '../../src/config/problem.js';

const FLEET = `version: 1
databases:
  main:
    url: \${LOCAL_URL}
    links:
      billing:
        remote:
          url: \${BILLING_URL}
      crm:
        remote:
          url: \${BILLING_URL}
      ledger:
        remote:
          url: \${BILLING_URL}
`;

describe('an unset variable used many times', () => {
  it('is one note for validate, where it is first used, with how many other places use it', async () => {
    const path = join(tmpdir(), `datalinks-notes-${process.pid}.yaml`);
    writeFileSync(path, FLEET);
    const result = await validateConfig(path, { LOCAL_URL: 'postgres://app@db/app' });
    expect(result.ok).toBe(true);
    expect(result.notes.map(formatNote)).toEqual([
      `${path}:8:16: note: environment variable BILLING_URL is not set (used in "databases.main.links.billing.remote.url" and 2 other places); validate checked the file without it\n  hint: plan, apply, check, list and export need it: export BILLING_URL=... or set it in your CI secrets`,
    ]);
  });

  it('is one problem for the commands that connect', async () => {
    const result = await parseConfig('datalinks.yaml', Buffer.from(FLEET), {});
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      'datalinks.yaml:4:10: environment variable LOCAL_URL is not set (used in "databases.main.url")\n  hint: export LOCAL_URL=... before running datalinks, or set it in your CI secrets',
      'datalinks.yaml:8:16: environment variable BILLING_URL is not set (used in "databases.main.links.billing.remote.url" and 2 other places)\n  hint: export BILLING_URL=... before running datalinks, or set it in your CI secrets',
    ]);
  });
});
