import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from '../../src/demo/embedded-server.js';

/**
 * Real readers of `check --format openmetrics`, from Debian's packages (README "Development"):
 * - promtool (package prometheus): `promtool check metrics` parses the Prometheus text format as
 *   Prometheus itself and node_exporter do (client_golang's expfmt) and lints it (HELP, units, names);
 * - the OpenMetrics parser of the official Python client (package python3-prometheus-client), which
 *   holds the text to OpenMetrics 1.0 (`# EOF`, UNIT suffixes, escapes);
 * - node_exporter (package prometheus-node-exporter), whose textfile collector is what the file is for.
 * Missing, the tests that need them are skipped with a message, unless DATALINKS_REQUIRE_METRICS_TOOLS=1
 * (CI), which makes that a failure.
 */

const PROMTOOL = '/usr/bin/promtool';
const PYTHON = '/usr/bin/python3';
const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';

/** Why the tools are not here ('' when they are), naming the packages to install. */
export function missingMetricsTools(): string {
  const missing: string[] = [];
  if (!existsSync(PROMTOOL)) missing.push('prometheus (promtool)');
  if (!existsSync(NODE_EXPORTER)) missing.push('prometheus-node-exporter');
  if (!existsSync(PYTHON) || spawnSync(PYTHON, ['-c', 'import prometheus_client.openmetrics.parser']).status !== 0) {
    missing.push('python3-prometheus-client');
  }
  if (missing.length === 0) return '';
  const reason = `metrics parsers missing: apt-get install --no-install-recommends ${missing.map((m) => m.split(' ')[0]).join(' ')}`;
  if (process.env.DATALINKS_REQUIRE_METRICS_TOOLS === '1')
    throw new Error(`${reason}, and DATALINKS_REQUIRE_METRICS_TOOLS=1 requires them`);
  console.warn(`\n*** OpenMetrics tests skipped: ${reason} ***\n`);
  return reason;
}

/** `promtool check metrics` on `text`: its exit code (0 valid and clean, 3 lint problems, 1 unparsable) and what it said. */
export function promtoolCheck(text: string): { code: number | null; said: string } {
  const result = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, said: `${result.stdout}${result.stderr}`.trim() };
}

export interface MetricFamily {
  name: string;
  type: string;
  unit: string;
  help: string;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

const OPENMETRICS_PARSE = `
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
families = [
    {"name": f.name, "type": f.type, "unit": f.unit, "help": f.documentation,
     "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]}
    for f in text_string_to_metric_families(sys.stdin.read())
]
json.dump(families, sys.stdout)
`;

/** The families the OpenMetrics parser reads in `text`; throws with the parser's error when it refuses it. */
export function parseOpenMetrics(text: string): MetricFamily[] {
  const result = spawnSync(PYTHON, ['-c', OPENMETRICS_PARSE], { input: text, encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`the OpenMetrics parser refused the text: ${result.stderr.trim().split('\n').at(-1)}`);
  return JSON.parse(result.stdout) as MetricFamily[];
}

/**
 * Starts node_exporter with only its textfile collector on `directory`, on a loopback port, scrapes it
 * once (retrying while it starts, 10 s at most) and stops it.
 */
export async function scrapeTextfileCollector(directory: string): Promise<string> {
  const port = await freePort();
  const exporter: ChildProcess = spawn(
    NODE_EXPORTER,
    [
      '--collector.disable-defaults',
      '--collector.textfile',
      `--collector.textfile.directory=${directory}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  try {
    const until = Date.now() + 10_000;
    for (;;) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2000) });
        return await response.text();
      } catch (error) {
        if (Date.now() > until) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    exporter.kill('SIGTERM');
  }
}
