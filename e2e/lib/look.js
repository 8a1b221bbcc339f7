// The look of a page (issue 15), measured in the browser: no word split across lines, nothing
// wider than its container, targets of at least 24 × 24 px (WCAG 2.2), every text at least
// 4.5:1 against what is really behind it, messages styled by their kind; plus axe's serious
// and critical violations. `lookAt` checks a page at 375 and 1280 px and saves a screenshot of
// each width under target/screenshots/.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkA11y } from './axe.js';

export const WIDTHS = [
  { width: 375, height: 812 },
  { width: 1280, height: 900 },
];
export const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../target/screenshots');
// Words a success message uses; such a text in an error-styled alert is a mistake.
const SUCCESS_WORDS = /\b(sent|saved|changed|thank you|approved|updated|published)\b/i;
// The smallest contrast of any text: WCAG 1.4.3's 4.5:1, for every size.
const MIN_CONTRAST = 4.5;

/** Everything wrong with the page at the current width, as lines of text. */
export function pageProblems(page) {
  return page.evaluate(
    ({ successSource, minContrast }) =>
      new Promise((resolve) =>
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            const problems = [];
            const add = (line) => {
              if (problems.length < 25 && !problems.includes(line)) problems.push(line);
            };
            const styles = new Map();
            const style = (el) => {
              let s = styles.get(el);
              if (!s) {
                s = getComputedStyle(el);
                styles.set(el, s);
              }
              return s;
            };
            const name = (el) => {
              const id = el.id ? `#${el.id}` : '';
              const cls =
                typeof el.className === 'string' && el.className.trim()
                  ? `.${el.className.trim().split(/\s+/).join('.')}`
                  : '';
              return `${el.tagName.toLowerCase()}${id}${cls}`;
            };
            const pageWidth = document.documentElement.scrollWidth;
            const visible = new Map();
            const shown = (el) => {
              if (visible.has(el)) return visible.get(el);
              let yes = el.checkVisibility({ opacityProperty: true, visibilityProperty: true, contentVisibilityAuto: true });
              for (let e = el; yes && e && e !== document.body; e = e.parentElement) {
                const s = style(e);
                // Text only for screen readers (the visually-hidden pattern).
                if (s.position === 'absolute' && (s.clip !== 'auto' || e.getBoundingClientRect().width <= 1)) yes = false;
              }
              if (yes) {
                // Parked off the page until focused (the skip link).
                const r = el.getBoundingClientRect();
                if (r.right <= 0 || r.left >= pageWidth) yes = false;
              }
              visible.set(el, yes);
              return yes;
            };
            const blockOf = (el) => {
              let e = el;
              while (e && e !== document.body && style(e).display.startsWith('inline')) e = e.parentElement;
              return e || document.body;
            };

            // 1. No word split across lines, and no word past the edge of its block.
            const textParents = new Set();
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              const parent = node.parentElement;
              if (!parent || ['SCRIPT', 'STYLE', 'OPTION', 'TEXTAREA', 'TITLE', 'NOSCRIPT'].includes(parent.tagName)) continue;
              if (!node.data.trim() || !shown(parent)) continue;
              textParents.add(parent);
              const block = blockOf(parent).getBoundingClientRect();
              const re = /\S+/g;
              for (let m = re.exec(node.data); m; m = re.exec(node.data)) {
                const range = document.createRange();
                range.setStart(node, m.index);
                range.setEnd(node, m.index + m[0].length);
                const rects = [...range.getClientRects()].filter((r) => r.width > 0);
                const lines = [...new Set(rects.map((r) => Math.round(r.top)))];
                if (lines.length > 1) {
                  // Allowed: a word longer than a whole line (a URL), and a compound broken
                  // after its hyphen ("tune-|up"). Never an identifier or a date ("J-|1075").
                  const total = rects.reduce((sum, r) => sum + r.width, 0);
                  const compound = /\p{L}{2,}$/u.test(m[0].split('-')[1] || '') && !/-\d/.test(m[0]);
                  if (total <= block.width && !compound) add(`word "${m[0]}" split over ${lines.length} lines in ${name(parent)}`);
                }
                for (const r of rects) {
                  if (r.right > block.right + 1 || r.left < block.left - 1) {
                    add(`word "${m[0]}" sticks out of ${name(blockOf(parent))}`);
                    break;
                  }
                }
              }
            }

            // 2. No element wider than its container or the window.
            const width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth > width) {
              add(`the page scrolls sideways: ${document.documentElement.scrollWidth} px in a ${width} px window`);
            }
            for (const el of document.body.querySelectorAll('*')) {
              const parent = el.parentElement;
              if (!parent || !shown(el)) continue;
              const s = style(el);
              if (s.position === 'absolute' || s.position === 'fixed') continue;
              const r = el.getBoundingClientRect();
              if (r.width === 0 && r.height === 0) continue;
              const p = parent.getBoundingClientRect();
              if (r.right > p.right + 1 || r.left < p.left - 1) {
                add(`${name(el)} (${Math.round(r.left)}–${Math.round(r.right)} px) overflows ${name(parent)} (${Math.round(p.left)}–${Math.round(p.right)} px)`);
              }
            }

            // 3. Targets of at least 24 × 24 px.
            const controls = document.body.querySelectorAll(
              'input[type=radio], input[type=checkbox], button, .button, input[type=submit], input[type=button], summary, select',
            );
            for (const el of controls) {
              if (!shown(el)) continue;
              const r = el.getBoundingClientRect();
              if (r.width < 24 || r.height < 24) {
                add(`${name(el)} "${(el.textContent || el.value || '').trim()}" is ${r.width.toFixed(1)} × ${r.height.toFixed(1)} px`);
              }
            }

            // 4. Every text readable on what is really behind it: the colour of the text over
            // the first opaque background among its ancestors, with every translucent one
            // between blended in (so a transparent button on a white card counts as white).
            const rgba = (c) => {
              const m = /^rgba?\(([^)]+)\)$/.exec(c.trim());
              if (!m) return null;
              const v = m[1].split(/[\s,/]+/).filter(Boolean).map(parseFloat);
              return v.length >= 3 ? [v[0], v[1], v[2], v.length > 3 ? v[3] : 1] : null;
            };
            const over = (top, under) => {
              const a = top[3];
              return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat(1);
            };
            const lum = ([r, g, b]) => {
              const f = (v) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
              return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
            };
            // The colour behind `el`, or null when an image or gradient is behind it.
            const backdrop = (el) => {
              const layers = [];
              for (let e = el; e; e = e.parentElement) {
                const s = style(e);
                if (s.backgroundImage && s.backgroundImage !== 'none') return null;
                const c = rgba(s.backgroundColor);
                if (c && c[3] > 0) {
                  layers.push(c);
                  if (c[3] >= 1) break;
                }
              }
              return layers.reduceRight((under, layer) => over(layer, under), [255, 255, 255, 1]);
            };
            const checkContrast = (el, text) => {
              if (el.closest(':disabled, [aria-disabled=true]')) return;
              const fg = rgba(style(el).color);
              const bg = backdrop(el);
              if (!fg || !bg) return;
              const a = lum(over(fg, bg));
              const b = lum(bg);
              const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
              if (ratio < minContrast - 0.005) {
                const words = text.trim().replace(/\s+/g, ' ').slice(0, 40);
                add(`text "${words}" in ${name(el)} has a contrast of ${ratio.toFixed(2)}:1 (${style(el).color} on rgb(${bg.slice(0, 3).map(Math.round).join(', ')}))`);
              }
            };
            for (const el of textParents) checkContrast(el, el.textContent);
            for (const el of document.body.querySelectorAll('input:not([type=hidden]):not([type=radio]):not([type=checkbox]):not([type=file]):not([type=color]), select, textarea')) {
              if (shown(el) && el.value) checkContrast(el, el.value);
            }

            // 5. Messages by kind: a status is never error-styled, a success never an error.
            const success = new RegExp(successSource, 'i');
            for (const el of document.body.querySelectorAll('.alert.error, [role=status]')) {
              const text = el.textContent.trim().replace(/\s+/g, ' ');
              if (el.matches('[role=status]') && el.matches('.alert.error')) add(`status "${text}" is styled as an error`);
              else if (el.matches('.alert.error') && success.test(text)) add(`success "${text}" is styled as an error`);
            }
            for (const el of document.body.querySelectorAll('.alert')) {
              if (!el.matches('.success, .error, .warning, .info')) add(`${name(el)} has no kind`);
            }
            resolve(problems);
          }),
        ),
      ),
    { successSource: SUCCESS_WORDS.source, minContrast: MIN_CONTRAST },
  );
}

/**
 * Checks the page at both widths, saving a screenshot of each as `<label>-<width>.png`, then
 * runs axe; returns the problems (never throws for them).
 */
export async function lookAt(page, label) {
  const found = [];
  for (const viewport of WIDTHS) {
    let t = Date.now();
    await page.setViewportSize(viewport);
    // JPEG: a fifth of a PNG's size and faster to write, for a few hundred screenshots.
    await page.screenshot({ path: path.join(SHOTS, `${label}-${viewport.width}.jpg`), fullPage: true, type: 'jpeg', quality: 70 });
    timings.screenshots += Date.now() - t;
    t = Date.now();
    for (const p of await pageProblems(page)) found.push(`${label} at ${viewport.width} px: ${p}`);
    timings.checks += Date.now() - t;
  }
  const t = Date.now();
  try {
    await checkA11y(page, { skipRules: ['color-contrast'] });
  } catch (err) {
    found.push(`${label}: ${err.message}`);
  }
  timings.axe += Date.now() - t;
  return found;
}

/** Milliseconds spent in each part of `lookAt`, for the run's summary. */
export const timings = { screenshots: 0, checks: 0, axe: 0 };
