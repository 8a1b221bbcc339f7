// The office sets up self-service (issue 5), then a customer uses it: an administrator adds
// a requestable catalogue item and publishes an availability window; dana moves her
// scheduled visit into that window from the job page, the office's notice arrives over
// SMTP, and the new pages pass axe and fit a 375 px phone.
//
// Demo data: dana's household has one scheduled visit ahead (the sump pump check, six
// days out); Acme publishes AM/PM windows on the next ten weekdays; visit changes are on
// with a 24-hour cut-off.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkA11y } from '../lib/axe.js';
import { assertNoHorizontalScroll } from '../lib/layout.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 120_000 };
const PASSWORD = 'doorstep-demo';
const DESKTOP = { width: 1280, height: 900 };

async function signIn(page, url, email, button = 'Sign in') {
  await page.goto(url);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: button }).click()]);
}

/** Checks the page as it is now: accessible, and no horizontal scroll on a phone. */
async function checkPage(page) {
  await checkA11y(page);
  await assertNoHorizontalScroll(page);
  await page.setViewportSize(DESKTOP);
}

/** `YYYY-MM-DD`, `days` from today (UTC; far enough ahead to be after Acme's today in Chicago). */
function isoDay(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

describe('office setup and a customer rescheduling', () => {
  const doorstep = useDoorstep({ smtp: true });

  test('an admin adds a catalogue item and a window; dana moves her visit into it', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');

    // The office: a requestable catalogue item, then a window of exact hours 20 days out.
    const office = await doorstep.newPage({ viewport: DESKTOP });
    await signIn(office, `${base}/office`, 'office@acme.test');
    await office.goto(`${base}/office/catalogue`);
    await office.getByLabel('Service', { exact: true }).check();
    await office.getByLabel('Name', { exact: true }).fill('Sump pump replacement');
    await office.getByLabel('Price (optional)').fill('420.00');
    await office.getByLabel('Show in customer portal?').check();
    await Promise.all([office.waitForNavigation(), office.getByRole('button', { name: 'Add', exact: true }).click()]);
    assert.ok(await office.getByRole('link', { name: 'Sump pump replacement' }).count() > 0);

    await office.goto(`${base}/office/availability`);
    await office.getByLabel('Date', { exact: true }).fill(isoDay(20));
    await office.getByRole('radio', { name: 'Exact hours' }).check();
    await office.getByLabel('From (exact hours only)').fill('10:00');
    await office.getByLabel('Until (exact hours only)').fill('12:00');
    await office.getByLabel('Capacity (visits)').fill('2');
    await Promise.all([office.waitForNavigation(), office.getByRole('button', { name: 'Publish window' }).click()]);
    await office.getByRole('link', { name: /10:00 AM–12:00 PM/ }).waitFor();

    // The visit-change setting is on, with its cut-off.
    await office.goto(`${base}/office/settings/visits`);
    assert.ok(await office.getByLabel('Customers may reschedule or cancel visits').isChecked());
    assert.equal(await office.getByLabel(/Cut-off/).inputValue(), '24');
    await checkPage(office);

    // Dana, for her household: the scheduled visit offers "Change this visit".
    const dana = await doorstep.newPage({ viewport: DESKTOP });
    await signIn(dana, `${base}/sign-in`, 'dana@example.test');
    await dana.goto(`${base}/accounts`);
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: /Whitaker/ }).click()]);
    await dana.goto(`${base}/jobs?status=scheduled`);
    const number = (await dana.locator('[data-testid=jobs] tbody tr td:first-child a').first().textContent()).trim();
    await Promise.all([dana.waitForNavigation(), dana.getByRole('link', { name: number, exact: true }).click()]);
    await dana.getByTestId('visit-change').waitFor();
    await checkPage(dana);
    await Promise.all([dana.waitForNavigation(), dana.getByTestId('reschedule-link').click()]);
    assert.equal(new URL(dana.url()).pathname, `/jobs/${number}/reschedule`);
    await checkPage(dana);

    // Nothing chosen: the message sits next to the windows, nothing changes.
    await dana.getByRole('button', { name: 'Move my visit' }).click();
    await dana.locator('#window-error').waitFor();
    await checkA11y(dana);

    await dana.getByLabel(/10:00 AM–12:00 PM · 2 places left/).check();
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: 'Move my visit' }).click()]);
    assert.match(await dana.getByTestId('visit-changed').textContent(), /moved/);
    assert.match(await dana.getByTestId('job-facts').textContent(), /10:00 AM/);

    const mail = await doorstep.mail.waitFor((m) => m.subject.includes(`Job ${number}`) && m.subject.includes('rescheduled'));
    assert.deepEqual(mail.to, ['requests@acme.test']);
    assert.match(mail.text, /Now: .*10:00/);

    // The office sees the window booked.
    await office.goto(`${base}/office/availability`);
    await Promise.all([office.waitForNavigation(), office.getByRole('link', { name: /10:00 AM–12:00 PM/ }).click()]);
    assert.match(await office.locator('main').textContent(), new RegExp(number));

    // The cancel page asks first; it too passes axe and fits a phone.
    await dana.goto(`${base}/jobs/${number}/cancel`);
    await dana.getByRole('heading', { name: /Cancel the visit/ }).waitFor();
    await checkPage(dana);
    await dana.getByRole('button', { name: 'Cancel the visit' }).click();
    await dana.locator('#reason-error').waitFor();
    await checkA11y(dana);
  });

  test('an ambiguous price and a duplicate name are refused next to their fields, keeping what was typed', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const office = await doorstep.newPage({ viewport: DESKTOP });
    await signIn(office, `${base}/office`, 'office@acme.test');
    await office.goto(`${base}/office/catalogue`);
    await office.getByLabel('Service', { exact: true }).check();
    await office.getByLabel('Name', { exact: true }).fill('Drain camera survey');
    await office.getByLabel('Price (optional)').fill('12,50');
    await Promise.all([office.waitForNavigation(), office.getByRole('button', { name: 'Add', exact: true }).click()]);
    // Issue 14, point 10f: "12,50" was saved as $1,250.00.
    await office.locator('#price-error').waitFor();
    assert.equal(await office.getByLabel('Price (optional)').inputValue(), '12,50');
    assert.equal(await office.getByRole('link', { name: 'Drain camera survey' }).count(), 0, 'nothing saved');
    await office.getByLabel('Price (optional)').fill('12.50');
    await Promise.all([office.waitForNavigation(), office.getByRole('button', { name: 'Add', exact: true }).click()]);
    assert.ok(await office.getByRole('link', { name: 'Drain camera survey' }).count() > 0);

    // Point 10g: the same name again is a 409 with the form, not a 500.
    await office.getByLabel('Service', { exact: true }).check();
    await office.getByLabel('Name', { exact: true }).fill('drain camera survey');
    const [response] = await Promise.all([
      office.waitForNavigation(),
      office.getByRole('button', { name: 'Add', exact: true }).click(),
    ]);
    assert.equal(response.status(), 409);
    await office.locator('#name-error').waitFor();
    assert.equal(await office.getByLabel('Name', { exact: true }).inputValue(), 'drain camera survey');
    await checkPage(office);
  });

  test('the office proposes another time for a request and dana accepts it', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const office = await doorstep.newPage({ viewport: DESKTOP });
    await signIn(office, `${base}/office`, 'office@acme.test');
    await office.goto(`${base}/office/requests/R-1004`);
    await office.getByTestId('propose').waitFor();
    await office.getByLabel('Date', { exact: true }).fill(isoDay(9));
    await office.getByRole('radio', { name: 'Afternoon (PM)' }).check();
    await office.getByLabel('Note to the customer (optional)').fill('Our technician is free that afternoon.');
    await Promise.all([office.waitForNavigation(), office.getByTestId('propose-submit').click()]);
    assert.match(await office.getByTestId('proposal').textContent(), /awaiting the customer/);
    await checkPage(office);
    const mail = await doorstep.mail.waitFor((m) => m.subject.includes('R-1004') && m.subject.includes('proposes'));
    assert.deepEqual(mail.to, ['dana@example.test']);
    assert.match(mail.text, /technician is free/);

    const dana = await doorstep.newPage({ viewport: DESKTOP });
    await signIn(dana, `${base}/sign-in`, 'dana@example.test');
    await dana.goto(`${base}/accounts`);
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: /Whitaker/ }).click()]);
    await dana.goto(`${base}/requests/R-1004`);
    await Promise.all([dana.waitForNavigation(), dana.getByTestId('proposal-link').click()]);
    await dana.getByRole('button', { name: 'Accept this time' }).waitFor();
    await checkPage(dana);
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: 'Accept this time' }).click()]);
    assert.equal(await dana.getByTestId('proposal-state').textContent(), 'accepted');
    assert.equal(await dana.getByRole('button', { name: 'Accept this time' }).count(), 0);
    const answered = await doorstep.mail.waitFor((m) => m.subject.includes('R-1004') && m.subject.includes('accepted'));
    assert.deepEqual(answered.to, ['requests@acme.test']);
  });
});
