/** A server_version_num as PostgreSQL names its versions: 9.6, 10, 17. */
export function formatVersion(versionNum: number): string {
  return versionNum >= 100000
    ? String(Math.floor(versionNum / 10000))
    : `${Math.floor(versionNum / 10000)}.${Math.floor(versionNum / 100) % 100}`;
}
