import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkExample } from '../../scripts/check-examples.mjs';

type Problem = { line: number; column: number; message: string };
const check = (text: string): Problem[] => checkExample(text);

/** A workflow of a plan matrix and an apply job, with `apply`'s if: and the plan's strategy given. */
function workflow({ applyIf, failFast = 'false', extra = '' }: { applyIf?: string; failFast?: string; extra?: string }): string {
  return [
    'on: push',
    'jobs:',
    '  plan:',
    '    runs-on: ubuntu-latest',
    '    strategy:',
    `      fail-fast: ${failFast}`,
    '      matrix:',
    '        shard: [eu, us]',
    '    steps:',
    '      - run: echo plan',
    '  apply:',
    '    needs: plan',
    ...(applyIf === undefined ? [] : [`    if: ${applyIf}`]),
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - run: echo apply',
    extra,
  ].join('\n');
}

describe('the examples checker', () => {
  it('catches the fleet example that skipped every shard when one failed, at its if:', () => {
    const problems = check(readFileSync('fixtures/workflows/fleet-apply-skipped-by-one-shard.yml', 'utf8'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 81, column: 9 });
    expect(problems[0]?.message).toContain(
      'job "apply" needs "plan", a matrix whose legs fail independently (fail-fast: false), but its if: has no status check function, so GitHub adds success()',
    );
  });

  it('passes every file of examples/', () => {
    const files = readdirSync('examples');
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) expect([file, check(readFileSync(join('examples', file), 'utf8'))]).toEqual([file, []]);
  });

  it.each([
    ['no if: at all', undefined],
    ['an if: without a status function', "github.event_name == 'push'"],
    ['a status function named only inside a string', "${{ github.ref == 'success()' }}"],
  ])('refuses a job that needs an independent matrix with %s', (_, applyIf) => {
    expect(check(workflow({ applyIf })).map((p) => p.message)).toEqual([expect.stringContaining('one failed leg of "plan"')]);
  });

  it.each([
    ['!cancelled()', "${{ !cancelled() && github.event_name == 'push' }}"],
    ['success() written out', 'success()'],
    ['failure()', "${{ failure() && needs.plan.result == 'failure' }}"],
  ])('accepts such a job whose if: has %s', (_, applyIf) => {
    expect(check(workflow({ applyIf }))).toEqual([]);
  });

  it('accepts a job after a fail-fast matrix without a status function: its legs stop together anyway', () => {
    expect(check(workflow({ applyIf: "github.event_name == 'push'", failFast: 'true' }))).toEqual([]);
  });

  it('refuses always() on a job that needs others: it runs after a cancel', () => {
    expect(check(workflow({ applyIf: '${{ always() }}' })).map((p) => p.message)).toEqual([
      expect.stringContaining('uses always(), which runs it even when the run is cancelled: use !cancelled()'),
    ]);
  });

  it('refuses a job-level if: that reads the matrix, which GitHub does not give it', () => {
    expect(check(workflow({ applyIf: "${{ !cancelled() && matrix.shard == 'eu' }}" })).map((p) => p.message)).toEqual([
      'the if: of job "apply" reads the matrix context, which a job-level if: cannot read (only github, needs, vars and inputs): move the condition into a step\'s if:',
    ]);
  });

  it('refuses needs of a job that does not exist, needs in a circle, and needs.X of a job not listed', () => {
    const text = [
      'on: push',
      'jobs:',
      '  a:',
      '    needs: [b, nowhere]',
      '    runs-on: ubuntu-latest',
      '    steps: [{ run: "echo ${{ needs.c.outputs.x }}" }]',
      '  b:',
      '    needs: a',
      '    runs-on: ubuntu-latest',
      '    steps: [{ run: echo }]',
      '  c:',
      '    runs-on: ubuntu-latest',
      '    steps: [{ run: echo }]',
    ].join('\n');
    expect(check(text).map((p) => `${p.line}:${p.column}: ${p.message}`)).toEqual([
      '3:3: the jobs a → b → a need each other in a circle',
      '4:16: job "a" needs "nowhere", which is not a job of this workflow',
      '6:20: job "a" reads needs.c, but the needs context holds only the jobs it lists in needs: add "c" to its needs',
    ]);
  });

  it('parses every document of a file, and reports YAML errors and duplicate keys with their line', () => {
    expect(check('a: 1\n---\nb: [2]\n')).toEqual([]);
    expect(check('a: 1\na: 2\n')).toEqual([{ line: 2, column: 1, message: expect.stringContaining('YAML: Map keys must be unique') }]);
    expect(check('a: [1, 2\n')[0]).toMatchObject({ message: expect.stringMatching(/^YAML: /) });
  });

  it('refuses a workflow schedule that is not a five-field cron expression', () => {
    const text = [
      'on:',
      '  schedule:',
      '    - cron: "17 3 * *"',
      '    - cron: "0 25 * * *"',
      '    - cron: "*/15 * * * mon-fri"',
      'jobs: {}',
    ];
    expect(check(text.join('\n')).map((p) => `${p.line}: ${p.message}`)).toEqual([
      '3: a schedule entry needs cron: a cron expression of five fields',
      '4: a schedule entry needs cron: a cron expression of five fields',
    ]);
  });
});

/** The Kubernetes example, with `edit` applied to its text. */
function cronJob(edit: (text: string) => string = (t) => t): string {
  return edit(readFileSync('examples/kubernetes-check-cronjob.yaml', 'utf8'));
}

describe('the examples checker on Kubernetes manifests', () => {
  it('passes the CronJob example, which mounts the file datalinks reads and the directory it writes', () => {
    expect(check(cronJob())).toEqual([]);
  });

  it.each([
    [
      'a four-field schedule',
      (t: string) => t.replace('"*/15 * * * *"', '"*/15 * * *"'),
      'the CronJob needs spec.schedule, a cron expression of five fields',
    ],
    [
      "the Job pod's restartPolicy Always",
      (t: string) => t.replace('restartPolicy: Never', 'restartPolicy: Always'),
      "a Job's pod needs restartPolicy Never or OnFailure",
    ],
    [
      'a mount of a volume the pod does not have',
      (t: string) => t.replace('- name: tmp\n                  mountPath', '- name: scratch\n                  mountPath'),
      'the volume mount "scratch" names no volume of the pod',
    ],
    [
      '--config at a key the ConfigMap lacks',
      (t: string) => t.replace('- /etc/datalinks/datalinks.yaml', '- /etc/datalinks/links.yaml'),
      'datalinks reads /etc/datalinks/links.yaml, but the ConfigMap "datalinks-config" has no key "links.yaml"',
    ],
    [
      '--config outside every mount',
      (t: string) => t.replace('- /etc/datalinks/datalinks.yaml', '- /config/datalinks.yaml'),
      'datalinks reads /config/datalinks.yaml, which is in no mounted volume',
    ],
    [
      '--out into a read-only mount',
      (t: string) => t.replace('mountPath: /textfile\n', 'mountPath: /textfile\n                  readOnly: true\n'),
      'datalinks writes /textfile/datalinks.prom, whose directory is mounted read-only',
    ],
    [
      '--out into the read-only root file system',
      (t: string) => t.replace('- /textfile/datalinks.prom', '- /var/datalinks.prom'),
      'datalinks writes /var/datalinks.prom, whose directory is in no mounted volume',
    ],
    [
      'a datalinks.yaml with an unknown key',
      (t: string) => t.replace('        links:\n', '        linkz:\n'),
      "the ConfigMap's datalinks.yaml is not a valid datalinks.yaml",
    ],
    [
      'a name Kubernetes refuses',
      (t: string) => t.replace('name: datalinks-check\n', 'name: Datalinks_Check\n'),
      'the CronJob has no metadata.name, or one Kubernetes refuses',
    ],
  ])('refuses %s', (_, edit, message) => {
    const edited = cronJob(edit);
    expect(edited).not.toBe(cronJob());
    expect(check(edited).map((p) => p.message)).toEqual([expect.stringContaining(message)]);
  });
});
