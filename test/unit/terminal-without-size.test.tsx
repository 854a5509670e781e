import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { inkStdout, terminalColumns, trackApply, trackReading } from '../../src/render/terminal.js';

// These tests watch Ink draw live frames. With CI set, Ink (is-in-ci, read when it is first imported)
// draws nothing until it stops; the unit project clears CI for its threads (vitest.config.ts).

/** A pseudo-terminal that reports 0×0, as `script` and some CI runners do. */
class SizelessTerminal extends EventEmitter {
  readonly isTTY = true;
  columns = 0;
  rows = 0;
  written = '';
  write(chunk: string): boolean {
    this.written += chunk;
    return true;
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 30));
const ERASE_SCROLLBACK = '\u001b[3J';
const CLEAR_SCREEN = '\u001b[2J';

describe('a terminal that reports no size', () => {
  it('is taken as 80 columns wide, and a real width is kept', () => {
    expect(terminalColumns({ columns: 0 })).toBe(80);
    expect(terminalColumns({ columns: 132 })).toBe(132);
    const sized = Object.assign(new SizelessTerminal(), { columns: 132, rows: 40 });
    expect(inkStdout(sized as unknown as NodeJS.WriteStream).columns).toBe(132);
  });

  it('shows apply progress on whole lines and never clears the screen or the scrollback', async () => {
    const terminal = new SizelessTerminal();
    const progress = trackApply(['main', 'reporting'], terminal as unknown as NodeJS.WriteStream);
    progress.progress('main', 2, 5);
    await tick();
    progress.finish('main', 'Database main: applied 5 statements in 0.1s.', false);
    progress.finish('reporting', 'Database reporting: no changes.', false);
    await vi.waitFor(() => {
      expect(terminal.written).toContain('Database main: applied 5 statements in 0.1s.');
      expect(terminal.written).toContain('Database reporting: no changes.');
    });
    progress.stop();
    expect(terminal.written).not.toContain(ERASE_SCROLLBACK);
    expect(terminal.written).not.toContain(CLEAR_SCREEN);
  });

  it('shows the reading spinners on whole lines and never clears the scrollback', async () => {
    const terminal = new SizelessTerminal();
    const reading = trackReading(['main'], terminal as unknown as NodeJS.WriteStream);
    await tick();
    reading.update('main', 'done');
    await vi.waitFor(() => expect(terminal.written).toMatch(/main/));
    reading.stop();
    expect(terminal.written).not.toMatch(/m\s*\n\s*a\s*\n\s*i\s*\n\s*n/);
    expect(terminal.written).not.toContain(ERASE_SCROLLBACK);
  });
});
