// The office's requests inbox in a browser (issue 5): the badge counts New requests and
// follows changes without a reload; opening a request marks it Read; converting one to a
// job completes it and links the job; declining another emails the customer over SMTP,
// and the declined request offers no conversion (and refuses one sent anyway).
//
// Demo data: R-1004 (Dana's household) and R-1005 (Sam, Bayview) are New.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkA11y } from '../lib/axe.js';
import { assertNoHorizontalScroll } from '../lib/layout.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 120_000 };
const DEMO_PASSWORD = 'doorstep-demo';

async function officeSignIn(page, base) {
  await page.goto(`${base}/office`);
  await page.getByLabel('Email', { exact: true }).fill('office@acme.test');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/office`);
}

function badgeCount(page) {
  return page.locator('[data-request-count]').textContent();
}

describe('requests inbox', () => {
  const doorstep = useDoorstep({ smtp: true });

  test('the office opens, converts and declines requests; the badge follows live', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const inbox = await doorstep.newPage();
    await officeSignIn(inbox, base);
    await inbox.goto(`${base}/office/requests`);
    assert.equal(await badgeCount(inbox), '2');
    await checkA11y(inbox);
    await assertNoHorizontalScroll(inbox);

    // Filters live in the URL: New only.
    await inbox.getByLabel('New', { exact: true }).check();
    await inbox.getByRole('button', { name: 'Show requests' }).click();
    await inbox.waitForURL(/status=new/);
    const rows = await inbox.getByTestId('requests').locator('tbody tr').count();
    assert.equal(rows, 2);

    // A second tab opens R-1004: it becomes Read, and the first tab's badge drops by itself.
    const detail = await inbox.context().newPage();
    await detail.goto(`${base}/office/requests/R-1004`);
    assert.equal(await detail.getByTestId('request-status').textContent(), 'Read');
    assert.equal(await badgeCount(detail), '1');
    await inbox.waitForFunction(
      () => document.querySelector('[data-request-count]')?.textContent === '1',
      null,
      { timeout: 20_000 },
    );
    await checkA11y(detail);
    await assertNoHorizontalScroll(detail);

    // Convert R-1004 to a job: the form is prefilled; saving completes and links it.
    await detail.getByTestId('convert-job').click();
    await detail.waitForURL(`${base}/office/requests/R-1004/job`);
    assert.match(await detail.getByLabel('Description').inputValue(), /faucet/);
    await checkA11y(detail);
    await assertNoHorizontalScroll(detail);
    await detail.getByTestId('create-job').click();
    await detail.waitForURL(`${base}/office/requests/R-1004`);
    assert.equal(await detail.getByTestId('request-status').textContent(), 'Completed');
    assert.match(await detail.getByTestId('converted-job').textContent(), /^J-\d+$/);
    assert.equal(await detail.getByTestId('convert-job').count(), 0);

    // Decline R-1005 with a reason: a reason is required, then the customer is emailed.
    await detail.goto(`${base}/office/requests/R-1005`);
    await detail.getByTestId('decline').click();
    await detail.locator('#reason-error').waitFor();
    await checkA11y(detail);
    await detail.getByLabel(/Reason for declining/).fill('Our plumbers are fully booked this month; please ask again in June.');
    await detail.getByTestId('decline').click();
    await detail.waitForURL(`${base}/office/requests/R-1005`);
    assert.equal(await detail.getByTestId('request-status').textContent(), 'Declined');
    assert.equal(await detail.getByTestId('convert-job').count(), 0);
    assert.equal(await detail.getByTestId('convert-estimate').count(), 0);
    assert.match(await detail.getByTestId('closed').textContent(), /can never be converted/);
    assert.equal(await badgeCount(detail), '0');
    const mail = await doorstep.mail.waitFor((m) => m.subject.includes('R-1005'));
    assert.match(mail.text, /fully booked this month/);
    assert.match(mail.text, /R-1005/);

    // Converting the declined request by URL is refused, and nothing is made.
    const refused = await detail.goto(`${base}/office/requests/R-1005/job`);
    assert.equal(refused.status(), 409);
    assert.match(await detail.getByTestId('refusal').textContent(), /never be converted/);
    await inbox.waitForFunction(
      () => document.querySelector('[data-request-badge]')?.hidden === true,
      null,
      { timeout: 20_000 },
    );
    // Hidden means not drawn: the badge's own display must not show "0".
    assert.equal(await inbox.locator('[data-request-badge]').isVisible(), false);
  });
});
