// The portal's jobs on the demo data: the list with filters, search, dates and paging
// together, a job's page and the histories, for dana (both of her acme accounts), sam
// (a site contact of Harbor's Bayview Apartments) and a contact of Bolt Electric (the demo's
// one Bolt login is dana's own email there: another login, another company).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkA11y } from '../lib/axe.js';
import { watchForPageProblems } from '../lib/browser.js';
import { assertNoHorizontalScroll } from '../lib/layout.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 120_000 };
const PASSWORD = 'doorstep-demo';
const DESKTOP = { width: 1280, height: 900 };

async function signIn(page, base, email) {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
}

async function chooseAccount(page, base, name) {
  await page.goto(`${base}/accounts`);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: new RegExp(name) }).click()]);
}

/** Job numbers in the list, in order. */
async function listedNumbers(page) {
  return page.locator('[data-testid=jobs] tbody tr td:first-child a').allTextContents();
}

/** Checks the page as it is now: accessible, and no horizontal scroll on a phone. */
async function checkPage(page) {
  await checkA11y(page);
  await assertNoHorizontalScroll(page);
  await page.setViewportSize(DESKTOP);
}

/** Opens the job list, checks it, opens its first job and checks that; returns the numbers. */
async function tourJobs(page, base) {
  const response = await page.goto(`${base}/jobs`);
  assert.equal(response.status(), 200);
  await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
  assert.equal(await page.locator('nav.portal-nav a[aria-current=page]').textContent(), 'Jobs');
  const numbers = await listedNumbers(page);
  assert.ok(numbers.length > 0, 'the demo account has jobs');
  await checkPage(page);

  const first = numbers[0];
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: first, exact: true }).click()]);
  await page.getByRole('heading', { name: `Job ${first}`, level: 1 }).waitFor();
  await checkPage(page);
  return numbers;
}

describe('portal jobs', () => {
  const doorstep = useDoorstep();

  test("dana sees each of her two accounts' own jobs", TEST_TIMEOUT, async () => {
    const page = await doorstep.newPage({ viewport: DESKTOP });
    const base = doorstep.server.baseUrl('acme');
    await signIn(page, base, 'dana@example.test');
    await chooseAccount(page, base, 'Whitaker');
    const household = await tourJobs(page, base);
    await chooseAccount(page, base, 'Harbor');
    const harbor = await tourJobs(page, base);
    for (const n of household) {
      assert.ok(!harbor.includes(n), `${n} belongs to one account only`);
    }
    // A job of the other account is not found from this one.
    const other = await page.goto(`${base}/jobs/${encodeURIComponent(household[0])}`);
    assert.equal(other.status(), 404);

    for (const path of ['/service-history', '/sales-history']) {
      const res = await page.goto(`${base}${path}`);
      assert.equal(res.status(), 200, path);
      await checkPage(page);
    }
  });

  test('filters, search, a date range and paging work together', TEST_TIMEOUT, async () => {
    const page = await doorstep.newPage({ viewport: DESKTOP });
    const base = doorstep.server.baseUrl('acme');
    await signIn(page, base, 'dana@example.test');
    await chooseAccount(page, base, 'Harbor');
    await page.goto(`${base}/jobs`);

    // Pick a word from the list's first summary and a range around every job, then use the form.
    const summary = (await page.locator('[data-testid=jobs] tbody tr td[data-label=Summary]').first().textContent()).trim();
    const word = summary.split(/[^A-Za-z0-9]+/).find((w) => w.length >= 4) ?? summary;
    await page.getByLabel('Completed', { exact: true }).check();
    await page.getByLabel('Scheduled', { exact: true }).check();
    await page.getByLabel('Search number, location or description').fill(word);
    await page.getByLabel('From', { exact: true }).fill('2000-01-01');
    await page.getByLabel('To', { exact: true }).fill('2100-12-31');
    await page.getByLabel('Sort by date').selectOption('oldest');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Show jobs' }).click()]);
    const url = new URL(page.url());
    assert.deepEqual(url.searchParams.getAll('status'), ['scheduled', 'completed']);
    assert.equal(url.searchParams.get('q'), word);
    assert.equal(url.searchParams.get('sort'), 'oldest');
    assert.equal(await page.getByLabel('Completed', { exact: true }).isChecked(), true, 'the form keeps the filter');
    const statuses = await page.locator('[data-testid=jobs] td[data-label=Status]').allTextContents();
    for (const s of statuses) assert.ok(['Completed', 'Scheduled'].includes(s.trim()), s);
    await checkPage(page);

    // Paging through the whole unfiltered list, oldest first: every job once, and back.
    await page.goto(`${base}/jobs?sort=oldest`);
    const seen = [...(await listedNumbers(page))];
    let pages = 1;
    while ((await page.locator('a[rel=next]').count()) > 0) {
      await Promise.all([page.waitForNavigation(), page.locator('a[rel=next]').click()]);
      assert.ok(new URL(page.url()).searchParams.get('after'), 'the cursor is in the URL');
      seen.push(...(await listedNumbers(page)));
      pages += 1;
    }
    assert.equal(new Set(seen).size, seen.length, 'no job twice');
    if (pages > 1) {
      const last = await listedNumbers(page);
      await Promise.all([page.waitForNavigation(), page.locator('a[rel=prev]').click()]);
      const before = await listedNumbers(page);
      assert.ok(!before.some((n) => last.includes(n)), 'the previous page is another page');
      await checkPage(page);
    }

    // A malformed filter gets a message, not an error page.
    const bad = await page.goto(`${base}/jobs?from=31/12/2024&status=done`);
    assert.equal(bad.status(), 400);
    await page.getByTestId('filter-problems').waitFor();
    await checkPage(page);
  });

  test('sam sees only the jobs of his site', TEST_TIMEOUT, async () => {
    const page = await doorstep.newPage({ viewport: DESKTOP });
    const base = doorstep.server.baseUrl('acme');
    await signIn(page, base, 'sam@example.test');
    await tourJobs(page, base);
    const locations = await page.goto(`${base}/jobs`).then(() =>
      page.locator('[data-testid=jobs] td[data-label=Location]').allTextContents(),
    );
    for (const l of locations) assert.ok(l.includes('Bayview'), `only Bayview Apartments: ${l}`);
  });

  test('a contact of Bolt Electric sees Bolt jobs only', TEST_TIMEOUT, async () => {
    const page = await doorstep.newPage({ viewport: DESKTOP });
    const base = doorstep.server.baseUrl('bolt');
    await signIn(page, base, 'dana@example.test');
    await tourJobs(page, base);
    assert.ok(!(await page.content()).includes('Acme'), 'nothing of another company');
    await page.goto(`${base}/jobs`);
    assert.ok(!(await page.content()).includes('Harbor'), "none of dana's acme accounts");
  });

  test('job pages run without JavaScript errors or CSP violations', TEST_TIMEOUT, async () => {
    const page = await doorstep.newPage({ bypassCSP: false, viewport: DESKTOP });
    const problems = await watchForPageProblems(page);
    const base = doorstep.server.baseUrl('acme');
    await signIn(page, base, 'sam@example.test');
    await page.goto(`${base}/jobs`);
    const first = (await listedNumbers(page))[0];
    await page.goto(`${base}/jobs/${encodeURIComponent(first)}`);
    await page.goto(`${base}/service-history`);
    assert.deepEqual([...new Set(await problems.collect())], [], 'no JavaScript errors or CSP violations');
  });
});
