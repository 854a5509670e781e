import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The MySQL files first, then integration, then unit: the MySQL files mostly wait (stalled peers,
 * a child process stopped by a signal) while the integration files keep both cores busy, and the
 * short unit files fill the end.
 */
const PROJECTS = ['mysql', 'integration', 'unit'];

/**
 * Within a project, the files that take longest start first, so that no long file starts near the end
 * and runs on alone. Vitest knows the durations only after a run on the same checkout (a fresh clone
 * and CI have none, and it then orders by file size: a short file of long walks came last); these are
 * the files that took over 10 s on a fresh clone. A file missing here only starts later.
 */
const LONG_FILES = [
  'test/integration/convergence.test.ts',
  'test/mysql/mysql-exits.test.ts',
  'test/integration/exits.test.ts',
  'test/integration/check.test.ts',
  'test/integration/stalled-peers.test.ts',
  'test/integration/secrets-url-forms.test.ts',
];

export default class ProjectsInOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = PROJECTS.indexOf(file.project.name);
      return index === -1 ? PROJECTS.length : index;
    };
    const length = (file: TestSpecification) => {
      // By the path under the project, not the file's name: test/unit has a check.test.ts too.
      const index = LONG_FILES.findIndex((path) => file.moduleId.replaceAll('\\', '/').endsWith(`/${path}`));
      return index === -1 ? LONG_FILES.length : index;
    };
    // Array.prototype.sort is stable: the base order holds among the rest of a project's files.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b) || length(a) - length(b));
  }
}
