export function readmeSizes(readme: string): {
  installed: { bytes: number; text: string }[];
  tarball: { bytes: number; text: string }[];
};
export function isNear(measured: number, stated: number, tolerance?: number): boolean;
export function formatSize(bytes: number): string;
