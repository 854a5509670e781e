/** The formats of `datalinks check --format`: apart from check-output.ts so that commands.ts loads no renderer. */
export const CHECK_FORMATS = ['text', 'json', 'openmetrics'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];
