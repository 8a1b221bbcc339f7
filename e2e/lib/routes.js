// The router's route table, read from the binary under test (`doorstep routes --json`),
// and matching of concrete paths against its templates ("/jobs/{number}").

import { execFileSync } from 'node:child_process';
import { doorstepBin } from './server.js';

/**
 * Every route of the binary under test: [{ method, path, access }], in router order.
 * @returns {{method: string, path: string, access: string}[]}
 */
export function routeTable() {
  const out = execFileSync(doorstepBin(), ['routes', '--json'], { encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(out);
}

const segments = (p) => p.split('/').filter(Boolean);

/**
 * The template of `routes` that the router would pick for `pathname`, or null: a literal
 * segment wins over a parameter at the first place they differ, as in axum.
 */
export function matchRoute(routes, pathname) {
  const parts = segments(pathname);
  let best = null;
  let bestScore = null;
  for (const route of routes) {
    const tpl = segments(route.path);
    if (tpl.length !== parts.length) continue;
    const score = [];
    let ok = true;
    for (let i = 0; i < tpl.length; i += 1) {
      if (/^\{[^}]+\}$/.test(tpl[i])) score.push(0);
      else if (tpl[i] === parts[i]) score.push(1);
      else {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (!bestScore || score.join('') > bestScore.join('')) {
      best = route;
      bestScore = score;
    }
  }
  return best;
}

/** Whether the template has path parameters. */
export const hasParams = (template) => template.includes('{');
