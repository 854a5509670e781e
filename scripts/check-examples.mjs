// Checks every file of examples/ as CI would want a user to find it: each parses as YAML (every
// document of it, duplicate keys refused), and each GitHub Actions workflow among them keeps GitHub's
// documented rules for `needs` and job-level `if` (docs.github.com, "Workflow syntax for GitHub Actions"
// jobs.<job_id>.needs and jobs.<job_id>.if, "Evaluate expressions in workflows" status check functions,
// "Contexts reference" availability):
//
// - `needs` names jobs of the workflow, without a cycle.
// - "If a job fails or is skipped, all jobs that need it are skipped unless the jobs use a conditional
//   expression that causes the job to continue", and "a default status check of success() is applied
//   unless you include one of these functions" (success, failure, always, cancelled). A matrix job's
//   result is failure when any of its legs fails. So a job that needs a matrix whose legs are meant to
//   fail on their own (`fail-fast: false`) and whose `if:` has no status check function is skipped
//   whole, every leg of it, when one leg of the matrix fails. Refused here.
// - always() runs even when the run is cancelled; GitHub's docs warn against it for a job that could
//   fail critically and recommend `!cancelled()`. A job that needs others and writes (applies) must not
//   run after a cancel: always() on a job with `needs` is refused.
// - A job-level `if:` can read only the github, needs, vars and inputs contexts (matrix, strategy, env,
//   secrets, steps, job and runner are not available there), and `needs.X` anywhere in a job reads only
//   jobs that job lists in its own `needs` (the needs context holds direct dependencies only).
//
// - A workflow's `schedule` holds cron expressions of five fields (POSIX cron, as GitHub reads them).
//
// Each Kubernetes object among them (a document with apiVersion and kind) keeps the API's rules that a
// typo would break silently or that `kubectl apply` refuses (kubernetes.io, "CronJob", "Jobs", "Pods",
// "Volumes"): a name, a CronJob's five-field schedule, a Job's pod restartPolicy Never or OnFailure,
// containers with a name and an image, volume mounts of volumes the pod has, at absolute paths. A
// ConfigMap's datalinks.yaml validates against schemas/datalinks.schema.json, and a datalinks command
// reads its --config from a mounted ConfigMap that has that key, and writes its --out into a mounted
// volume that is not read-only.
//
//   node scripts/check-examples.mjs      (.ci/run does; exits 1 on the first file with a problem)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { isMap, isScalar, isSeq, LineCounter, parse, parseAllDocuments } from 'yaml';

const STATUS_FUNCTIONS = /\b(?:success|failure|always|cancelled)\s*\(/;
const JOB_IF_CONTEXTS = new Set(['github', 'needs', 'vars', 'inputs']);
const CONTEXTS = new Set(['github', 'env', 'vars', 'job', 'jobs', 'steps', 'runner', 'secrets', 'strategy', 'matrix', 'needs', 'inputs']);

/**
 * The problems of one example file, each `{ line, column, message }` (1-based; 0 for the whole file).
 * @param {string} text
 * @returns {{ line: number, column: number, message: string }[]}
 */
export function checkExample(text) {
  const lines = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  const at = (node) => {
    const offset = node?.range?.[0];
    if (offset === undefined) return { line: 0, column: 0 };
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  if (!Array.isArray(documents)) return [{ line: 0, column: 0, message: 'is not YAML' }];
  const problems = [];
  for (const document of documents) {
    for (const error of document.errors) {
      const { line, col } = lines.linePos(error.pos[0]);
      problems.push({ line, column: col, message: `YAML: ${error.message.split('\n')[0]}` });
    }
  }
  if (problems.length > 0) return problems;
  for (const document of documents) problems.push(...checkWorkflow(document, at));
  problems.push(...checkKubernetes(documents, at));
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** POSIX cron: five fields of `*`, numbers, ranges, steps and lists (names of months and days too). */
function isCron(expression) {
  const fields = String(expression).trim().split(/\s+/);
  if (fields.length !== 5) return false;
  const bounds = [
    [0, 59],
    [0, 23],
    [1, 31],
    [1, 12],
    [0, 7],
  ];
  const names = [null, null, null, /^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)$/i, /^(sun|mon|tue|wed|thu|fri|sat)$/i];
  return fields.every((field, index) =>
    field.split(',').every((part) => {
      const match = /^(\*|([0-9a-z]+)(?:-([0-9a-z]+))?)(?:\/([0-9]+))?$/i.exec(part);
      if (!match) return false;
      const [min, max] = bounds[index];
      const value = (text) => (text === undefined ? true : names[index]?.test(text) || (/^[0-9]+$/.test(text) && Number(text) >= min && Number(text) <= max));
      return value(match[2]) && value(match[3]) && (match[4] === undefined || Number(match[4]) > 0);
    }),
  );
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let validateDatalinks;
/** schemas/datalinks.schema.json, compiled once, as editors and datalinks itself read it. */
function datalinksSchema() {
  validateDatalinks ??= new Ajv2020({ allErrors: true, strict: false }).compile(
    JSON.parse(readFileSync(join(ROOT, 'schemas', 'datalinks.schema.json'), 'utf8')),
  );
  return validateDatalinks;
}

/** The pod template of a workload, by kind: a Pod's own spec, a Job's template, a CronJob's job template. */
function podSpecOf(kind, spec) {
  if (!isMap(spec)) return undefined;
  if (kind === 'Pod') return spec;
  const template = kind === 'CronJob' ? spec.getIn(['jobTemplate', 'spec', 'template'], true) : spec.get('template', true);
  return isMap(template) ? template.get('spec', true) : undefined;
}

/** Kubernetes objects: see the rules at the top of this file. */
function checkKubernetes(documents, at) {
  const problems = [];
  const report = (node, message) => problems.push({ ...at(node), message });
  const objects = documents.map((document) => document.contents).filter((root) => isMap(root) && root.has('apiVersion') && root.has('kind'));
  const configMaps = new Map();
  for (const object of objects) {
    const kind = String(object.get('kind'));
    const name = object.getIn(['metadata', 'name']);
    if (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253) {
      report(object.get('metadata', true) ?? object, `the ${kind} has no metadata.name, or one Kubernetes refuses (lower-case letters, digits, - and .)`);
    }
    if (kind === 'ConfigMap' && typeof name === 'string') {
      const data = object.get('data', true);
      configMaps.set(name, isMap(data) ? data : undefined);
      if (!isMap(data)) continue;
      for (const pair of data.items) {
        if (!isScalar(pair.key) || !/^datalinks.*\.ya?ml$/.test(String(pair.key.value))) continue;
        const problem = datalinksConfigProblem(isScalar(pair.value) ? String(pair.value.value) : '');
        if (problem) report(pair.value, `the ConfigMap's ${pair.key.value} is not a valid datalinks.yaml: ${problem}`);
      }
    }
  }
  for (const object of objects) {
    const kind = String(object.get('kind'));
    const spec = object.get('spec', true);
    if (kind === 'CronJob') {
      const schedule = isMap(spec) ? spec.get('schedule', true) : undefined;
      if (!isScalar(schedule) || !isCron(schedule.value)) report(schedule ?? spec ?? object, 'the CronJob needs spec.schedule, a cron expression of five fields');
    }
    const pod = podSpecOf(kind, spec);
    if (!isMap(pod)) continue;
    if (kind === 'CronJob' || kind === 'Job') {
      const restart = pod.get('restartPolicy', true);
      if (!isScalar(restart) || !['Never', 'OnFailure'].includes(restart.value)) {
        report(restart ?? pod, "a Job's pod needs restartPolicy Never or OnFailure (Kubernetes refuses Always, the default)");
      }
    }
    const volumesNode = pod.get('volumes', true);
    const volumes = new Map((isSeq(volumesNode) ? volumesNode.items : []).filter(isMap).map((volume) => [String(volume.get('name')), volume]));
    const containers = pod.get('containers', true);
    if (!isSeq(containers) || containers.items.length === 0) report(pod, 'the pod has no containers');
    for (const container of isSeq(containers) ? containers.items : []) {
      if (!isMap(container)) continue;
      for (const field of ['name', 'image']) if (!isScalar(container.get(field, true))) report(container, `a container has no ${field}`);
      const mountsNode = container.get('volumeMounts', true);
      const mounts = (isSeq(mountsNode) ? mountsNode.items : []).filter(isMap);
      for (const mount of mounts) {
        const volume = String(mount.get('name'));
        if (!volumes.has(volume)) report(mount, `the volume mount "${volume}" names no volume of the pod`);
        if (!String(mount.get('mountPath') ?? '').startsWith('/')) report(mount, 'a mountPath must be an absolute path');
      }
      problems.push(...checkDatalinksCommand(container, mounts, volumes, configMaps, at));
    }
  }
  return problems;
}

/** The problem of a datalinks.yaml text against the JSON Schema, or undefined. */
function datalinksConfigProblem(text) {
  let config;
  try {
    config = parse(text, { uniqueKeys: true });
  } catch (error) {
    return `YAML: ${String(error.message).split('\n')[0]}`;
  }
  const validate = datalinksSchema();
  if (validate(config)) return undefined;
  const first = validate.errors?.[0];
  return `${first?.instancePath || '(the file)'} ${first?.message ?? 'does not match the schema'}`;
}

/**
 * A container that runs datalinks: the file its --config names is a key of a ConfigMap mounted at its
 * directory (when that ConfigMap is in the same file), and the directory of its --out is a mounted
 * volume that is not read-only (a read-only root file system writes nowhere else).
 */
function checkDatalinksCommand(container, mounts, volumes, configMaps, at) {
  const problems = [];
  const argv = ['command', 'args'].flatMap((field) => {
    const node = container.get(field, true);
    return isSeq(node) ? node.items.filter(isScalar) : [];
  });
  const words = argv.map((item) => String(item.value));
  const start = words.findIndex((word) => word === 'datalinks' || /^datalinks@/.test(word) || word.endsWith('/datalinks'));
  if (start < 0) return problems;
  const valueOf = (...flags) => {
    for (let i = start + 1; i < words.length - 1; i++) if (flags.includes(words[i])) return { value: words[i + 1], node: argv[i + 1] };
    return undefined;
  };
  const mountOf = (path) =>
    mounts
      .map((mount) => ({ mount, path: String(mount.get('mountPath') ?? '') }))
      .filter(({ path: mounted }) => path === mounted || path.startsWith(`${mounted.replace(/\/$/, '')}/`))
      .sort((a, b) => b.path.length - a.path.length)[0];
  const config = valueOf('-c', '--config');
  if (config) {
    const found = mountOf(config.value);
    const volume = found && volumes.get(String(found.mount.get('name')));
    const mapName = volume?.getIn(['configMap', 'name']);
    if (!found) problems.push({ ...at(config.node), message: `datalinks reads ${config.value}, which is in no mounted volume` });
    else if (mapName !== undefined && configMaps.has(String(mapName))) {
      const key = posix.relative(found.path, config.value);
      const data = configMaps.get(String(mapName));
      if (!data?.has(key)) problems.push({ ...at(config.node), message: `datalinks reads ${config.value}, but the ConfigMap "${mapName}" has no key "${key}"` });
    }
  }
  const out = valueOf('--out');
  if (out) {
    const found = mountOf(dirname(out.value));
    if (!found || found.mount.get('readOnly') === true) {
      problems.push({ ...at(out.node), message: `datalinks writes ${out.value}, whose directory is ${found ? 'mounted read-only' : 'in no mounted volume'}` });
    }
  }
  return problems;
}

/** GitHub's needs/if rules, when the document is a workflow (it has `on` and a `jobs` mapping). */
function checkWorkflow(document, at) {
  const root = document.contents;
  if (!isMap(root) || !root.has('on') || !isMap(root.get('jobs', true))) return [];
  const problems = [];
  const report = (node, message) => problems.push({ ...at(node), message });
  const jobsNode = root.get('jobs', true);
  const jobs = new Map(jobsNode.items.filter((pair) => isScalar(pair.key)).map((pair) => [String(pair.key.value), pair]));

  const needsOf = new Map();
  for (const [name, pair] of jobs) {
    const job = pair.value;
    if (!isMap(job)) continue;
    const needsNode = job.get('needs', true);
    const needs = isSeq(needsNode) ? needsNode.items : needsNode ? [needsNode] : [];
    needsOf.set(
      name,
      needs.filter(isScalar).map((item) => ({ name: String(item.value), node: item })),
    );
  }

  for (const [name, pair] of jobs) {
    const job = pair.value;
    if (!isMap(job)) continue;
    const needs = needsOf.get(name) ?? [];
    for (const need of needs) {
      if (!jobs.has(need.name)) report(need.node, `job "${name}" needs "${need.name}", which is not a job of this workflow`);
    }
    const ifNode = job.get('if', true);
    const condition = ifNode === undefined ? undefined : expressionOf(String(isScalar(ifNode) ? ifNode.value : ''));
    if (condition !== undefined) {
      for (const context of contextsIn(condition)) {
        if (!JOB_IF_CONTEXTS.has(context)) {
          report(
            ifNode,
            `the if: of job "${name}" reads the ${context} context, which a job-level if: cannot read (only github, needs, vars and inputs): move the condition into a step's if:`,
          );
        }
      }
    }
    const listed = new Set(needs.map((n) => n.name));
    for (const { job: other, node } of needsReferences(job)) {
      if (!listed.has(other)) {
        report(node, `job "${name}" reads needs.${other}, but the needs context holds only the jobs it lists in needs: add "${other}" to its needs`);
      }
    }
    if (needs.length === 0) continue;
    const hasStatus = condition !== undefined && STATUS_FUNCTIONS.test(stripStrings(condition));
    if (condition !== undefined && /\balways\s*\(/.test(stripStrings(condition))) {
      report(
        ifNode,
        `job "${name}" needs other jobs and its if: uses always(), which runs it even when the run is cancelled: use !cancelled() (GitHub's documented alternative)`,
      );
    }
    if (hasStatus) continue;
    for (const need of needs) {
      const needed = jobs.get(need.name)?.value;
      if (!isMap(needed) || !isIndependentMatrix(needed)) continue;
      report(
        ifNode ?? pair.key,
        `job "${name}" needs "${need.name}", a matrix whose legs fail independently (fail-fast: false), but ${ifNode ? 'its if: has no status check function, so GitHub adds success()' : 'it has no if:, so GitHub requires success()'}: one failed leg of "${need.name}" makes its result failure and skips "${name}" whole. Write if: \${{ !cancelled() && ... }} and let each leg check its own part`,
      );
    }
  }

  const on = root.get('on', true);
  const schedule = isMap(on) ? on.get('schedule', true) : undefined;
  for (const entry of isSeq(schedule) ? schedule.items : []) {
    const cron = isMap(entry) ? entry.get('cron', true) : undefined;
    if (!isScalar(cron) || !isCron(cron.value)) report(cron ?? entry, 'a schedule entry needs cron: a cron expression of five fields');
  }

  const cycle = findCycle(needsOf);
  if (cycle) report(jobs.get(cycle[0])?.key, `the jobs ${cycle.join(' → ')} need each other in a circle`);
  return problems;
}

/** A matrix job whose legs are not cancelled when one fails: each is meant to stand alone. */
function isIndependentMatrix(job) {
  const strategy = job.get('strategy', true);
  if (!isMap(strategy) || !strategy.has('matrix')) return false;
  const failFast = strategy.get('fail-fast', true);
  return isScalar(failFast) && (failFast.value === false || String(failFast.value).replace(/\s/g, '') === '${{false}}');
}

/** The expression of an `if:`: the text inside `${{ }}`, or the whole value (GitHub evaluates it as one). */
function expressionOf(value) {
  const trimmed = value.trim();
  const wrapped = /^\$\{\{([\s\S]*)\}\}$/.exec(trimmed);
  return wrapped ? wrapped[1] : trimmed;
}

/** The expression with its 'string literals' blanked, so that words inside them are not read as names. */
function stripStrings(expression) {
  return expression.replace(/'(?:[^']|'')*'/g, "''");
}

/** The contexts an expression reads (`matrix` in `matrix.shard`), by name. */
function contextsIn(expression) {
  const found = new Set();
  for (const match of stripStrings(expression).matchAll(/(?<![\w.-])([A-Za-z_][\w-]*)\s*(?=[.[])/g)) {
    if (CONTEXTS.has(match[1])) found.add(match[1]);
  }
  return found;
}

/** Every `needs.<job>` read anywhere in a job (its if:, env, steps...), with the node that holds it. */
function needsReferences(job) {
  const references = [];
  const visit = (node) => {
    if (isScalar(node) && typeof node.value === 'string') {
      for (const expression of expressionsIn(node.value, node === job.get('if', true))) {
        for (const match of stripStrings(expression).matchAll(/(?<![\w.-])needs\s*\.\s*([A-Za-z_][\w-]*)/g)) {
          references.push({ job: match[1], node });
        }
      }
    } else if (isMap(node)) for (const pair of node.items) visit(pair.value);
    else if (isSeq(node)) for (const item of node.items) visit(item);
  };
  visit(job);
  return references;
}

/** The `${{ }}` expressions of a value; a job's if: is an expression even without them. */
function expressionsIn(value, isIf) {
  const found = [...value.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1]);
  return found.length === 0 && isIf ? [value] : found;
}

/** A circle in the needs graph, as the names along it, or undefined. */
function findCycle(needsOf) {
  const state = new Map();
  const path = [];
  const walk = (name) => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'open') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'open');
    path.push(name);
    for (const need of needsOf.get(name) ?? []) {
      const cycle = needsOf.has(need.name) ? walk(need.name) : undefined;
      if (cycle) return cycle;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of needsOf.keys()) {
    const cycle = walk(name);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Every file under `dir`, sorted. */
function filesUnder(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const examples = join(root, 'examples');
  let failed = 0;
  for (const path of filesUnder(examples)) {
    const name = relative(root, path);
    if (!/\.ya?ml$/.test(path)) {
      console.log(`FAIL ${name}: examples/ holds YAML files (.yml, .yaml); this one is not checked`);
      failed++;
      continue;
    }
    const problems = checkExample(readFileSync(path, 'utf8'));
    console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${name}`);
    for (const p of problems) console.log(`     ${name}:${p.line}:${p.column}: ${p.message}`);
    if (problems.length > 0) failed++;
  }
  console.log(failed === 0 ? 'Examples check: all passed.' : `Examples check: ${failed} failed.`);
  process.exitCode = failed === 0 ? 0 : 1;
}
