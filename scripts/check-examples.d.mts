/** The problems of one example file (1-based line and column; 0 for the whole file). */
export function checkExample(text: string): { line: number; column: number; message: string }[];
