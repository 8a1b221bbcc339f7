// Accessibility check with axe-core: WCAG 2.x level A and AA rules.
// The app's Content-Security-Policy forbids inline scripts, so pages checked
// here must come from a browser context created with `bypassCSP: true`
// (see newContext in ./browser.js).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const AXE_SOURCE = readFileSync(
  fileURLToPath(new URL('../node_modules/axe-core/axe.min.js', import.meta.url)),
  'utf8',
);

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const FAILING_IMPACTS = new Set(['serious', 'critical']);

/**
 * Runs axe on the page as it is now and throws, listing every serious or
 * critical violation (rule id, impact, help text, target selectors). `skipRules` turns
 * rules off (the look test computes text contrast itself, more strictly than axe's
 * color-contrast, which leaves text on transparent buttons "incomplete").
 * @param {import('playwright-core').Page} page
 * @returns {Promise<object>} axe's full results, when nothing serious was found
 */
export async function checkA11y(page, { skipRules = [] } = {}) {
  const present = await page.evaluate(() => typeof window.axe === 'object');
  if (!present) await page.addScriptTag({ content: AXE_SOURCE });
  const rules = Object.fromEntries(skipRules.map((id) => [id, { enabled: false }]));
  const results = await page.evaluate(
    ({ tags, rules }) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, rules, resultTypes: ['violations'] }),
    { tags: WCAG_TAGS, rules },
  );
  const bad = results.violations.filter((v) => FAILING_IMPACTS.has(v.impact));
  if (bad.length > 0) {
    const lines = bad.map((v) => {
      const targets = v.nodes.map((n) => `      ${JSON.stringify(n.target)}`).join('\n');
      return `  - ${v.id} (${v.impact}): ${v.help}\n    ${v.helpUrl}\n${targets}`;
    });
    throw new Error(
      `axe found ${bad.length} serious/critical accessibility violation(s) on ${page.url()}:\n${lines.join('\n')}`,
    );
  }
  return results;
}
