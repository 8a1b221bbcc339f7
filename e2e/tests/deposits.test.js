// Deposits and tips (issue 19) with the built-in test processor. The office asks 25 % on
// approval of dana's pending estimate and switches tips on; dana approves it (approved,
// deposit due), pays the deposit with 4242 on the TEST MODE page, and sees it approved
// with the deposit paid; the office's estimate page says "Deposit paid". Then she pays
// an invoice of a completed job with a 15 % tip: the invoice is paid and the tip shown
// apart on the return page and in the office's payments list. Between the two, the office
// converts the estimate, invoices the job and sends it: the deposit is credited to it. Every page passes axe and
// fits 375 px.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkA11y } from '../lib/axe.js';
import { assertNoHorizontalScroll } from '../lib/layout.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 240_000 };
const PASSWORD = 'doorstep-demo';
const DESKTOP = { width: 1280, height: 900 };

async function signIn(page, url, email) {
  await page.goto(url);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/** Accessible, and no horizontal scroll on a phone (375 px) nor on a desktop. */
async function checkPage(page) {
  await checkA11y(page);
  await assertNoHorizontalScroll(page);
  await page.setViewportSize(DESKTOP);
}

/** "$1,234.56" (within any text) in cents. */
function cents(text) {
  const m = text.match(/\$([\d,]+)\.(\d{2})/);
  assert.ok(m, `an amount in "${text}"`);
  return Number(m[1].replaceAll(',', '')) * 100 + Number(m[2]);
}

/** Types `card` on the TEST MODE page and pays; lands on the return page. */
async function payWith(page, card) {
  await page.getByTestId('test-mode').waitFor();
  assert.match(await page.getByTestId('test-mode').textContent(), /TEST MODE/);
  await page.getByLabel('Card number (test)').fill(card);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: /^Pay / }).click()]);
  await page.getByTestId('pay-result').waitFor();
}

describe('deposits and tips', () => {
  const doorstep = useDoorstep({ smtp: false });

  test('dana approves an estimate with a deposit and pays it, then pays a completed job with a 15 % tip', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const dana = await doorstep.newPage({ viewport: DESKTOP });
    await signIn(dana, `${base}/sign-in`, 'dana@example.test');
    await dana.goto(`${base}/accounts`);
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: /Whitaker/ }).click()]);
    await dana.goto(`${base}/estimates`);
    const pendingRow = dana.locator('tbody tr', { hasText: 'Awaiting your answer' }).first();
    const number = (await pendingRow.locator('a').first().textContent()).trim();
    assert.match(number, /^E-/);

    // The office asks 25 % on approval and switches tips on.
    const office = await doorstep.newPage({ viewport: DESKTOP });
    await signIn(office, `${base}/office`, 'office@acme.test');
    await office.goto(`${base}/office/estimates/${number}/edit`);
    await office.getByLabel('Deposit on approval (optional)').fill('25%');
    await Promise.all([office.waitForNavigation(), office.getByRole('button', { name: 'Save', exact: true }).click()]);
    assert.match(await office.locator('dl.facts').first().textContent(), /25% of the approved total/);
    await office.goto(`${base}/office/settings/portal`);
    await office.getByTestId('switch-allow_tips').check();
    await Promise.all([office.waitForNavigation(), office.getByRole('button', { name: 'Save switches' }).click()]);

    // Dana signs: approved, deposit due.
    await dana.goto(`${base}/estimates/${number}`);
    assert.match(await dana.locator('dl.facts').textContent(), /25% of the total/);
    await dana.getByLabel('Type your full name to sign').fill('Dana Whitaker');
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: 'Approve estimate' }).click()]);
    assert.equal(await dana.getByTestId('deposit-state').getAttribute('data-state'), 'due');
    await dana.setViewportSize({ width: 375, height: 812 });
    await checkPage(dana);

    // She pays it on the TEST MODE page.
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: /^Pay deposit/ }).click()]);
    await dana.setViewportSize({ width: 375, height: 812 });
    await checkPage(dana);
    await payWith(dana, '4242 4242 4242 4242');
    assert.equal(await dana.getByTestId('pay-result').getAttribute('data-status'), 'paid');
    assert.match(await dana.getByTestId('deposit-paid').textContent(), new RegExp(number));
    await dana.setViewportSize({ width: 375, height: 812 });
    await checkPage(dana);
    await dana.goto(`${base}/estimates/${number}`);
    assert.equal((await dana.getByTestId('estimate-status').textContent()).trim(), 'Approved');
    assert.equal(await dana.getByTestId('deposit-state').getAttribute('data-state'), 'paid');
    assert.match(await dana.getByTestId('deposit-state').textContent(), /Deposit paid/);

    // The office sees it paid.
    await office.goto(`${base}/office/estimates/${number}`);
    assert.match(await office.getByTestId('deposit-state').textContent(), /Deposit paid \$[\d,.]+ on /);
    await office.setViewportSize({ width: 375, height: 812 });
    await checkPage(office);
    const deposit = cents((await office.getByTestId('deposit-state').textContent()).match(/Deposit paid (\$[\d,.]+)/)[1]);
    assert.ok(deposit > 0);

    // The office converts the estimate, invoices the job and sends it to Dana: the paid
    // deposit is credited to that invoice, in the office and in the portal.
    await Promise.all([office.waitForNavigation(), office.getByRole('button', { name: 'Convert to a job', exact: true }).click()]);
    const job = (await office.getByTestId('converted-job').textContent()).trim();
    assert.match(job, /^J-\d+$/);
    await office.goto(`${base}/office/invoices/new?job=${job}`);
    await Promise.all([office.waitForNavigation(), office.getByRole('button', { name: 'Save', exact: true }).click()]);
    const jobInvoice = new URL(office.url()).pathname.split('/')[3];
    const total = cents(await office.getByTestId('doc-total').textContent());
    assert.ok(total >= deposit, `the job's invoice (${total}) is at least the deposit (${deposit})`);
    const danaOption = await office.locator('#contact option', { hasText: 'dana@example.test' }).first().getAttribute('value');
    await office.selectOption('#contact', danaOption);
    await Promise.all([office.waitForNavigation(), office.getByRole('button', { name: 'Send invoice', exact: true }).click()]);
    await dana.goto(`${base}/invoices/${jobInvoice}`);
    assert.equal(cents(await dana.getByTestId('invoice-total').textContent()), total);
    assert.equal(cents(await dana.getByTestId('invoice-balance').textContent()), total - deposit);
    await dana.setViewportSize({ width: 375, height: 812 });
    await checkPage(dana);

    // An invoice of a completed job, with a 15 % tip.
    await dana.goto(`${base}/invoices`);
    const numbers = await dana.locator('[data-testid=invoice-list] tbody input[name=invoice]').evaluateAll((boxes) => boxes.map((b) => b.value));
    let tipped = null;
    for (const n of numbers) {
      await dana.goto(`${base}/invoices/${n}`);
      if ((await dana.getByTestId('tip-choice').count()) > 0) {
        tipped = n;
        break;
      }
    }
    assert.ok(tipped, 'an unpaid invoice of a completed job offers a tip');
    await dana.setViewportSize({ width: 375, height: 812 });
    await checkPage(dana);
    const tipLabel = await dana.getByTestId('tip-15').locator('xpath=..').textContent();
    const tip = tipLabel.match(/\$[\d,.]+/)[0];
    await dana.getByTestId('tip-15').check();
    await Promise.all([dana.waitForNavigation(), dana.getByTestId('invoice-pay').getByRole('button').click()]);
    await payWith(dana, '4242 4242 4242 4242');
    assert.equal(await dana.getByTestId('pay-result').getAttribute('data-status'), 'paid');
    assert.match(await dana.getByTestId('pay-result').textContent(), new RegExp(`tip of \\${tip}`));
    await dana.setViewportSize({ width: 375, height: 812 });
    await checkPage(dana);
    await dana.goto(`${base}/invoices/${tipped}`);
    assert.equal((await dana.getByTestId('invoice-status').textContent()).trim(), 'Paid');

    // The office's payments list shows the tip apart.
    await office.goto(`${base}/office/payments`);
    assert.match(await office.getByTestId('payment-tip').first().textContent(), new RegExp(`tip \\${tip}`));
    await office.setViewportSize({ width: 375, height: 812 });
    await checkPage(office);
  });
});
