// The look of every page (issue 15). The page list is the router's route table
// (`doorstep routes --json`), so a new page is covered the day it exists: every GET route
// that renders HTML is visited as each role that may see it (signed out, company contact,
// site contact, office staff, office admin), at 375 px and at 1280 px, and fails on a word
// split across lines, an element wider than its container, a control under 24 × 24 px, text
// under 4.5:1 against its real background, a success styled as an error, or a serious axe
// violation (lib/look.js). Every page is saved as a screenshot at both widths under
// target/screenshots/ (CI keeps the directory).
//
// Path parameters are filled with real demo numbers found the way a person finds them: each
// role's pages are read over HTTP (links, and the links in emails shown in the office's
// outbox) and the first concrete path of each route template is taken, looking at a few of
// each kind so that state-bound pages (a scheduled job's reschedule page, a draft invoice's
// edit page) are found too. A GET route that is neither found nor listed below with a
// reason fails the test.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { AXE_SOURCE } from '../lib/axe.js';
import { lookAt, SHOTS, timings } from '../lib/look.js';
import { chooseAccount, DEMO_PASSWORD, signIn } from '../lib/portal.js';
import { hasParams, matchRoute, routeTable } from '../lib/routes.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 900_000 };

// A 16 × 12 PNG (for the photo step).
const TAP_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAMCAIAAADkharWAAAAFUlEQVR4nGM4kWJEEmIY1TCqATsCAPtvBpAD/ZyqAAAAAElFTkSuQmCC',
  'base64',
);

// GET routes that answer something other than an HTML page: never visited.
const NOT_PAGES = [
  [/^\/static\//, 'a stylesheet or script'],
  [/^\/brand(\.css|\/logo)$/, "the company's colours and logo"],
  [/^\/(healthz|readyz)$/, 'a health probe'],
  [/\/pdf$/, 'a PDF'],
  [/\/events$/, 'a server-sent event stream (never ends)'],
  [/^\/files\/|\/photos\/\{[a-z]+\}(\/thumb)?$|^\/office\/support\/files\//, 'a photo or an attached file'],
  [/^\/office\/audit\.csv$/, 'a CSV download'],
  [/^\/office\/customers\/import\/template\.csv$/, 'a CSV download'],
  [/^\/office\/import\/\{kind\}\/template\.csv$/, 'a CSV download'],
  [/^\/office\/export\/\{kind\}$/, 'a CSV download'],
  [/^\/office\/jobs\/\{number\}\/files\/\{id\}(\/thumb)?$/, 'a photo or an attached file'],
  [/^\/office\/customers\/import\/\{id\}\/progress$/, 'a JSON progress poll'],
  [/^\/office\/import\/\{kind\}\/\{id\}\/progress$/, 'a server-sent event stream (ends with its import)'],
  [/^\/api\/v1\//, 'the JSON API (a bearer key, never a session: it/api.rs)'],
];

// GET pages the walk cannot reach, each with its reason. Keep this list short: a page
// listed here is not looked at by this walk.
const UNFILLABLE = {
  '/office/api-keys/{id}/revoke': 'the demo company has no API key; api_keys.test.js makes one and looks at this confirmation',
  '/payment-methods/remove': 'asks which card by query; cards.test.js adds a card and looks at this confirmation',
  '/verify/{token}': 'self sign-up is off for the demo company: no verification email is ever sent',
  '/sign-in/two-factor': 'answers only a browser that owes its second factor; no demo login has one (signin.test.js)',
  '/office/two-factor': 'answers only a browser that owes its second factor; no demo staff has one (signin.test.js)',
  '/requests/new/{draft}/{step}': 'a draft exists only once step 1 is posted: the request-steps test below looks at every step',
  '/requests/new/{draft}/photos': 'a draft exists only once step 1 is posted: the request-steps test below looks at it',
  '/office/jobs/{number}/files/{id}/remove': 'the demo office adds no job files; office_job_files.test.js opens this confirmation after uploading',
  '/office/customers/import/{id}': 'an import exists only once a file is uploaded; office_import.test.js looks at its dry run and progress pages',
  '/office/import/{kind}/{id}': 'an import exists only once a file is uploaded; office_import.test.js looks at a customers and a contacts import page',
  '/pay/test/{session}': 'a checkout exists only once Pay is pressed; pay.test.js looks at the TEST MODE page',
  '/pay/return/{reference}': 'a checkout exists only once Pay is pressed; pay.test.js looks at the paid and declined return pages',
  '/office/webhooks/{id}': 'the demo company has no webhook; webhooks.test.js adds one and looks at its page and delivery log',
  '/office/webhooks/{id}/delete': 'the demo company has no webhook; webhooks.test.js adds one and looks at this confirmation',
  '/payment-methods/test/{session}': 'a setup page exists only once Add a card is pressed; cards.test.js looks at the TEST MODE page',
  '/office/company/domains/{id}/remove': 'the demo company has no custom domain; it/domains.rs adds one and opens this confirmation over HTTP',
};

// Pages a role may open that send it on instead (HTTP 303), with the reason.
const SENT_ON = {
  'signed-out /find-your-portal': "the central sign-in is the base domain's page; a company's host sends to its own link form (it/domains.rs checks it on the bare host)",
};

const ROLES = [
  { name: 'signed-out', sees: ['Anyone', 'Visitor'] },
  { name: 'company-contact', email: 'dana@example.test', account: 'Harbor Property Co.', sees: ['Login', 'Contact'] },
  { name: 'site-contact', email: 'sam@example.test', sees: ['Login', 'Contact'] },
  { name: 'office-staff', email: 'dispatch@acme.test', office: true, sees: ['Staff', 'StaffSetup'] },
  { name: 'office-admin', email: 'office@acme.test', office: true, sees: ['Staff', 'StaffSetup', 'Admin'] },
];
// Billing and support are for company contacts: a site contact is answered 404 (product.md §1).
const COMPANY_ONLY = /^\/(estimates|invoices|statement|payments|payment-methods|support)(\/|$)/;
// Of each route template, at most this many concrete pages are read looking for links.
const READ_PER_TEMPLATE = 5;
// ...but every email of the outbox's first page, for the links the emails carry.
const READ_MORE = { '/office/outbox/{id}': 15 };
const READ_PER_ROLE = 220;

const notAPage = (template) => NOT_PAGES.find(([re]) => re.test(template))?.[1];

/** Whether `role` may see the GET route `route` (Visitor pages are checked for signed-in roles when they render their chrome). */
function mustSee(role, route) {
  if (!role.sees.includes(route.access)) return false;
  if (role.name === 'site-contact' && COMPANY_ONLY.test(route.path)) return false;
  return true;
}

async function signInAs(page, base, role) {
  if (role.office) {
    await page.goto(`${base}/office`);
    await page.getByLabel('Email', { exact: true }).fill(role.email);
    await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
    await Promise.all([page.waitForURL(`${base}/office`), page.getByRole('button', { name: 'Sign in' }).click()]);
  } else if (role.email) {
    await signIn(page, base, role.email);
    if (role.account) await chooseAccount(page, base, role.account);
  }
}

/** Same-host paths a page links to, and the links quoted in its text (emails in the outbox). */
function pathsIn(html, base) {
  const host = new URL(base).host;
  const found = new Set();
  const decode = (s) => s.replace(/&amp;/g, '&').replace(/&#x2F;/gi, '/').replace(/&#47;/g, '/');
  for (const m of html.matchAll(/href="([^"]+)"/g)) {
    const href = decode(m[1]);
    if (href.startsWith('/') && !href.startsWith('//')) found.add(href.split(/[?#]/)[0]);
  }
  for (const m of decode(html).matchAll(/https?:\/\/([^/\s"<]+)(\/[^\s"<]*)/g)) {
    if (m[1] === host) found.add(m[2].split(/[?#]/)[0]);
  }
  return found;
}

/**
 * Reads `role`'s pages over HTTP (the browser context's cookies) and returns the concrete
 * path of each route template it found, plus templates it saw redirect.
 */
async function discover(page, server, routes, role, shared) {
  const base = server.baseUrl('acme');
  // The browser's cookies, sent from Node (which cannot resolve *.localhost by itself).
  const cookie = (await page.context().cookies(base)).map((c) => `${c.name}=${c.value}`).join('; ');
  const gets = routes.filter((r) => r.method === 'GET' && !notAPage(r.path));
  const found = new Map(); // template -> path
  const sentOn = new Map(); // template -> location
  const readCount = new Map();
  const queue = gets.filter((r) => !hasParams(r.path) && (mustSee(role, r) || r.access === 'Visitor')).map((r) => r.path);
  const queued = new Set(queue);
  let reads = 0;
  while (queue.length && reads < READ_PER_ROLE) {
    const pathname = queue.shift();
    const route = matchRoute(gets, pathname);
    reads += 1;
    const res = await server.request('acme', pathname, { headers: { cookie } });
    const type = res.headers['content-type'] || '';
    if (res.status >= 300 && res.status < 400) {
      if (mustSee(role, route) && !found.has(route.path)) sentOn.set(route.path, res.headers.location);
      continue;
    }
    if (res.status !== 200 || !type.startsWith('text/html')) continue;
    const html = res.body;
    // A visitor page is this role's page when it shows the role's own chrome (the portal's
    // dashboard at /, the office home at /office); otherwise only signed-out people see it.
    const own = mustSee(role, route) || (role.email && /action="\/(office\/)?sign-out"/.test(html));
    if (own && !found.has(route.path)) {
      found.set(route.path, pathname);
      sentOn.delete(route.path);
    }
    if (!own) continue;
    for (const next of pathsIn(html, base)) {
      const target = matchRoute(gets, next);
      if (!target) continue;
      if (target.access === 'Visitor' && hasParams(target.path) && !shared.has(target.path)) shared.set(target.path, next);
      if (queued.has(next) || !(mustSee(role, target) || target.access === 'Visitor')) continue;
      const n = readCount.get(target.path) || 0;
      if (n >= (READ_MORE[target.path] || READ_PER_TEMPLATE)) continue;
      readCount.set(target.path, n + 1);
      queued.add(next);
      queue.push(next);
    }
  }
  return { found, sentOn, reads };
}

/** Emails carrying links for the signed-out pages: a password reset and a sign-in link. */
async function sendVisitorEmails(page, base) {
  await page.goto(`${base}/forgot-password`);
  await page.getByLabel('Email', { exact: true }).fill('dana@example.test');
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Email me a link' }).click()]);
  await page.goto(`${base}/sign-in/link`);
  await page.getByLabel('Email', { exact: true }).fill('dana@example.test');
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Email me a sign-in link' }).click()]);
}

/**
 * What the demo data lacks for a few pages, made the way the office and a customer make it:
 * a draft invoice (its edit and lines pages), a proposed time on Harbor's new request (the
 * portal's proposal page), invitations of a staff member and of a customer (their emailed
 * links), a support request of Harbor (its page).
 */
async function prepare(role, page, base) {
  if (role.name === 'office-admin') {
    await page.goto(`${base}/office/invoices/new`);
    await page.getByLabel('Customer number').fill('C-1002');
    await Promise.all([page.waitForURL(/\/office\/invoices\/[^/]+$/), page.getByRole('button', { name: 'Save' }).click()]);
    await page.goto(`${base}/office/requests/R-1005`);
    const date = page.getByLabel('Date', { exact: true });
    const soon = new Date(Date.now() + 9 * 86_400_000).toISOString().slice(0, 10);
    await date.fill(soon);
    await page.getByLabel('Morning (AM)').check();
    await Promise.all([page.waitForLoadState('load'), page.getByTestId('propose-submit').click()]);
    // A staff invitation (/office/setup/{token}) and a portal invitation (/invite/{token}).
    await page.goto(`${base}/office/staff`);
    await page.getByLabel('Name', { exact: true }).fill('Nina Patel');
    await page.getByLabel('Email', { exact: true }).fill('nina@acme.test');
    await page.getByRole('radio', { name: /^Office staff/ }).check();
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Send invitation' }).click()]);
    await page.goto(`${base}/office/customers/C-1004`);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Enable portal access' }).first().click()]);
  }
  if (role.name === 'company-contact') {
    await page.goto(`${base}/support/new`);
    await page.getByLabel('Subject').fill('Gate code for the courtyard');
    await page.getByLabel('What do you need help with?').fill('The technicians need the new gate code.');
    await Promise.all([page.waitForURL(/\/support\/[^/]+\?done=opened$/), page.getByRole('button', { name: 'Send request' }).click()]);
  }
}

const slug = (template) =>
  template === '/'
    ? 'root'
    : template.replace(/^\//, '').replace(/[{}]/g, '').replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, '');

describe('the look of every page', () => {
  const doorstep = useDoorstep();
  mkdirSync(SHOTS, { recursive: true });

  test('every page of the route table, as each role that may see it, reads well at 375 and 1280 px', TEST_TIMEOUT, async () => {
    const started = Date.now();
    const base = doorstep.server.baseUrl('acme');
    const routes = routeTable();
    const gets = routes.filter((r) => r.method === 'GET');
    assert.ok(gets.length > 50, `the route table has its GET routes (${gets.length})`);

    // Every GET route is a page, not a page (listed), or unfillable (listed).
    for (const template of Object.keys(UNFILLABLE)) {
      assert.ok(gets.some((r) => r.path === template), `UNFILLABLE lists ${template}, which is no GET route any more`);
    }

    const problems = [];
    const gaps = [];
    const shared = new Map(); // visitor templates with a token, found in any role's pages
    const pages = [];
    // Signed out first: it sends the emails whose links the admin's outbox shows. The
    // admin before the contacts: the proposal the portal shows is the office's.
    const signedOut = await doorstep.newPage();
    await sendVisitorEmails(signedOut, base);
    const order = [ROLES[4], ROLES[3], ROLES[1], ROLES[2], ROLES[0]];
    for (const role of order) {
      const page = role === ROLES[0] ? signedOut : await doorstep.newPage();
      // axe in every document from the start, rather than sent over for each page.
      await page.context().addInitScript({ content: AXE_SOURCE });
      await signInAs(page, base, role);
      await prepare(role, page, base);
      let t = Date.now();
      const { found, sentOn, reads } = await discover(page, doorstep.server, routes, role, shared);
      timings.discovery = (timings.discovery || 0) + Date.now() - t;
      if (!role.email) {
        for (const [template, path] of shared) if (!found.has(template)) found.set(template, path);
      }
      for (const route of gets) {
        if (!mustSee(role, route) || notAPage(route.path) || UNFILLABLE[route.path] || found.has(route.path)) continue;
        const key = `${role.name} ${route.path}`;
        if (sentOn.has(route.path)) {
          if (!SENT_ON[key]) gaps.push(`${key}: sent on to ${sentOn.get(route.path)} (list it in SENT_ON with the reason, or fix the page)`);
        } else {
          gaps.push(`${key}: no page found (link it from a page, or list it in UNFILLABLE with the reason)`);
        }
      }
      for (const [template, pathname] of [...found].sort()) {
        const label = `${role.name}--${slug(template)}`;
        t = Date.now();
        const response = await page.goto(`${base}${pathname}`);
        timings.loads = (timings.loads || 0) + Date.now() - t;
        const type = response.headers()['content-type'] || '';
        if (response.status() !== 200 || !type.startsWith('text/html')) {
          problems.push(`${label}: ${pathname} answered ${response.status()} ${type}`);
          continue;
        }
        problems.push(...(await lookAt(page, label)));
        pages.push(`${role.name} ${template}`);
      }
      console.log(`# ${role.name}: ${found.size} pages (read ${reads} over HTTP to find them)`);
      if (page !== signedOut) await page.context().close();
    }

    const seconds = Math.round((Date.now() - started) / 1000);
    const templates = new Set(pages.map((p) => p.split(' ')[1]));
    console.log(`# looked at ${templates.size} pages, ${pages.length} page × role pairs, at 2 widths, in ${seconds} s`);
    console.log(`# time (ms): ${JSON.stringify(timings)}`);
    const report = [...gaps.map((g) => `not looked at: ${g}`), ...problems];
    writeFileSync(path.join(SHOTS, 'look-report.txt'), `${pages.join('\n')}\n\n${report.join('\n')}\n`);
    assert.deepEqual(report, [], `${gaps.length} pages not looked at, ${problems.length} look problems:\n  ${report.join('\n  ')}`);
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

  test('success messages of support, in the portal and the office, read as successes', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const page = await doorstep.newPage();
    await signIn(page, base, 'dana@example.test');
    await chooseAccount(page, base, 'Dana Whitaker');
    const problems = [];
    await page.goto(`${base}/support/new`);
    await page.getByLabel('Subject').fill('Noisy furnace fan');
    await page.getByLabel('What do you need help with?').fill('The fan rattles when it starts.');
    await Promise.all([page.waitForURL(/\/support\/[^/]+\?done=opened$/), page.getByRole('button', { name: 'Send request' }).click()]);
    problems.push(...(await lookAt(page, 'portal-support-opened')));
    const ticket = new URL(page.url()).pathname;
    await page.goto(`${base}${ticket}?done=commented`);
    problems.push(...(await lookAt(page, 'portal-support-commented')));

    const office = await doorstep.newPage();
    await signInAs(office, base, ROLES[3]);
    const number = ticket.split('/').pop();
    for (const done of ['replied', 'status']) {
      await office.goto(`${base}/office/support/${number}?done=${done}`);
      problems.push(...(await lookAt(office, `office-support-${done}`)));
    }
    assert.deepEqual(problems, [], `layout problems:\n  ${problems.join('\n  ')}`);
  });

  test('the office navigation is one row at 1280 px, one menu on a phone, and every link is reachable by keyboard without script', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    // No JavaScript: the menus are <details>, so they work without it.
    const page = await doorstep.newPage({ javaScriptEnabled: false });
    await page.setViewportSize({ width: 1280, height: 900 });
    await signInAs(page, base, ROLES[4]);
    await page.goto(`${base}/office/invoices`);
    const nav = page.getByRole('navigation', { name: 'Office' });

    // One row: every top-level entry on the same line, the Menu toggle hidden.
    const tops = await nav.locator('.office-nav__list > li').evaluateAll((lis) => lis.map((li) => Math.round(li.getBoundingClientRect().top)));
    assert.ok(tops.length >= 6, `top-level entries: ${tops.length}`);
    assert.equal(new Set(tops).size, 1, `the office navigation wraps at 1280 px: rows at ${[...new Set(tops)].join(', ')} px`);
    assert.equal(await nav.locator('summary', { hasText: 'Menu' }).isVisible(), false);

    // The current section: Invoices (aria-current) in Billing.
    assert.equal(await nav.locator('a[aria-current=page]').getAttribute('href'), '/office/invoices');
    assert.equal(await nav.locator('details.is-current > summary').innerText(), 'Billing');

    // Every link reachable by keyboard: Tab through the page, opening each closed menu
    // with Enter when its toggle has focus.
    const all = await nav.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const href of ['/office/outbox', '/office/tax-rates', '/office/audit', '/office/jobs']) assert.ok(all.includes(href), `${href} in ${all}`);
    const reached = new Set();
    for (let i = 0; i < 80 && reached.size < all.length; i += 1) {
      await page.keyboard.press('Tab');
      const focus = await page.evaluate(() => {
        const el = document.activeElement;
        const inNav = !!el?.closest('.office-nav');
        return {
          inNav,
          href: el?.tagName === 'A' ? el.getAttribute('href') : null,
          closedToggle: el?.tagName === 'SUMMARY' && !el.parentElement.open,
        };
      });
      if (focus.closedToggle) await page.keyboard.press('Enter');
      if (focus.inNav && focus.href) reached.add(focus.href);
    }
    assert.deepEqual([...reached].sort(), [...all].sort(), 'every navigation link is reached with Tab (and Enter on a menu)');

    // An open menu lists its links below the row, over the page.
    await page.goto(`${base}/office`);
    await nav.locator('summary', { hasText: 'Settings' }).click();
    const outbox = nav.getByRole('link', { name: 'Outgoing email' });
    assert.ok(await outbox.isVisible());
    const row = await nav.locator('.office-nav__list').boundingBox();
    assert.ok((await outbox.boundingBox()).y >= row.y + row.height - 4, 'the Settings menu opens below the row');

    // A phone: one Menu; opened, every entry is there.
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto(`${base}/office`);
    const menu = nav.locator('summary', { hasText: 'Menu' });
    assert.ok(await menu.isVisible());
    assert.equal(await nav.getByRole('link', { name: 'Customers' }).isVisible(), false);
    await menu.focus();
    await page.keyboard.press('Enter');
    assert.ok(await nav.getByRole('link', { name: 'Customers' }).isVisible());
    await nav.locator('summary', { hasText: 'Billing' }).click();
    assert.ok(await nav.getByRole('link', { name: 'Invoices' }).isVisible());

    // Office staff see no admin entries.
    const staff = await doorstep.newPage();
    await signInAs(staff, base, ROLES[3]);
    const staffLinks = await staff
      .getByRole('navigation', { name: 'Office' })
      .locator('a[href]')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const href of ['/office/outbox', '/office/email-templates', '/office/company', '/office/staff', '/office/audit', '/office/tax-rates', '/office/catalogue', '/office/settings/visits']) {
      assert.ok(!staffLinks.includes(href), `office staff see ${href}`);
    }
    for (const href of ['/office/jobs', '/office/invoices', '/office/availability', '/office/security']) assert.ok(staffLinks.includes(href), `office staff miss ${href}`);

    // With script, an open menu closes on Escape (focus back on its toggle) and on a click elsewhere.
    await staff.setViewportSize({ width: 1280, height: 900 });
    const billing = staff.locator('.office-nav summary', { hasText: 'Billing' });
    await billing.click();
    assert.ok(await staff.getByRole('link', { name: 'Invoices' }).isVisible());
    await staff.keyboard.press('Tab');
    await staff.keyboard.press('Escape');
    assert.equal(await staff.locator('details.office-group[open]').count(), 0, 'Escape closes the menu');
    assert.equal(await billing.evaluate((el) => el === document.activeElement), true, 'focus is back on Billing');
    await billing.click();
    // The page's corner, far from the open menu (which may cover the heading).
    await staff.mouse.click(2, 898);
    assert.equal(await staff.locator('details.office-group[open]').count(), 0, 'a click elsewhere closes the menu');
  });

  test('the portal navigation is a row at 1280 px and one keyboard-usable menu on a phone, without script', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const page = await doorstep.newPage({ javaScriptEnabled: false });
    await page.setViewportSize({ width: 1280, height: 900 });
    await signInAs(page, base, ROLES[1]);
    await page.goto(`${base}/invoices`);
    const nav = page.getByRole('navigation', { name: 'Portal' });
    const menu = nav.locator('summary', { hasText: 'Menu' });

    // A desk: every entry shown in a row, no Menu toggle; Invoices is the current page.
    assert.equal(await menu.isVisible(), false);
    const links = nav.locator('a[href]');
    const count = await links.count();
    assert.ok(count >= 6, `portal entries: ${count}`);
    for (let i = 0; i < count; i += 1) assert.ok(await links.nth(i).isVisible(), `entry ${i} visible at 1280 px`);
    assert.equal(await nav.locator('a[aria-current=page]').getAttribute('href'), '/invoices');

    // A phone: one Menu, closed; Enter on it shows every entry, each at least 24 px tall and wide.
    await page.setViewportSize({ width: 375, height: 812 });
    assert.ok(await menu.isVisible());
    const box = await menu.boundingBox();
    assert.ok(box.width >= 24 && box.height >= 24, `the Menu toggle is ${box.width} × ${box.height} px`);
    assert.equal(await nav.getByRole('link', { name: 'Jobs' }).isVisible(), false);
    const navHeight = (await nav.boundingBox()).height;
    assert.ok(navHeight < 80, `the closed menu takes one row (${navHeight} px)`);
    await menu.focus();
    await page.keyboard.press('Enter');
    for (let i = 0; i < count; i += 1) {
      const b = await links.nth(i).boundingBox();
      assert.ok(b && b.width >= 24 && b.height >= 24, `entry ${i} is a 24 px target at 375 px`);
    }
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.closest('nav')?.getAttribute('aria-label')), 'Portal', 'Tab moves into the open menu');
    await Promise.all([page.waitForURL(`${base}/jobs`), nav.getByRole('link', { name: 'Jobs' }).click()]);
  });
});
