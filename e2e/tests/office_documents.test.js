// The office prices work (issue 17): an administrator creates an estimate with an
// optional line and sends it; dana (demo) sees it in the portal and approves it with the
// option; the office converts it to a job, invoices the job with a tax and a discount and
// sends the invoice. The totals are right to the cent on each page and in the emails; each
// page passes axe and fits a 375 px phone.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkA11y } from '../lib/axe.js';
import { assertNoHorizontalScroll } from '../lib/layout.js';
import { chooseAccount, signIn as portalSignIn } from '../lib/portal.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 180_000 };
const PASSWORD = 'doorstep-demo';
const DESKTOP = { width: 1280, height: 900 };

async function officeSignIn(page, base, email) {
  await page.goto(`${base}/office`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/** axe, no horizontal scroll at 375 px, then back to the desk's width. */
async function checkPage(page) {
  await checkA11y(page);
  await assertNoHorizontalScroll(page);
  await page.setViewportSize(DESKTOP);
}

function isoDay(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

async function submit(page, name) {
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name, exact: true }).click()]);
}

async function chooseDana(page) {
  const value = await page.locator('#contact option', { hasText: 'dana@example.test' }).first().getAttribute('value');
  await page.selectOption('#contact', value);
}

describe('estimates and invoices in the office', () => {
  const doorstep = useDoorstep({ smtp: true });

  test('an estimate with an option is sent, approved, converted and invoiced with a tax and a discount', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const office = await doorstep.newPage({ viewport: DESKTOP });
    await officeSignIn(office, base, 'office@acme.test');

    // A new estimate for Dana's household.
    await office.goto(`${base}/office/estimates`);
    await checkPage(office);
    await Promise.all([office.waitForNavigation(), office.getByRole('link', { name: 'New estimate' }).first().click()]);
    await office.getByLabel('Customer number').fill('C-1001');
    await office.getByLabel('Title', { exact: true }).fill('Water heater flush');
    await office.getByLabel('Valid until (optional)').fill(isoDay(30));
    await checkPage(office);
    await submit(office, 'Save');
    assert.match(new URL(office.url()).pathname, /^\/office\/estimates\/E-\d+\/lines$/);
    const estimate = new URL(office.url()).pathname.split('/')[3];

    // The line editor: one line, then "Add line" for the optional one; a bad quantity first.
    await office.locator('#d0').fill('Flush and inspect water heater');
    await office.locator('#q0').fill('-1');
    await office.locator('#p0').fill('180');
    await office.locator('#tn0').fill('Sales tax');
    await office.locator('#tr0').fill('8.25');
    await submit(office, 'Add line');
    await office.locator('#d1').fill('Replace anode rod');
    await office.locator('#p1').fill('65');
    await office.locator('#tn1').fill('Sales tax');
    await office.locator('#tr1').fill('8.25');
    await office.locator('input[name=o1]').check();
    await office.getByRole('button', { name: 'Save lines' }).click();
    await office.locator('#q0-error').waitFor();
    assert.equal(await office.locator('#d1').inputValue(), 'Replace anode rod', 'typed values are kept');
    await checkPage(office);
    await office.locator('#q0').fill('1');
    await submit(office, 'Save lines');
    assert.equal(await office.getByTestId('doc-total').textContent(), '$194.85'); // 180 + 8.25%

    // Sent to Dana: the email with the portal link arrives.
    await chooseDana(office);
    await submit(office, 'Send estimate');
    assert.equal((await office.getByTestId('estimate-status').textContent()).trim(), 'Pending');
    await checkPage(office);
    const sent = await doorstep.mail.waitFor((m) => m.subject.includes(`Estimate ${estimate}`));
    assert.deepEqual(sent.to, ['dana@example.test']);
    assert.match(sent.text, new RegExp(`/estimates/${estimate}`));
    assert.match(sent.text, /\$194\.85/);

    // Dana approves it with the option in the portal.
    const dana = await doorstep.newPage({ viewport: DESKTOP });
    await portalSignIn(dana, base, 'dana@example.test');
    await chooseAccount(dana, base, 'Whitaker');
    await dana.goto(`${base}/estimates/${estimate}`);
    await dana.getByLabel(/Replace anode rod/).check();
    await dana.getByRole('button', { name: 'Update totals' }).click();
    await dana.waitForFunction(() => document.querySelector('[data-testid=approve-total]')?.textContent === '$265.21');
    await dana.getByLabel('Type your full name to sign').fill('Dana Whitaker');
    await submit(dana, 'Approve estimate');
    await dana.getByTestId('approval').waitFor();

    // The office sees the signature and converts the estimate to a job.
    await office.goto(`${base}/office/estimates/${estimate}`);
    assert.match(await office.getByTestId('approval').textContent(), /Dana Whitaker/);
    await checkPage(office);
    await submit(office, 'Convert to a job');
    const job = (await office.getByTestId('converted-job').textContent()).trim();
    assert.match(job, /^J-\d+$/);

    // An invoice from the job: its lines; then a 20.00 discount; sent to Dana.
    await office.goto(`${base}/office/invoices/new?job=${job}`);
    await checkPage(office);
    await submit(office, 'Save');
    const invoice = new URL(office.url()).pathname.split('/')[3];
    assert.equal(await office.getByTestId('doc-total').textContent(), '$265.21');
    await Promise.all([office.waitForNavigation(), office.getByRole('link', { name: 'Edit lines' }).click()]);
    await office.getByLabel(/Discount before tax/).fill('20');
    await submit(office, 'Save lines');
    // 245 - 20 = 225, taxed 8.25% = 18.56.
    assert.equal(await office.getByTestId('doc-discount').textContent(), '-$20.00');
    assert.equal(await office.getByTestId('doc-total').textContent(), '$243.56');
    await chooseDana(office);
    await submit(office, 'Send invoice');
    assert.equal((await office.getByTestId('invoice-status').textContent()).trim(), 'Unpaid');
    await checkPage(office);
    const mail = await doorstep.mail.waitFor((m) => m.subject.includes(`Invoice ${invoice}`));
    assert.deepEqual(mail.to, ['dana@example.test']);
    assert.match(mail.text, /\$243\.56/);

    // The same totals in the portal, and the invoice in the office's list.
    await dana.goto(`${base}/invoices/${invoice}`);
    assert.equal(await dana.getByTestId('invoice-total').textContent(), '$243.56');
    assert.equal(await dana.getByTestId('invoice-discount').textContent(), '-$20.00');
    await office.goto(`${base}/office/invoices?q=${invoice}`);
    assert.ok(await office.getByRole('link', { name: invoice, exact: true }).count() === 1);
    await checkPage(office);

    // A sent invoice's lines are refused with the reason.
    await office.goto(`${base}/office/invoices/${invoice}/lines`);
    await office.getByTestId('lines-refusal').waitFor();
    await checkPage(office);
  });
});
