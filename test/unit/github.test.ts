import { describe, expect, it } from 'vitest';
import { escapeCommandData, escapeCommandProperty, formatWorkflowCommand } from '../../src/cli/github.js';
import { registerSecret } from '../../src/secrets.js';

/** What the runner does with a workflow command line: split it at the first `::` after the properties. */
function parseCommand(line: string): { command: string; properties: Record<string, string>; message: string } {
  const match = /^::([a-z]+)(?: ([^:]*))?::(.*)\n$/s.exec(line);
  if (!match) throw new Error(`not one workflow command: ${JSON.stringify(line)}`);
  const decode = (text: string) =>
    text.replaceAll('%2C', ',').replaceAll('%3A', ':').replaceAll('%0A', '\n').replaceAll('%0D', '\r').replaceAll('%25', '%');
  const properties = Object.fromEntries(
    (match[2] ?? '')
      .split(',')
      .filter(Boolean)
      .map((pair) => {
        const [key, ...value] = pair.split('=');
        return [key, decode(value.join('='))];
      }),
  );
  return { command: match[1]!, properties, message: decode(match[3]!) };
}

const env = { GITHUB_WORKSPACE: '/home/runner/work/app' };

describe('workflow command escaping', () => {
  it('encodes %, CR and LF in messages, and : and , too in properties (GitHub toolkit rules)', () => {
    expect(escapeCommandData('100% a\r\nb::c,d')).toBe('100%25 a%0D%0Ab::c,d');
    expect(escapeCommandProperty('100% a\r\nb::c,d')).toBe('100%25 a%0D%0Ab%3A%3Ac%2Cd');
  });

  it('keeps a hostile name inside one annotation: no second command, no forged property', () => {
    const name = 'x%0A::error::forged\n::warning file=evil.yaml::also forged,line=1 `|` ::stop-commands::t';
    const line = formatWorkflowCommand(
      {
        level: 'warning',
        title: `destructive, in ${name}`,
        message: `link ${name} will be destroyed`,
        position: { file: `/home/runner/work/app/conf,ig:${name}.yaml`, line: 7, column: 3 },
      },
      env,
    );
    expect(line.split('\n')).toHaveLength(2);
    expect(line.endsWith('\n')).toBe(true);
    const parsed = parseCommand(line);
    expect(parsed.command).toBe('warning');
    expect(Object.keys(parsed.properties)).toStrictEqual(['title', 'file', 'line', 'col']);
    expect(parsed.properties.file).toBe(
      'conf,ig:x%0A::error::forged\\x0a::warning file=evil.yaml::also forged,line=1 `|` ::stop-commands::t.yaml',
    );
    expect(parsed.properties.line).toBe('7');
    expect(parsed.properties.col).toBe('3');
    expect(parsed.message).toBe(
      'link x%0A::error::forged\\x0a::warning file=evil.yaml::also forged,line=1 `|` ::stop-commands::t will be destroyed',
    );
  });

  it('shows escape sequences as text, puts the hint on a second line of the annotation, and names the file relative to the workspace', () => {
    const line = formatWorkflowCommand(
      {
        level: 'error',
        message: 'unknown key "\u001b[31mlinkz"',
        hint: 'did you mean "links"?',
        position: { file: '/home/runner/work/app/infra/datalinks.yaml', line: 5, column: 5 },
      },
      env,
    );
    expect(line).toBe('::error file=infra/datalinks.yaml,line=5,col=5::unknown key "\\x1b[31mlinkz"%0Ahint: did you mean "links"?\n');
  });

  it('never shows a secret, whatever its characters', () => {
    registerSecret('p%a\nss,w:rd');
    const line = formatWorkflowCommand({ level: 'error', message: 'auth failed for p%a\nss,w:rd', title: 'p%a\nss,w:rd' }, env);
    expect(parseCommand(line).message).toBe('auth failed for ********');
    expect(parseCommand(line).properties.title).toBe('********');
  });

  it('leaves out line and col for a problem about the whole file', () => {
    expect(formatWorkflowCommand({ level: 'error', message: 'empty', position: { file: 'datalinks.yaml', line: 0, column: 0 } }, {})).toBe(
      '::error file=datalinks.yaml::empty\n',
    );
  });
});
