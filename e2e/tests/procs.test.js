// The office's processor settings and refunds (issue 19): an administrator opens Settings,
// Online payments; a publishable Stripe key is refused next to its field (and never shown
// back); test mode is saved and "Test connection" says it works. Dana then pays an invoice
// with the test card, and the administrator refunds part of that payment from its office
// page: asked first, the invoice owes the refunded amount again, and the refund email
// reaches the SMTP server. Every page passes axe and fits 375 and 1280 px.

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

describe('processor settings and refunds', () => {
  const doorstep = useDoorstep({ smtp: true });

  test('an admin sets test mode, tests the connection, and refunds part of a payment', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const office = await doorstep.newPage({ viewport: DESKTOP });
    await signIn(office, `${base}/office`, 'office@acme.test');
    assert.ok((await office.locator('a[href="/office/settings/payments"]').count()) > 0, 'the Settings menu links it');
    await office.goto(`${base}/office/settings/payments`);
    assert.equal((await office.locator('h1').textContent()).trim(), 'Online payments');
    await checkPage(office);

    // A publishable key: refused next to its field, not shown back.
    await office.getByRole('radio', { name: 'Stripe' }).check();
    await office.getByLabel('Secret key').fill('pk_test_publishable');
    await Promise.all([office.waitForNavigation(), office.getByRole('button', { name: 'Save', exact: true }).click()]);
    assert.match(await office.locator('#stripe_secret_key-error').textContent(), /starts with sk_/);
    assert.equal(await office.getByLabel('Secret key').inputValue(), '');
    await checkPage(office);

    // Test mode, saved; the connection test says it works.
    await office.getByRole('radio', { name: 'Test mode' }).check();
    await Promise.all([office.waitForNavigation(), office.getByRole('button', { name: 'Save', exact: true }).click()]);
    await office.getByTestId('saved').waitFor();
    await Promise.all([office.waitForNavigation(), office.getByRole('button', { name: 'Test connection' }).click()]);
    assert.match(await office.getByTestId('connection').textContent(), /Test mode works/);
    await checkPage(office);

    // Dana pays her household's first open invoice with the test card.
    const dana = await doorstep.newPage({ viewport: DESKTOP });
    await signIn(dana, `${base}/sign-in`, 'dana@example.test');
    await dana.goto(`${base}/accounts`);
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: /Whitaker/ }).click()]);
    await dana.goto(`${base}/invoices`);
    const number = await dana.locator('[data-testid=invoice-list] input[name=invoice]').first().getAttribute('value');
    await dana.goto(`${base}/invoices/${number}`);
    await Promise.all([dana.waitForNavigation(), dana.getByTestId('invoice-pay').getByRole('button').click()]);
    await dana.getByLabel('Card number (test)').fill('4242 4242 4242 4242');
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: /^Pay / }).click()]);
    assert.equal(await dana.getByTestId('pay-result').getAttribute('data-status'), 'paid');
    const receipt = await doorstep.mail.waitFor((m) => m.subject.startsWith('Receipt for your payment') && m.text.includes(`${number}:`));
    const payment = receipt.text.match(/Receipt (P-\d+)/)[1];

    // The office refunds $5.00 of it: asked first.
    await office.goto(`${base}/office/payments/${payment}`);
    await Promise.all([office.waitForNavigation(), office.getByTestId('refund').click()]);
    assert.match(await office.locator('main').textContent(), /cannot be undone/);
    await checkPage(office);
    await office.getByLabel('Amount to refund').fill('5.00');
    await Promise.all([office.waitForNavigation(), office.getByTestId('confirm-refund').click()]);
    assert.match(await office.locator('main').textContent(), /Refunded through the processor/);
    assert.equal((await office.getByTestId('payment-refunded').textContent()).trim(), '$5.00');
    await checkPage(office);
    const told = await doorstep.mail.waitFor((m) => m.subject.includes('refunded $5.00'));
    assert.match(told.text, new RegExp(`${payment}`));
    assert.match(told.text, new RegExp(`Invoice ${number}: \\$5\\.00 is owed again`));
  });
});
