// The portal's billing pages on the demo data: dana's dashboard, estimates (tick an
// optional line and see the total change, approve one, decline another), invoices and
// statement in both of her accounts; a Bolt contact sees Bolt's. Every page passes axe
// and fits a 375 px screen.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { checkA11y } from '../lib/axe.js';
import { assertNoHorizontalScroll } from '../lib/layout.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 180_000 };
const PASSWORD = 'doorstep-demo';

async function signIn(page, base, email) {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign in' }).click()]);
}

async function chooseAccount(page, base, name) {
  await page.goto(`${base}/accounts`);
  await Promise.all([
    page.waitForURL(`${base}/`),
    page.getByRole('button', { name: new RegExp(name) }).click(),
  ]);
  assert.equal((await page.getByTestId('active-account').textContent()).trim(), name);
}

/** axe and the 375 px check, then back to a desktop width. */
async function checkPage(page) {
  await checkA11y(page);
  await assertNoHorizontalScroll(page);
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function visit(page, url) {
  const response = await page.goto(url);
  assert.equal(response.status(), 200, `${url} answers 200`);
  await checkPage(page);
}

/** Opens the first pending estimate of the list; returns its URL. */
async function openPendingEstimate(page, base) {
  await page.goto(`${base}/estimates`);
  const row = page.locator('[data-testid=estimate-list] tbody tr', { hasText: 'Awaiting your answer' }).first();
  await Promise.all([page.waitForLoadState('load'), row.getByRole('link').click()]);
  return page.url();
}

describe('portal billing pages', () => {
  const doorstep = useDoorstep();

  test('dana approves an estimate with an option in her household, and sees invoices and statement', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const page = await doorstep.newPage();
    await signIn(page, base, 'dana@example.test');
    await chooseAccount(page, base, 'Dana Whitaker');
    await checkPage(page);
    await page.getByTestId('balance-due').waitFor();

    await visit(page, `${base}/estimates`);
    const url = await openPendingEstimate(page, base);
    await checkPage(page);
    const total = page.getByTestId('estimate-total');
    const before = (await total.textContent()).trim();
    const option = page.getByRole('checkbox').first();
    await option.check();
    // The total is recomputed by the server and swapped in by /static/estimate.js.
    await page.waitForFunction(
      (old) => document.querySelector('[data-testid=estimate-total]').textContent.trim() !== old,
      before,
    );
    const after = (await total.textContent()).trim();
    assert.notEqual(after, before, 'ticking an optional line changes the total');
    assert.equal((await page.getByTestId('approve-total').textContent()).trim(), after);

    await page.getByLabel('Type your full name to sign').fill('Dana Whitaker');
    await Promise.all([page.waitForURL(/done=approved/), page.getByRole('button', { name: 'Approve estimate' }).click()]);
    assert.equal((await page.getByTestId('estimate-status').textContent()).trim(), 'Approved');
    assert.equal((await page.getByTestId('estimate-total').textContent()).trim(), after, 'the approved total is the one signed');
    await checkPage(page);
    assert.ok(url.includes('/estimates/'));

    await visit(page, `${base}/invoices`);
    const invoice = page.locator('[data-testid=invoice-list] tbody tr a').first();
    await Promise.all([page.waitForLoadState('load'), invoice.click()]);
    await page.getByTestId('invoice-balance').waitFor();
    await checkPage(page);
    await visit(page, `${base}/statement`);
    await page.getByTestId('ageing').waitFor();
  });

  test('dana declines an estimate in her Harbor account and sees its invoices and statement', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const page = await doorstep.newPage();
    await signIn(page, base, 'dana@example.test');
    await chooseAccount(page, base, 'Harbor Property Co.');
    await checkPage(page);
    await openPendingEstimate(page, base);
    // Declining asks first, on its own step, and shows what is being turned down.
    await page.getByRole('link', { name: 'Decline estimate…' }).click();
    await page.getByRole('heading', { name: /^Decline estimate .+\?$/ }).waitFor();
    await checkPage(page);
    await page.getByLabel('Reason (optional)').fill('Over budget this year.');
    await Promise.all([page.waitForURL(/done=declined/), page.getByRole('button', { name: 'Yes, decline estimate' }).click()]);
    assert.equal((await page.getByTestId('estimate-status').textContent()).trim(), 'Declined');
    await page.getByText('Over budget this year.').waitFor();
    await checkPage(page);
    await visit(page, `${base}/estimates`);
    await visit(page, `${base}/invoices`);
    await visit(page, `${base}/statement`);
  });

  test("a Bolt contact sees Bolt's billing, nothing of Acme", TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('bolt');
    const page = await doorstep.newPage();
    await signIn(page, base, 'dana@example.test');
    await page.goto(`${base}/`);
    await checkPage(page);
    for (const path of ['/estimates', '/invoices', '/statement']) {
      await visit(page, `${base}${path}`);
      const html = await page.content();
      assert.ok(!html.includes('Acme'), `${path} shows nothing of Acme`);
    }
    await page.getByText('Bolt Electric').first().waitFor();
  });

  test('an invoice PDF downloads from its page and holds its lines and totals', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const page = await doorstep.newPage({ acceptDownloads: true });
    await signIn(page, base, 'dana@example.test');
    await chooseAccount(page, base, 'Dana Whitaker');
    await page.goto(`${base}/invoices`);
    const first = page.locator('[data-testid=invoice-list] tbody tr').first();
    await Promise.all([page.waitForLoadState('load'), first.getByRole('link').first().click()]);
    const number = (await page.locator('h1').textContent()).match(/Invoice (\S+)/)[1];
    const lineText = (await page.locator('table tbody tr td').first().textContent()).trim();
    const total = (await page.getByTestId('invoice-total').textContent()).trim();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download PDF' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `invoice-${number}.pdf`);
    const file = await download.path();
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    assert.ok(text.includes(`Invoice ${number}`), text);
    assert.ok(text.includes(lineText.slice(0, 20)), `the first line (${lineText}) is in the PDF:\n${text}`);
    assert.ok(text.includes(total), `the total ${total} is in the PDF:\n${text}`);
  });
});
