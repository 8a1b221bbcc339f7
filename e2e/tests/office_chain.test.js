// The office runs the business (issue 17), from `doorstep company create` (no demo data):
// the first admin sets her password, adds a tax rate and invites an office member (not an
// administrator), who does all the rest. She creates a customer with a site and a contact
// with an email, and gives the contact portal access; the contact sets a password from the
// emailed link. She prices an estimate with an optional line and sends it; the contact
// approves it WITH the option; she converts it to a job, schedules it and moves it on the
// way and then completed while the contact's open job page follows by itself; she invoices
// the job with the tax and a discount, sends it (the email carries the PDF), and records a
// partial cash payment and then the rest by check. The totals are checked to the cent on
// the office's pages, the portal's, in the invoice PDF and in every email; every page
// visited passes axe and fits a 375 px phone.
//
// The numbers (8.25% sales tax on every line):
//   Replace water heater   1 × 1,240.00           tax 102.30
//   Expansion tank (opt.)  1 ×   186.40           tax  15.378
//   estimate without the option: 1,240.00 + 102.30            = $1,342.30
//   approved with the option:    1,426.40 + 117.68 (117.678)   = $1,544.08
//   invoice: 1,426.40 − 50.00 discount = 1,376.40; tax 113.553 → 113.55; total $1,489.95
//   cash $500.00, then check #1024 for the rest                 = $989.95

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { checkA11y } from '../lib/axe.js';
import { assertNoHorizontalScroll } from '../lib/layout.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 300_000 };
const DESKTOP = { width: 1280, height: 900 };
const ADMIN_PASSWORD = 'brass lantern orchard 17';
const STAFF_PASSWORD = 'copper kettle meadow 42';
const CONTACT_PASSWORD = 'velvet harbor ninety 8';

/** Accessible at a desk's width, then no horizontal scroll at 375 px; back to the desk. */
async function checkPage(page) {
  await checkA11y(page);
  await assertNoHorizontalScroll(page);
  await page.setViewportSize(DESKTOP);
}

async function submit(page, name) {
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name, exact: true }).click(),
  ]);
  return response;
}

/** Selects the first option of `select` whose text contains `text`. */
async function choose(page, select, text) {
  const value = await page.locator(`${select} option`, { hasText: text }).first().getAttribute('value');
  await page.selectOption(select, value);
}

async function follow(page, locator) {
  await Promise.all([page.waitForNavigation(), locator.click()]);
}

async function setPassword(page, link, password, button) {
  await page.goto(link);
  await page.getByLabel('New password').fill(password);
  await page.getByLabel('Type it again').fill(password);
  await submit(page, button);
}

async function officeSignIn(page, base, email, password) {
  await page.goto(`${base}/office`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await submit(page, 'Sign in');
  assert.notEqual(new URL(page.url()).pathname, '/office/sign-in', 'signed in');
}

/** `YYYY-MM-DD`, `days` from today (UTC). */
function isoDay(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Fetches `url` inside the page (its session, its host resolution): status, type, bytes. */
async function download(page, url) {
  const got = await page.evaluate(async (u) => {
    const res = await fetch(u);
    const bytes = new Uint8Array(await res.arrayBuffer());
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    return { status: res.status, type: res.headers.get('content-type'), base64: btoa(binary) };
  }, url);
  return { status: got.status, type: got.type, bytes: Buffer.from(got.base64, 'base64') };
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The text of a PDF as poppler's pdftotext reads it (which also proves it parses). */
function pdfText(bytes) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'doorstep-pdf-'));
  try {
    const file = path.join(dir, 'doc.pdf');
    writeFileSync(file, bytes);
    return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The first link of an email to `path` on the company's host. */
function linkIn(mail, pathPrefix) {
  const found = new RegExp(`https?://\\S+${escape(pathPrefix)}\\S*`).exec(mail.text);
  assert.ok(found, `a ${pathPrefix} link in:\n${mail.text}`);
  return found[0];
}

describe('the whole office chain, from company create', () => {
  const doorstep = useDoorstep({
    smtp: true,
    company: { slug: 'brightwater', name: 'Brightwater Plumbing', adminEmail: 'owner@brightwater.test', timeZone: 'America/Chicago' },
  });

  test('an office member runs a customer from first contact to paid, the customer told at every step', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('brightwater');
    const mail = doorstep.mail;

    // The first admin: her password from the link `company create` printed, then a tax rate.
    const admin = await doorstep.newPage({ viewport: DESKTOP });
    await setPassword(admin, doorstep.server.setupLink, ADMIN_PASSWORD, 'Set password');
    await officeSignIn(admin, base, 'owner@brightwater.test', ADMIN_PASSWORD);
    await admin.goto(`${base}/office/tax-rates`);
    await admin.getByTestId('rates-empty').waitFor();
    await checkPage(admin);
    await admin.getByLabel('Name', { exact: true }).fill('Sales tax');
    await admin.getByLabel('Rate (%)').fill('8.25');
    await submit(admin, 'Add rate');
    assert.match(await admin.getByTestId('tax-rates').textContent(), /Sales tax\s*8\.25%/);

    // ... and invites Nina as office staff.
    await admin.goto(`${base}/office/staff`);
    await admin.getByLabel('Name', { exact: true }).fill('Nina Patel');
    await admin.getByLabel('Email', { exact: true }).fill('nina@brightwater.test');
    await admin.getByRole('radio', { name: /^Office staff/ }).check();
    await submit(admin, 'Send invitation');
    await checkPage(admin);
    const invited = await mail.waitFor((m) => m.to.includes('nina@brightwater.test'));

    // Nina accepts from the email and signs in; from here on she does everything.
    const office = await doorstep.newPage({ viewport: DESKTOP });
    await setPassword(office, linkIn(invited, '/office/setup/'), STAFF_PASSWORD, 'Set password');
    await officeSignIn(office, base, 'nina@brightwater.test', STAFF_PASSWORD);
    await checkPage(office); // the office home
    const refused = (await office.goto(`${base}/office/tax-rates`)).status();
    assert.ok([403, 404].includes(refused), `Nina is not an administrator (tax rates: ${refused})`);

    // A customer, a site, a contact with an email.
    await office.goto(`${base}/office/customers/new`);
    await office.getByLabel('Name', { exact: true }).fill('Marisol Ortega');
    await office.getByLabel('Email (optional)').fill('marisol@example.test');
    await submit(office, 'Create customer');
    const customerPath = new URL(office.url()).pathname;
    assert.match(customerPath, /^\/office\/customers\/C-\d+$/);
    const customer = customerPath.split('/').pop();
    await checkPage(office);
    await follow(office, office.getByTestId('add-site'));
    await office.getByLabel('Site name').fill('Home');
    await office.getByLabel('Street', { exact: true }).fill('42 Lakeview Drive');
    await office.getByLabel('City').fill('Springfield');
    await checkPage(office);
    await submit(office, 'Add site');
    await follow(office, office.getByTestId('add-contact'));
    await office.getByLabel('First name').fill('Marisol');
    await office.getByLabel('Last name (optional)').fill('Ortega');
    await office.getByLabel('Email (needed for portal access)').fill('marisol@example.test');
    await office.getByRole('radio', { name: /Company contact/ }).check();
    await checkPage(office);
    await submit(office, 'Add contact');
    assert.equal(new URL(office.url()).pathname, customerPath);

    // Portal access: the invitation reaches the SMTP server; Marisol sets her password.
    await submit(office, 'Enable portal access');
    assert.match(await office.getByRole('status').textContent(), /invitation email is on its way/);
    await checkPage(office);
    const invitation = await mail.waitFor((m) => m.to.includes('marisol@example.test') && /\/invite\//.test(m.text));
    const marisol = await doorstep.newPage({ viewport: DESKTOP });
    await setPassword(marisol, linkIn(invitation, '/invite/'), CONTACT_PASSWORD, 'Set password and sign in');
    if (new URL(marisol.url()).pathname === '/accounts') {
      await follow(marisol, marisol.getByRole('button', { name: /Marisol Ortega/ }));
    }
    assert.equal(new URL(marisol.url()).pathname, '/', 'signed in to the portal');
    await checkPage(marisol);

    // An estimate with an optional line, priced with the company's tax rate.
    await office.goto(`${base}${customerPath}`);
    await follow(office, office.getByTestId('new-estimate-for-customer'));
    await choose(office, '#site', 'Home');
    await office.getByLabel('Title', { exact: true }).fill('New water heater');
    await office.getByLabel('Valid until (optional)').fill(isoDay(30));
    await checkPage(office);
    await submit(office, 'Save');
    assert.match(new URL(office.url()).pathname, /^\/office\/estimates\/E-\d+\/lines$/);
    const estimate = new URL(office.url()).pathname.split('/')[3];
    await office.locator('#d0').fill('Replace water heater');
    await office.locator('#q0').fill('1');
    await office.locator('#p0').fill('1240');
    await office.locator('#rate0').selectOption({ label: 'Sales tax (8.25%)' });
    await submit(office, 'Add line');
    await office.locator('#d1').fill('Expansion tank');
    await office.locator('#q1').fill('1');
    await office.locator('#p1').fill('186.40');
    await office.locator('#rate1').selectOption({ label: 'Sales tax (8.25%)' });
    await office.locator('input[name=o1]').check();
    await checkPage(office);
    await submit(office, 'Save lines');
    assert.equal(await office.getByTestId('doc-total').textContent(), '$1,342.30', 'options are not in the total');

    // Sent: the email links to the portal and shows the total.
    await office.goto(`${base}/office/estimates/${estimate}`);
    await choose(office, '#contact', 'marisol@example.test');
    await submit(office, 'Send estimate');
    assert.equal((await office.getByTestId('estimate-status').textContent()).trim(), 'Pending');
    await checkPage(office);
    const estimateMail = await mail.waitFor((m) => m.subject.includes(`Estimate ${estimate}`));
    assert.deepEqual(estimateMail.to, ['marisol@example.test']);
    assert.match(estimateMail.text, new RegExp(`/estimates/${estimate}`));
    assert.match(estimateMail.text, /\$1,342\.30/);

    // Marisol approves it WITH the expansion tank: $1,544.08.
    await marisol.goto(linkIn(estimateMail, `/estimates/${estimate}`));
    assert.equal(await marisol.getByTestId('estimate-total').textContent(), '$1,342.30');
    await checkPage(marisol);
    await marisol.getByLabel(/Expansion tank/).check();
    await marisol.getByRole('button', { name: 'Update totals' }).click();
    await marisol.waitForFunction(() => document.querySelector('[data-testid=approve-total]')?.textContent === '$1,544.08');
    await marisol.getByLabel('Type your full name to sign').fill('Marisol Ortega');
    await submit(marisol, 'Approve estimate');
    await marisol.getByTestId('approval').waitFor();
    assert.match(await marisol.getByTestId('approval').textContent(), /Marisol Ortega.*\$1,544\.08/s);
    assert.equal(await marisol.getByTestId('estimate-total').textContent(), '$1,544.08');
    await checkPage(marisol);

    // The office sees the approval and converts the estimate to a job.
    await office.goto(`${base}/office/estimates/${estimate}`);
    const approval = await office.getByTestId('approval').textContent();
    assert.match(approval, /Marisol Ortega/);
    assert.match(approval, /\$1,544\.08/);
    await checkPage(office);
    await submit(office, 'Convert to a job');
    const job = (await office.getByTestId('converted-job').textContent()).trim();
    assert.match(job, /^J-\d+$/);
    await follow(office, office.getByTestId('converted-job'));
    assert.equal((await office.getByTestId('job-status').textContent()).trim(), 'Unscheduled');
    await checkPage(office);

    // Scheduled for a morning a week out.
    await follow(office, office.getByTestId('schedule-link'));
    await office.getByLabel('Day of the visit').fill(isoDay(7));
    await office.getByLabel('Time of day').selectOption('am');
    await checkPage(office);
    await follow(office, office.getByTestId('save-schedule'));
    assert.equal((await office.getByTestId('job-status').textContent()).trim(), 'Scheduled');

    // Marisol keeps her job page open; it follows each move without a reload.
    await marisol.goto(`${base}/jobs/${job}`);
    assert.equal((await marisol.getByTestId('job-status').textContent()).trim(), 'Scheduled');
    await marisol.locator('html[data-job-stream=open]').waitFor({ state: 'attached' });
    await checkPage(marisol);
    const navigations = await marisol.evaluate(() => performance.getEntriesByType('navigation').length);
    const statusBecomes = (label) =>
      marisol.waitForFunction(
        (want) => document.querySelector('[data-testid=job-status]')?.textContent.trim() === want,
        label,
        { timeout: 5_000 },
      );
    await follow(office, office.getByTestId('move-on_the_way'));
    await statusBecomes('On the way');
    await follow(office, office.getByTestId('move-completed'));
    await statusBecomes('Completed');
    assert.equal(await marisol.evaluate(() => performance.getEntriesByType('navigation').length), navigations);
    assert.equal((await office.getByTestId('job-status').textContent()).trim(), 'Completed');
    await checkPage(office);

    // The invoice: the job's lines (the chosen option too), then a $50.00 discount.
    await follow(office, office.getByTestId('create-invoice'));
    await checkPage(office);
    await submit(office, 'Save');
    const invoice = new URL(office.url()).pathname.split('/')[3];
    assert.match(invoice, /^I-\d+$/);
    assert.equal(await office.getByTestId('doc-total').textContent(), '$1,544.08');
    await follow(office, office.getByRole('link', { name: 'Edit lines' }));
    await office.getByLabel(/Discount before tax/).fill('50');
    await submit(office, 'Save lines');
    assert.equal(await office.getByTestId('doc-discount').textContent(), '-$50.00');
    assert.equal(await office.getByTestId('doc-total').textContent(), '$1,489.95');
    await office.goto(`${base}/office/invoices/${invoice}`);
    await choose(office, '#contact', 'marisol@example.test');
    await submit(office, 'Send invoice');
    assert.equal((await office.getByTestId('invoice-status').textContent()).trim(), 'Unpaid');
    assert.equal(await office.getByTestId('doc-total').textContent(), '$1,489.95');
    assert.equal(await office.getByTestId('invoice-balance').textContent(), '$1,489.95');
    await checkPage(office);

    // The email: the total, a link, and the PDF attached with the same total.
    const invoiceMail = await mail.waitFor((m) => m.subject.includes(`Invoice ${invoice}`));
    assert.deepEqual(invoiceMail.to, ['marisol@example.test']);
    assert.match(invoiceMail.text, /\$1,489\.95/);
    assert.match(invoiceMail.text, new RegExp(`/invoices/${invoice}`));
    const attached = invoiceMail.parts.find((p) => p.type === 'application/pdf');
    assert.ok(attached, `a PDF part in: ${JSON.stringify(invoiceMail.parts.map((p) => p.type))}`);
    assert.match(attached.filename, new RegExp(`invoice-${invoice}\\.pdf`));
    const attachedText = pdfText(attached.bytes);
    assert.match(attachedText, new RegExp(`Invoice ${invoice}`));
    assert.match(attachedText, /Total\s+\$1,489\.95/);

    // The portal shows the same totals, and its PDF (Marisol's session) too.
    await marisol.goto(`${base}/invoices/${invoice}`);
    assert.equal(await marisol.getByTestId('invoice-total').textContent(), '$1,489.95');
    assert.equal(await marisol.getByTestId('invoice-discount').textContent(), '-$50.00');
    await checkPage(marisol);
    const pdf = await download(marisol, `${base}/invoices/${invoice}/pdf`);
    assert.equal(pdf.status, 200);
    assert.equal(pdf.type, 'application/pdf');
    const pdfBody = pdfText(pdf.bytes);
    for (const want of ['Replace water heater', 'Expansion tank', '-$50.00', 'Sales tax', '$113.55']) {
      assert.ok(pdfBody.includes(want), `${want} in the PDF:\n${pdfBody}`);
    }
    assert.match(pdfBody, /Total\s+\$1,489\.95/);
    assert.match(pdfBody, /Balance due\s+\$1,489\.95/);

    // $500.00 in cash from the invoice page, then the rest by check.
    await office.goto(`${base}/office/invoices/${invoice}`);
    await follow(office, office.getByTestId('record-payment'));
    assert.equal(await office.getByTestId(`balance-${invoice}`).textContent(), '$1,489.95');
    await checkPage(office);
    await office.getByLabel('Amount received').fill('500.00');
    await office.getByRole('radio', { name: 'Cash' }).check();
    await office.getByLabel(`Amount for ${invoice}`).fill('500.00');
    await submit(office, 'Record payment');
    assert.equal(await office.getByTestId('payment-amount').textContent(), '$500.00');
    assert.match(await office.getByTestId('payment-lines').textContent(), /\$989\.95 still due/);
    await checkPage(office);
    await follow(office, office.getByRole('link', { name: 'Record another payment for this customer' }));
    assert.equal(await office.getByTestId(`balance-${invoice}`).textContent(), '$989.95');
    await office.getByLabel('Amount received').fill('989.95');
    await office.getByRole('radio', { name: 'Check' }).check();
    await office.getByLabel('Check number or reference').fill('1024');
    await office.getByLabel(`Amount for ${invoice}`).fill('989.95');
    await submit(office, 'Record payment');
    assert.match(await office.getByTestId('payment-lines').textContent(), /Paid in full/);
    assert.match(await office.getByTestId('payment-method').textContent(), /Check #1024/);
    await office.goto(`${base}/office/invoices/${invoice}`);
    assert.equal((await office.getByTestId('invoice-status').textContent()).trim(), 'Paid');
    assert.equal(await office.getByTestId('invoice-paid').textContent(), '$1,489.95');
    assert.equal(await office.getByTestId('invoice-balance').textContent(), '$0.00');
    await checkPage(office);

    // Both receipts reach Marisol with their amounts.
    const cash = await mail.waitFor((m) => m.subject.startsWith('Receipt for your payment') && m.text.includes(`${invoice}: $500.00 applied`));
    assert.deepEqual(cash.to, ['marisol@example.test']);
    assert.match(cash.text, /\$989\.95 still due/);
    const check = await mail.waitFor((m) => m.subject.startsWith('Receipt for your payment') && m.text.includes(`${invoice}: $989.95 applied, paid in full`));
    assert.deepEqual(check.to, ['marisol@example.test']);

    // Marisol: paid, both payments listed; the PDF says so too.
    await marisol.goto(`${base}/invoices/${invoice}`);
    assert.equal((await marisol.getByTestId('invoice-status').textContent()).trim(), 'Paid');
    const paid = await marisol.getByTestId('invoice-payments').textContent();
    assert.ok(paid.includes('$500.00') && paid.includes('Cash'), paid);
    assert.ok(paid.includes('$989.95') && paid.includes('Check (#1024)'), paid);
    await checkPage(marisol);
    const paidPdf = pdfText((await download(marisol, `${base}/invoices/${invoice}/pdf`)).bytes);
    assert.match(paidPdf, /Balance due\s+\$0\.00/);
  });
});
