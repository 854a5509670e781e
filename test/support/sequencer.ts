import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The MySQL files first, then integration, then unit: the MySQL files mostly wait (stalled peers,
 * a child process stopped by a signal) while the integration files keep both cores busy, and the
 * short unit files fill the end. Within a project, Vitest's order: the slowest first when it has run
 * them before, else the largest.
 */
const PROJECTS = ['mysql', 'integration', 'unit'];

export default class ProjectsInOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = PROJECTS.indexOf(file.project.name);
      return index === -1 ? PROJECTS.length : index;
    };
    // Array.prototype.sort is stable: the base order holds within a project.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}
