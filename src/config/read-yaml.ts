import type { ConfigProblem } from './problem.js';
import { parseSimpleYaml } from './simple-yaml.js';
import { YamlSource } from './yaml-source.js';

/**
 * Parses a config's text into plain data and the positions of its keys and values. The plain YAML
 * of a usual datalinks.yaml is read by simple-yaml.ts; anything else, and every syntax error, by the
 * `yaml` package, loaded only then.
 */
export async function readYaml(
  file: string,
  text: string,
): Promise<{ ok: true; source: YamlSource; data: unknown } | { ok: false; problems: ConfigProblem[] }> {
  const simple = parseSimpleYaml(text);
  if (simple) return { ok: true, source: new YamlSource(file, simple.root, simple.lineStarts), data: simple.data };
  const { readYamlDocument } = await import('./yaml-document.js');
  return readYamlDocument(file, text);
}
