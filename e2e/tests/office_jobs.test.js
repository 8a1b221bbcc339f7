// The office runs a job (issue 17): an office member (not an administrator) creates a job
// for the Whitaker household, schedules it, and moves it on the way and then completed,
// while dana's open job page — another browser — follows each move by itself (server-sent
// events read from the database), with no reload. The office pages and the job page pass
// axe and fit a 375 px phone and a 1280 px desk.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkA11y } from '../lib/axe.js';
import { assertNoHorizontalScroll } from '../lib/layout.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 150_000 };
const PASSWORD = 'doorstep-demo';
const DESKTOP = { width: 1280, height: 900 };

async function signIn(page, url, email, button = 'Sign in') {
  await page.goto(url);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: button }).click()]);
}

/** Accessible at 1280 px, then accessible and without horizontal scroll at 375 px. */
async function checkPage(page) {
  await page.setViewportSize(DESKTOP);
  await checkA11y(page);
  await assertNoHorizontalScroll(page);
  await checkA11y(page);
  await page.setViewportSize(DESKTOP);
}

/** `YYYY-MM-DD`, `days` from today (UTC). */
function isoDay(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Waits until the job page's status badge reads `label` (the page is never reloaded). */
async function statusBecomes(page, label) {
  await page.waitForFunction(
    (want) => document.querySelector('[data-testid=job-status]')?.textContent.trim() === want,
    label,
    { timeout: 5_000 },
  );
}

describe('office jobs with live status in the portal', () => {
  const doorstep = useDoorstep();

  test('the office schedules and moves a job; the customer\'s open page follows by itself', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');

    // Oscar (office role) finds the customer and creates the job.
    const office = await doorstep.newPage({ viewport: DESKTOP });
    await signIn(office, `${base}/office`, 'dispatch@acme.test');
    await office.goto(`${base}/office/jobs`);
    await office.getByTestId('jobs').waitFor();
    await checkPage(office);
    await Promise.all([office.waitForNavigation(), office.getByTestId('new-job').click()]);
    await office.getByLabel('Customer name or number').fill('Whitaker');
    await Promise.all([office.waitForNavigation(), office.getByRole('button', { name: 'Find customer' }).click()]);
    await Promise.all([office.waitForNavigation(), office.getByRole('link', { name: /Whitaker/ }).first().click()]);
    // A missing summary is marked next to its field; nothing is saved.
    await Promise.all([office.waitForNavigation(), office.getByTestId('create-job').click()]);
    await office.locator('#summary-error').waitFor();
    await checkPage(office);
    await office.getByLabel('Summary').fill('Replace the kitchen tap');
    await office.getByLabel('Site').selectOption({ index: 1 });
    await office.getByLabel(/Work-order notes/).fill('Key under the mat');
    await office.getByLabel(/Notes for the customer/).fill('We will call 30 minutes ahead.');
    await Promise.all([office.waitForNavigation(), office.getByTestId('create-job').click()]);
    const number = new URL(office.url()).pathname.split('/').pop();
    assert.match(number, /^J-/);
    assert.equal((await office.getByTestId('job-status').textContent()).trim(), 'Unscheduled');

    // Scheduled for the morning, five days out.
    await Promise.all([office.waitForNavigation(), office.getByTestId('schedule-link').click()]);
    await checkPage(office);
    await office.getByLabel('Day of the visit').fill(isoDay(5));
    await office.getByLabel('Time of day').selectOption('am');
    await Promise.all([office.waitForNavigation(), office.getByTestId('save-schedule').click()]);
    assert.equal((await office.getByTestId('job-status').textContent()).trim(), 'Scheduled');
    await checkPage(office);

    // Dana opens the job in her own browser.
    const dana = await doorstep.newPage({ viewport: DESKTOP });
    await signIn(dana, `${base}/sign-in`, 'dana@example.test');
    await dana.goto(`${base}/accounts`);
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: /Whitaker/ }).click()]);
    await dana.goto(`${base}/jobs/${number}`);
    assert.equal((await dana.getByTestId('job-status').textContent()).trim(), 'Scheduled');
    const notes = await dana.locator('main').textContent();
    assert.match(notes, /We will call 30 minutes ahead/);
    assert.doesNotMatch(notes, /Key under the mat/, 'internal notes stay in the office');
    // The stream is open before the office moves anything.
    await dana.locator('html[data-job-stream=open]').waitFor({ state: 'attached' });

    // On the way, then completed: dana's page follows each without a reload.
    const before = await dana.evaluate(() => performance.getEntriesByType('navigation').length);
    await Promise.all([office.waitForNavigation(), office.getByTestId('move-on_the_way').click()]);
    await statusBecomes(dana, 'On the way');
    await Promise.all([office.waitForNavigation(), office.getByTestId('move-completed').click()]);
    await statusBecomes(dana, 'Completed');
    assert.match(await dana.getByTestId('job-timeline').textContent(), /On the way.*Completed/s);
    assert.equal(await dana.evaluate(() => performance.getEntriesByType('navigation').length), before);
    await checkPage(dana);

    // The office page shows each move with its time and who, and completed is final.
    await office.reload();
    const timeline = await office.getByTestId('timeline').textContent();
    for (const s of ['Unscheduled', 'Scheduled', 'On the way', 'Completed']) assert.match(timeline, new RegExp(s));
    assert.match(timeline, /Oscar Reyes/);
    assert.equal(await office.getByTestId('status-buttons').count(), 0);
    await checkPage(office);
  });
});
