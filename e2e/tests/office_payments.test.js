// Offline payments (issue 17): the admin records a partial cash payment on an unpaid demo
// invoice of dana's household and then the rest by check; the invoice becomes paid, each
// receipt reaches the SMTP server with its amounts, and dana sees both payments on the
// invoice and in her payment history. Every page passes axe and fits 375 and 1280 px.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkA11y } from '../lib/axe.js';
import { assertNoHorizontalScroll } from '../lib/layout.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 180_000 };
const PASSWORD = 'doorstep-demo';
const DESKTOP = { width: 1280, height: 900 };

async function signIn(page, url, email, button = 'Sign in') {
  await page.goto(url);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: button }).click()]);
}

/** Accessible, no horizontal scroll on a phone, then back to a desk's width (and it fits there too). */
async function checkPage(page) {
  await checkA11y(page);
  await assertNoHorizontalScroll(page);
  await assertNoHorizontalScroll(page, DESKTOP);
}

/** `$1,234.56` → 123456. */
function cents(text) {
  return Math.round(Number(text.replace(/[^0-9.]/g, '')) * 100);
}

/** 123456 → `1234.56`. */
function typed(minor) {
  return (minor / 100).toFixed(2);
}

/** 123456 → `$1,234.56`. */
function dollars(minor) {
  return `$${(minor / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

describe('offline payments', () => {
  const doorstep = useDoorstep({ smtp: true });

  test('cash then the rest by check pays the invoice; receipts arrive; dana sees both payments', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const office = await doorstep.newPage({ viewport: DESKTOP });
    await signIn(office, `${base}/office`, 'office@acme.test');

    // The list, from the office menu's Billing.
    const menu = office.getByRole('navigation', { name: 'Office' });
    await menu.getByText('Billing', { exact: true }).click();
    await Promise.all([office.waitForNavigation(), menu.getByRole('link', { name: 'Payments' }).click()]);
    await office.getByTestId('payments-list').waitFor();
    await checkPage(office);

    // Record a payment: find dana's household, then its open invoices.
    await Promise.all([office.waitForNavigation(), office.getByTestId('new-payment').click()]);
    await office.getByLabel('Customer number or name').fill('Whitaker');
    await Promise.all([office.waitForNavigation(), office.getByRole('button', { name: 'Find customer' }).click()]);
    await Promise.all([office.waitForNavigation(), office.getByTestId('customer-matches').getByRole('link', { name: /Whitaker/ }).first().click()]);
    const firstRow = office.locator('[data-testid=open-invoices] tbody tr').first();
    const invoice = (await firstRow.locator('td').first().textContent()).trim().split(/\s+/)[0];
    const balance = cents(await office.getByTestId(`balance-${invoice}`).textContent());
    assert.ok(balance > 1, `${invoice} owes ${balance}`);
    await checkPage(office);

    // Above the balance without keeping credit: refused beside the amount, values kept.
    await office.getByLabel('Amount received').fill(typed(balance + 1000));
    await office.getByLabel(`Amount for ${invoice}`).fill(typed(balance));
    await office.getByRole('button', { name: 'Record payment' }).click();
    await office.locator('#amount-error').waitFor();
    assert.match(await office.locator('#amount-error').textContent(), /more than the balance due/);
    assert.equal(await office.getByLabel('Amount received').inputValue(), typed(balance + 1000));
    await checkA11y(office);

    // Part of it in cash.
    const part = Math.floor(balance / 2);
    const rest = balance - part;
    await office.getByLabel('Amount received').fill(typed(part));
    await office.getByRole('radio', { name: 'Cash' }).check();
    await office.getByLabel(`Amount for ${invoice}`).fill(typed(part));
    await Promise.all([office.waitForNavigation(), office.getByRole('button', { name: 'Record payment' }).click()]);
    assert.equal(await office.getByTestId('payment-amount').textContent(), dollars(part));
    assert.match(await office.getByTestId('payment-lines').textContent(), new RegExp(`${dollars(rest).replace('$', '\\$')} still due`));
    await checkPage(office);

    // The rest by check.
    await Promise.all([office.waitForNavigation(), office.getByRole('link', { name: 'Record another payment for this customer' }).click()]);
    assert.equal(cents(await office.getByTestId(`balance-${invoice}`).textContent()), rest);
    await office.getByLabel('Amount received').fill(typed(rest));
    await office.getByRole('radio', { name: 'Check' }).check();
    await office.getByLabel('Check number or reference').fill('4417');
    await office.getByLabel(`Amount for ${invoice}`).fill(typed(rest));
    await Promise.all([office.waitForNavigation(), office.getByRole('button', { name: 'Record payment' }).click()]);
    assert.match(await office.getByTestId('payment-lines').textContent(), /Paid in full/);
    assert.match(await office.getByTestId('payment-method').textContent(), /Check #4417/);

    // Both receipts reach dana with their amounts.
    const cash = await doorstep.mail.waitFor((m) => m.subject.startsWith('Receipt for your payment') && m.text.includes(`${invoice}: ${dollars(part)} applied`));
    assert.deepEqual(cash.to, ['dana@example.test']);
    assert.match(cash.text, new RegExp(`${dollars(rest).replace('$', '\\$')} still due`));
    const check = await doorstep.mail.waitFor((m) => m.subject.startsWith('Receipt for your payment') && m.text.includes(`${invoice}: ${dollars(rest)} applied, paid in full`));
    assert.deepEqual(check.to, ['dana@example.test']);

    // Dana: the invoice is paid and lists both payments; so does her history.
    const dana = await doorstep.newPage({ viewport: DESKTOP });
    await signIn(dana, `${base}/sign-in`, 'dana@example.test');
    await dana.goto(`${base}/accounts`);
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: /Whitaker/ }).click()]);
    await dana.goto(`${base}/invoices/${invoice}`);
    assert.equal((await dana.getByTestId('invoice-status').textContent()).trim(), 'Paid');
    const paid = await dana.getByTestId('invoice-payments').textContent();
    assert.ok(paid.includes(dollars(part)) && paid.includes('Cash'), paid);
    assert.ok(paid.includes(dollars(rest)) && paid.includes('Check (#4417)'), paid);
    await checkPage(dana);

    await Promise.all([dana.waitForNavigation(), dana.getByRole('link', { name: 'Payments', exact: true }).first().click()]);
    const history = await dana.getByTestId('payment-history').textContent();
    assert.ok(history.includes(invoice) && history.includes(dollars(part)) && history.includes(dollars(rest)), history);
    await checkPage(dana);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await dana.getByLabel('From', { exact: true }).fill(tomorrow);
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: 'Show' }).click()]);
    await dana.getByTestId('payments-empty').waitFor();
    await checkA11y(dana);
  });
});
