// The look of every list and detail page (issue 15): at 375 px and at 1280 px no word is
// split across lines, nothing sticks out of its container, every radio, checkbox and
// button is at least 24 × 24 px (WCAG 2.2 target size), and a success message never sits
// in an error-styled alert. Each page is saved as a screenshot at both widths under
// target/screenshots/ (CI keeps the directory).

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { checkA11y } from '../lib/axe.js';
import { chooseAccount, DEMO_PASSWORD, signIn } from '../lib/portal.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 600_000 };
const WIDTHS = [
  { width: 375, height: 812 },
  { width: 1280, height: 900 },
];
const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../target/screenshots');
// Words a success message uses; such a text in an error-styled alert is a mistake.
const SUCCESS_WORDS = /\b(sent|saved|changed|thank you|approved|updated|published)\b/i;

// A 16 × 12 PNG (for the photo step).
const TAP_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAMCAIAAADkharWAAAAFUlEQVR4nGM4kWJEEmIY1TCqATsCAPtvBpAD/ZyqAAAAAElFTkSuQmCC',
  'base64',
);

/** Everything wrong with the page's layout at the current width, as lines of text. */
function layoutProblems(page) {
  return page.evaluate(
    (successSource) =>
      new Promise((resolve) =>
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            const problems = [];
            const add = (line) => {
              if (problems.length < 25) problems.push(line);
            };
            const name = (el) => {
              const id = el.id ? `#${el.id}` : '';
              const cls =
                typeof el.className === 'string' && el.className.trim()
                  ? `.${el.className.trim().split(/\s+/).join('.')}`
                  : '';
              return `${el.tagName.toLowerCase()}${id}${cls}`;
            };
            const shown = (el) => {
              for (let e = el; e && e !== document.body; e = e.parentElement) {
                const s = getComputedStyle(e);
                if (s.display === 'none' || s.visibility === 'hidden') return false;
                // Text only for screen readers (the visually-hidden pattern).
                if (s.position === 'absolute' && (s.clip !== 'auto' || e.getBoundingClientRect().width <= 1)) return false;
              }
              return true;
            };
            const blockOf = (el) => {
              let e = el;
              while (e && e !== document.body && getComputedStyle(e).display.startsWith('inline')) e = e.parentElement;
              return e || document.body;
            };

            // 1. No word split across lines, and no word past the edge of its block.
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              const parent = node.parentElement;
              if (!parent || ['SCRIPT', 'STYLE', 'OPTION', 'TEXTAREA', 'TITLE'].includes(parent.tagName)) continue;
              if (!node.data.trim() || !shown(parent)) continue;
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
              const s = getComputedStyle(el);
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
              'input[type=radio], input[type=checkbox], button, .button, input[type=submit]',
            );
            for (const el of controls) {
              if (!shown(el)) continue;
              const r = el.getBoundingClientRect();
              if (r.width < 24 || r.height < 24) {
                add(`${name(el)} "${(el.textContent || el.value || '').trim()}" is ${r.width.toFixed(1)} × ${r.height.toFixed(1)} px`);
              }
            }

            // 3b. A button's text readable on what is really behind it (4.5:1), so a white
            // button on a white card is caught.
            const rgba = (c) => (c.match(/[\d.]+/g) || []).map(Number);
            const lum = ([r, g, b]) => {
              const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
              return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
            };
            const backdrop = (el) => {
              for (let e = el; e; e = e.parentElement) {
                const c = rgba(getComputedStyle(e).backgroundColor);
                if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c;
              }
              return [255, 255, 255];
            };
            for (const el of controls) {
              if (!shown(el) || !el.textContent.trim() || el.matches('input')) continue;
              const fg = lum(rgba(getComputedStyle(el).color));
              const bg = lum(backdrop(el));
              const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
              if (ratio < 4.5) add(`${name(el)} "${el.textContent.trim()}" has a contrast of ${ratio.toFixed(2)}:1`);
            }

            // 4. Messages by kind: a status is never error-styled, a success never an error.
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
    SUCCESS_WORDS.source,
  );
}

/** Checks the page at both widths, saving a screenshot of each; returns the problems. */
async function lookAt(page, label) {
  const found = [];
  for (const viewport of WIDTHS) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: path.join(SHOTS, `${label}-${viewport.width}.png`), fullPage: true });
    for (const p of await layoutProblems(page)) found.push(`${label} at ${viewport.width} px: ${p}`);
  }
  await checkA11y(page);
  return found;
}

/** Opens `url` (200 expected) and looks at it. */
async function visit(page, url, label) {
  const response = await page.goto(url);
  assert.equal(response.status(), 200, `${url} answers 200`);
  return lookAt(page, label);
}

/** The href of the first link inside `selector`, or null. */
async function firstLink(page, selector) {
  const link = page.locator(`${selector} a[href]`).first();
  return (await link.count()) ? link.getAttribute('href') : null;
}

describe('the look of every list and detail page', () => {
  const doorstep = useDoorstep();
  mkdirSync(SHOTS, { recursive: true });

  test('portal pages never split words, overflow, shrink targets or style success as an error', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const page = await doorstep.newPage();
    await signIn(page, base, 'dana@example.test');
    await chooseAccount(page, base, 'Dana Whitaker');
    const problems = [];
    const lists = [
      ['/', 'portal-dashboard', null],
      ['/jobs', 'portal-jobs', '[data-testid=jobs] tbody'],
      ['/service-history', 'portal-service-history', '[data-testid=history] tbody'],
      ['/sales-history', 'portal-sales-history', null],
      ['/invoices', 'portal-invoices', '[data-testid=invoice-list] tbody'],
      ['/estimates', 'portal-estimates', '[data-testid=estimate-list] tbody'],
      ['/statement', 'portal-statement', null],
      ['/requests', 'portal-requests', '[data-testid=request-list] tbody'],
      ['/support', 'portal-support', null],
      ['/support/new', 'portal-support-new', null],
      ['/requests/new', 'portal-request-new', null],
      ['/security', 'portal-security', null],
    ];
    for (const [url, label, rows] of lists) {
      problems.push(...(await visit(page, `${base}${url}`, label)));
      const detail = rows ? await firstLink(page, rows) : null;
      if (detail) problems.push(...(await visit(page, new URL(detail, base).href, `${label}-first`)));
    }

    // A scheduled job: its reschedule and cancel pages (choice lists).
    await page.goto(`${base}/jobs`);
    for (const href of await page.locator('[data-testid=jobs] tbody a[href]').evaluateAll((as) => as.map((a) => a.href))) {
      await page.goto(href);
      const reschedule = page.getByTestId('reschedule-link');
      if (!(await reschedule.count())) continue;
      const cancel = await page.getByTestId('cancel-link').getAttribute('href');
      problems.push(...(await visit(page, new URL(await reschedule.getAttribute('href'), base).href, 'portal-reschedule')));
      problems.push(...(await visit(page, new URL(cancel, base).href, 'portal-cancel')));
      break;
    }

    // A support request of her own, with the success messages it brings.
    await page.goto(`${base}/support/new`);
    await page.getByLabel('Subject').fill('Noisy furnace fan');
    await page.getByLabel('What do you need help with?').fill('The fan rattles when it starts.');
    await Promise.all([page.waitForURL(/\/support\/[^/]+\?done=opened$/), page.getByRole('button', { name: 'Send request' }).click()]);
    problems.push(...(await lookAt(page, 'portal-support-opened')));
    const ticket = new URL(page.url()).pathname;
    problems.push(...(await visit(page, `${base}${ticket}?done=commented`, 'portal-support-commented')));
    problems.push(...(await visit(page, `${base}/support`, 'portal-support-list')));

    assert.deepEqual(problems, [], `layout problems:\n  ${problems.join('\n  ')}`);
  });

  test('every step of a service request, with a photo, reads well and sends with a success message', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const page = await doorstep.newPage();
    await signIn(page, base, 'dana@example.test');
    await chooseAccount(page, base, 'Dana Whitaker');
    const problems = [];
    const next = async (label) => {
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name: label }).click()]);
    };
    await page.goto(`${base}/requests/new`);
    problems.push(...(await lookAt(page, 'request-step-when')));
    const another = page.getByLabel('Ask for another date');
    if (await another.count()) await another.check();
    const date = page.getByLabel('Preferred date');
    await date.fill(await date.getAttribute('min'));
    await page.getByLabel('Morning (AM)', { exact: true }).check();
    await next('Continue');
    problems.push(...(await lookAt(page, 'request-step-address')));
    await page.getByLabel(/14 Elm Street/).check();
    await next('Continue');
    problems.push(...(await lookAt(page, 'request-step-contact')));
    await next('Continue');
    problems.push(...(await lookAt(page, 'request-step-what')));
    await page.getByLabel('Description').fill('The kitchen tap drips all night.');
    await next('Continue');
    // One photo, so the step shows a thumbnail with its "Remove" button.
    await page.getByLabel('Choose photos').setInputFiles([{ name: 'tap.png', mimeType: 'image/png', buffer: TAP_PNG }]);
    await next('Add photos');
    assert.equal(await page.locator('[data-testid=draft-photos] img').count(), 1);
    problems.push(...(await lookAt(page, 'request-step-photos')));
    await next('Continue');
    problems.push(...(await lookAt(page, 'request-summary')));
    await next('Submit request');
    problems.push(...(await lookAt(page, 'request-sent')));
    assert.deepEqual(problems, [], `layout problems:\n  ${problems.join('\n  ')}`);
  });

  test('office lists and details never split words, overflow, shrink targets or style success as an error', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const page = await doorstep.newPage();
    await page.goto(`${base}/office`);
    await page.getByLabel('Email', { exact: true }).fill('office@acme.test');
    await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
    await Promise.all([page.waitForURL(`${base}/office`), page.getByRole('button', { name: 'Sign in' }).click()]);
    const problems = [];
    const lists = [
      ['/office', 'office-home', null],
      ['/office/requests', 'office-requests', '[data-testid=requests] tbody'],
      ['/office/customers', 'office-customers', 'table tbody'],
      ['/office/support', 'office-support', '[data-testid=support-list] tbody'],
      ['/office/outbox', 'office-outbox', 'table tbody'],
      ['/office/catalogue', 'office-catalogue', '[data-testid=catalogue] tbody'],
      ['/office/availability', 'office-availability', '[data-testid=windows] tbody'],
      ['/office/email-templates', 'office-email-templates', '[data-testid=email-kinds] tbody'],
      ['/office/settings/visits', 'office-visit-settings', null],
      ['/office/security', 'office-security', null],
    ];
    for (const [url, label, rows] of lists) {
      problems.push(...(await visit(page, `${base}${url}`, label)));
      const detail = rows ? await firstLink(page, rows) : null;
      if (detail) problems.push(...(await visit(page, new URL(detail, base).href, `${label}-first`)));
    }
    const ticket = await (async () => {
      await page.goto(`${base}/office/support`);
      return firstLink(page, '[data-testid=support-list] tbody');
    })();
    if (ticket) {
      const url = new URL(ticket, base).href;
      problems.push(...(await visit(page, `${url}?done=replied`, 'office-support-replied')));
      problems.push(...(await visit(page, `${url}?done=status`, 'office-support-status')));
    }
    assert.deepEqual(problems, [], `layout problems:\n  ${problems.join('\n  ')}`);
  });
});
