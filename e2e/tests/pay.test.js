// Online payments (issue 19) with the built-in test processor: dana pays one overdue
// invoice of her household from its page (a declined card first: the invoice stays
// unpaid and the page says why), then two of Harbor's at once from the invoices list
// (its account credit applied first); the invoices
// become paid, the receipts reach the SMTP server (the billing contact's inbox), and her payment history shows them.
// Every page passes axe and fits 375 and 1280 px.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkA11y } from '../lib/axe.js';
import { assertNoHorizontalScroll } from '../lib/layout.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 180_000 };
const PASSWORD = 'doorstep-demo';
const DESKTOP = { width: 1280, height: 900 };

async function signIn(page, url, email) {
  await page.goto(url);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
}

async function checkPage(page) {
  await checkA11y(page);
  await assertNoHorizontalScroll(page);
  await assertNoHorizontalScroll(page, DESKTOP);
}

/** The numbers of the invoices the list offers to pay, overdue ones first. */
async function payable(page) {
  const rows = page.locator('[data-testid=invoice-list] tbody tr');
  const found = [];
  for (let i = 0; i < (await rows.count()); i += 1) {
    const row = rows.nth(i);
    if ((await row.locator('input[name=invoice]').count()) === 0) continue;
    const number = await row.locator('input[name=invoice]').getAttribute('value');
    const overdue = /Overdue/.test(await row.textContent());
    found.push({ number, overdue });
  }
  return [...found.filter((f) => f.overdue), ...found.filter((f) => !f.overdue)].map((f) => f.number);
}

async function status(page, base, number) {
  await page.goto(`${base}/invoices/${number}`);
  return (await page.getByTestId('invoice-status').textContent()).trim();
}

/** Types `card` on the TEST MODE page and pays; lands on the return page. */
async function payWith(page, card) {
  await page.getByTestId('test-mode').waitFor();
  assert.match(await page.getByTestId('test-mode').textContent(), /TEST MODE/);
  await page.getByLabel('Card number (test)').fill(card);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: /^Pay / }).click()]);
  await page.getByTestId('pay-result').waitFor();
}

describe('online payments', () => {
  const doorstep = useDoorstep({ smtp: true });

  test('dana pays one overdue invoice, then two at once; a declined card leaves it unpaid', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const dana = await doorstep.newPage({ viewport: DESKTOP });
    await signIn(dana, `${base}/sign-in`, 'dana@example.test');
    await dana.goto(`${base}/accounts`);
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: /Whitaker/ }).click()]);
    await dana.goto(`${base}/invoices`);
    const [first] = await payable(dana);
    assert.ok(first, 'the household owes something');
    await checkPage(dana);

    // One overdue invoice from its page; the declined card first.
    await dana.goto(`${base}/invoices/${first}`);
    assert.equal((await dana.getByTestId('invoice-status').textContent()).trim(), 'Overdue');
    await Promise.all([dana.waitForNavigation(), dana.getByTestId('invoice-pay').getByRole('button').click()]);
    await checkPage(dana);
    await payWith(dana, '4000 0000 0000 0002');
    assert.equal(await dana.getByTestId('pay-result').getAttribute('data-status'), 'failed');
    assert.match(await dana.getByTestId('pay-result').textContent(), /Your card was declined/);
    await checkPage(dana);
    assert.equal(await status(dana, base, first), 'Overdue');

    // Again, with the card that pays.
    await Promise.all([dana.waitForNavigation(), dana.getByTestId('invoice-pay').getByRole('button').click()]);
    await payWith(dana, '4242 4242 4242 4242');
    assert.equal(await dana.getByTestId('pay-result').getAttribute('data-status'), 'paid');
    assert.equal((await dana.locator('h1').textContent()).trim(), 'Payment received');
    await checkPage(dana);
    assert.equal(await status(dana, base, first), 'Paid');
    const one = await doorstep.mail.waitFor((m) => m.subject.startsWith('Receipt for your payment') && m.text.includes(`${first}:`));
    assert.deepEqual(one.to, ['dana@example.test']);
    assert.match(one.text, /paid in full/);

    // Its payment history shows it.
    await dana.goto(`${base}/payments`);
    assert.ok((await dana.getByTestId('payment-history').textContent()).includes(first));

    // Two at once from the list, for Harbor (whose $50.00 of credit goes first).
    await dana.goto(`${base}/accounts`);
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: /Harbor/ }).click()]);
    await dana.goto(`${base}/invoices`);
    const numbers = await payable(dana);
    assert.ok(numbers.length >= 2, `Harbor owes on ${numbers.join(', ')}`);
    const [second, third] = numbers;
    await dana.getByLabel(`Pay ${second}`).check();
    await dana.getByLabel(`Pay ${third}`).check();
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: 'Pay selected' }).click()]);
    await payWith(dana, '4242424242424242');
    assert.equal(await dana.getByTestId('pay-result').getAttribute('data-status'), 'paid');
    const result = await dana.locator('main').textContent();
    assert.ok(result.includes(second) && result.includes(third), result);
    assert.equal(await status(dana, base, second), 'Paid');
    assert.equal(await status(dana, base, third), 'Paid');
    const both = await doorstep.mail.waitFor((m) => m.subject.startsWith('Receipt for your payment') && m.text.includes(`${second}:`) && m.text.includes(`${third}:`));
    // Harbor's receipts go to its billing contact.
    assert.deepEqual(both.to, ['priya@harbor.test']);

    assert.match(both.text, /Account credit applied: \$50\.00/);

    // The payment history shows them.
    await dana.goto(`${base}/payments`);
    const history = await dana.getByTestId('payment-history').textContent();
    for (const n of [second, third]) assert.ok(history.includes(n), `${n} in ${history}`);
    await checkPage(dana);
  });
});
