import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAIN_ROUTES, PAGE_ROUTE } from './policy';

// edge/README.md shows the main domain's routing table row by row, from `/health` on in the order
// of MAIN_ROUTES, then the fallback. A row added, removed or moved in one place only fails here.

const README = readFileSync(new URL('./README.md', import.meta.url), 'utf8');

/** The route names of each row of the README's table under `| request | origin | route | ... |`. */
function readmeRouteRows(): string[][] {
  const lines = README.split('\n');
  const header = lines.findIndex((line) => /^\|\s*request\s*\|\s*origin\s*\|\s*route\s*\|/.test(line));
  expect(header, 'the routing table in edge/README.md').toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const route = line.split('|')[3] ?? '';
    rows.push([...route.matchAll(/`([a-z_]+)`/g)].map((match) => match[1]!));
  }
  return rows;
}

/** The name each row of MAIN_ROUTES gives; its route reads the request only to refine the reason or a detail. */
function mainRouteNames(): string[] {
  const request = { method: 'GET', path: '/', url: new URL('https://toot.example/'), headers: new Headers() };
  return MAIN_ROUTES.map((row) => row.route(request).name);
}

describe('the routing table in edge/README.md', () => {
  it('lists the rows of MAIN_ROUTES from `health` on, in order, then the fallback', () => {
    const rows = readmeRouteRows();
    const fromHealth = rows.slice(rows.findIndex((names) => names[0] === 'health'));
    expect(fromHealth.map((names) => names[0])).toEqual([...mainRouteNames(), PAGE_ROUTE.name]);
  });
});
