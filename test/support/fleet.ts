/**
 * A fleet's datalinks.yaml as a user writes it once: the shared links under top-level `x-` keys, and
 * per tenant its URL (composed from one password variable), an alias of the catalog link and a merge
 * of the billing link with the tenant's own remote schema.
 */
export function fleetFile(tenants: readonly { alias: string; url: string }[]): string {
  const header = [
    'version: 1',
    'x-catalog: &catalog',
    '  remote:',
    '    url: ${CATALOG_URL}',
    '  tables: [products, prices]',
    'x-billing: &billing',
    '  remote: &billing-remote',
    '    url: ${BILLING_URL}',
    '  access: read',
    'databases:',
  ];
  const body = tenants.flatMap(({ alias, url }) => [
    `  ${alias}:`,
    `    url: ${url}`,
    '    links:',
    '      catalog: *catalog',
    '      billing:',
    '        <<: *billing',
    `        remote: { <<: *billing-remote, schema: ${alias} }`,
  ]);
  return `${[...header, ...body].join('\n')}\n`;
}

/** `count` tenants tenant_001... on one host, each its own database, reached as owner:${OWNER_PASSWORD}. */
export function tenantsOn(host: string, count: number): { alias: string; url: string }[] {
  return Array.from({ length: count }, (_, i) => {
    const alias = `tenant_${String(i + 1).padStart(3, '0')}`;
    return { alias, url: `postgres://owner:\${OWNER_PASSWORD}@${host}/${alias}` };
  });
}
