/**
 * The Ink terminal UI, loaded only when stdout is a terminal (cli/ui.ts). A module of its own because
 * the bundle replaces it (scripts/bundle.mjs): there the UI is an ES module file beside the CommonJS
 * bundle (Ink waits at its top level, which CommonJS cannot), imported through dist/cli/import-esm.cjs.
 */
export const loadTerminal = (): Promise<typeof import('./terminal.js')> => import('./terminal.js');
