// Issue 18's first acceptance point, from `doorstep company create` (no demo data): the first
// admin signs in and goes through the whole setup checklist — company details, logo and
// colours (a failing pair refused with its message, then a good pair), the time zone, a tax
// rate, a staff member invited (the email read from the loopback SMTP server) who then signs
// in, a 1,000-row customers file whose dry run names its three bad rows and whose fixed copy
// imports with progress shown, self sign-up turned on (the portal's sign-up page then shows),
// the portal viewed as one imported customer's contact — and finds each action in the audit
// log. At the end every step shows done on the checklist page. Every page visited passes axe;
// the checklist page also fits a 375 px phone.

import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { describe, test } from 'node:test';
import { checkA11y } from '../lib/axe.js';
import { assertNoHorizontalScroll } from '../lib/layout.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 300_000 };
const DESKTOP = { width: 1280, height: 900 };
const ADMIN_PASSWORD = 'juniper lantern quarry 31';
const STAFF_PASSWORD = 'pebble orchard violet 64';
const BAD_ROWS = [12, 500, 1001];

/** A customers file of `rows` rows; the spreadsheet rows in `bad` carry a broken email. */
function customersCsv(rows, bad) {
  const lines = ['name,type,email,phone,billing_city,external_ref,tax_exempt,payment_terms_days'];
  for (let i = 1; i <= rows; i++) {
    const row = i + 1;
    const email = bad.includes(row) ? `client${i}-at-example.test` : `client${i}@example.test`;
    lines.push(`Lakeside ${i},${i % 4 === 0 ? 'commercial' : 'residential'},${email},555 020 ${String(i).padStart(4, '0')},Springfield,LS-${i},no,30`);
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

/** A small solid PNG, made here (no fixture file). */
function png(size, [r, g, b]) {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const byte of buf) c = table[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8;
  header[9] = 2;
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => [r, g, b]).flat())]);
  const pixels = zlib.deflateSync(Buffer.concat(Array.from({ length: size }, () => row)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}

async function submit(page, name) {
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name, exact: true }).click()]);
}

async function setPassword(page, link, password) {
  await page.goto(link);
  await page.getByLabel('New password').fill(password);
  await page.getByLabel('Type it again').fill(password);
  await submit(page, 'Set password');
}

async function officeSignIn(page, base, email, password) {
  await page.goto(`${base}/office`);
  if ((await page.getByLabel('Password', { exact: true }).count()) === 0) return;
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await submit(page, 'Sign in');
  assert.notEqual(new URL(page.url()).pathname, '/office/sign-in', 'signed in');
}

async function checkFile(page, buffer) {
  await page.getByLabel('CSV file', { exact: true }).setInputFiles([{ name: 'customers.csv', mimeType: 'text/csv', buffer }]);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Check the file' }).click()]);
}

describe('onboarding a company from company create', () => {
  const doorstep = useDoorstep({
    smtp: true,
    company: { slug: 'lakeside', name: 'Lakeside Heating', adminEmail: 'owner@lakeside.test' },
  });

  test('the admin goes through the whole checklist and finds every action in the audit log', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('lakeside');
    const mail = doorstep.mail;

    // First sign-in: the password from the link `company create` printed.
    const admin = await doorstep.newPage({ viewport: DESKTOP });
    await setPassword(admin, doorstep.server.setupLink, ADMIN_PASSWORD);
    await officeSignIn(admin, base, 'owner@lakeside.test', ADMIN_PASSWORD);
    await admin.goto(`${base}/office`);
    const home = admin.getByTestId('setup-checklist');
    assert.match(await home.getByTestId('checklist-count').textContent(), /^0 of 8 done$/);
    await checkA11y(admin);
    await Promise.all([admin.waitForNavigation(), home.getByRole('link', { name: 'The checklist on its own page' }).click()]);
    assert.equal(new URL(admin.url()).pathname, '/office/onboarding');
    await checkA11y(admin);
    await assertNoHorizontalScroll(admin);
    await admin.setViewportSize(DESKTOP);

    // Company details and the time zone (the same form).
    await Promise.all([admin.waitForNavigation(), admin.getByRole('link', { name: "Fill in the company's address and phone" }).click()]);
    assert.equal(new URL(admin.url()).pathname, '/office/company');
    await admin.getByLabel('Phone', { exact: true }).fill('(555) 020-3000');
    await admin.getByLabel('Street address').fill('8 Harbour Road');
    await admin.getByLabel('City', { exact: true }).fill('Springfield');
    await admin.getByLabel('Postal code').fill('62702');
    await admin.getByLabel('Time zone').fill('Mars/Olympus');
    await submit(admin, 'Save details');
    assert.ok(await admin.getByTestId('error-timezone').isVisible(), 'an unknown time zone is refused');
    await checkA11y(admin);
    await admin.getByLabel('Time zone').fill('America/Denver');
    await submit(admin, 'Save details');
    assert.equal(await admin.getByTestId('error-timezone').count(), 0);
    assert.equal(await admin.getByLabel('Time zone').inputValue(), 'America/Denver');
    assert.equal(await admin.getByLabel('Street address').inputValue(), '8 Harbour Road');
    await checkA11y(admin);

    // Logo and colours: a pair failing contrast refused with its message, then a good one.
    await admin.goto(`${base}/office/branding`);
    await admin.getByLabel('Brand colour').fill('#f5a623');
    await admin.getByLabel('Text colour on it').fill('#ffffff');
    await submit(admin, 'Save colours');
    assert.match(await admin.getByTestId('error-brand_text').textContent(), /2\.02:1.*4\.5:1/);
    await checkA11y(admin);
    await admin.getByLabel('Brand colour').fill('#1f5f8b');
    await admin.getByLabel('Text colour on it').fill('#ffffff');
    await submit(admin, 'Save colours');
    assert.match(await admin.getByTestId('notice').textContent(), /Colours saved/);
    await admin.getByLabel('Upload a logo').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png(48, [31, 95, 139]) });
    await submit(admin, 'Upload logo');
    assert.match(await admin.getByTestId('notice').textContent(), /Logo uploaded/);
    await checkA11y(admin);

    // A tax rate.
    await admin.goto(`${base}/office/tax-rates`);
    await admin.getByLabel('Name', { exact: true }).fill('Sales tax');
    await admin.getByLabel('Rate (%)').fill('7.5');
    await submit(admin, 'Add rate');
    assert.match(await admin.getByTestId('tax-rates').textContent(), /Sales tax\s*7\.5%/);
    await checkA11y(admin);

    // A staff member, invited by email, who signs in.
    await admin.goto(`${base}/office/staff`);
    await admin.getByLabel('Name', { exact: true }).fill('Theo Brandt');
    await admin.getByLabel('Email', { exact: true }).fill('theo@lakeside.test');
    await admin.getByRole('radio', { name: /^Office staff/ }).check();
    await submit(admin, 'Send invitation');
    await checkA11y(admin);
    const invited = await mail.waitFor((m) => m.to.includes('theo@lakeside.test'));
    const link = /https?:\/\/\S+\/office\/setup\/\S+/.exec(invited.text);
    assert.ok(link, `a setup link in:\n${invited.text}`);
    const theo = await doorstep.newPage({ viewport: DESKTOP });
    await setPassword(theo, link[0], STAFF_PASSWORD);
    await officeSignIn(theo, base, 'theo@lakeside.test', STAFF_PASSWORD);
    await theo.goto(`${base}/office`);
    await theo.getByRole('heading', { name: 'Today', level: 1 }).waitFor();
    await checkA11y(theo);

    // 1,000 customers from a file: the dry run names the three bad rows; the fixed file
    // imports with progress shown until done.
    await admin.goto(`${base}/office/customers/import`);
    await checkFile(admin, customersCsv(1000, BAD_ROWS));
    const errors = (await admin.getByTestId('row-errors').locator('li').allTextContents()).map((t) => t.trim());
    assert.equal(errors.length, 3, errors.join('\n'));
    BAD_ROWS.forEach((row, i) => assert.match(errors[i], new RegExp(`^Row ${row}: email`)));
    await checkA11y(admin);
    await checkFile(admin, customersCsv(1000, []));
    assert.equal((await admin.getByTestId('to-create').textContent()).trim(), '1000');
    await Promise.all([admin.waitForNavigation(), admin.getByTestId('start-import').click()]);
    const bar = admin.getByTestId('import-progress');
    await bar.waitFor();
    await admin.getByTestId('import-done').waitFor({ timeout: 90_000 });
    assert.match(await admin.getByTestId('import-done').textContent(), /All 1000 rows imported/);
    assert.equal(await bar.getAttribute('value'), '1000');
    await checkA11y(admin);

    // Self sign-up on: the portal's sign-in page offers it and the sign-up page shows.
    await admin.goto(`${base}/office/settings/portal`);
    await admin.getByLabel('Self sign-up').check();
    await submit(admin, 'Save switches');
    assert.match(await admin.getByTestId('saved').textContent(), /Saved/);
    await checkA11y(admin);
    const visitor = await doorstep.newPage({ viewport: DESKTOP });
    await visitor.goto(`${base}/sign-in`);
    await Promise.all([visitor.waitForNavigation(), visitor.getByRole('link', { name: 'Create an account' }).click()]);
    assert.equal(new URL(visitor.url()).pathname, '/sign-up');
    await visitor.getByLabel(/Email/).first().waitFor();
    await checkA11y(visitor);

    // The portal as one imported customer's contact: a contact added to the customer, then
    // "View portal as", with its banner; Stop returns to the customer.
    await admin.goto(`${base}/office/customers?q=Lakeside+500`);
    await Promise.all([admin.waitForNavigation(), admin.getByRole('link', { name: 'Lakeside 500', exact: true }).click()]);
    const customerPage = new URL(admin.url()).pathname;
    await checkA11y(admin);
    await Promise.all([admin.waitForNavigation(), admin.getByTestId('add-contact').click()]);
    await admin.getByLabel('First name').fill('Robin');
    await admin.getByLabel('Last name (optional)').fill('Lake');
    await admin.getByLabel(/^Email/).fill('client500@example.test');
    await admin.getByRole('radio', { name: /^Company contact/ }).check();
    await submit(admin, 'Add contact');
    assert.equal(new URL(admin.url()).pathname, customerPage);
    // The checklist's last step: a contact with portal access.
    await submit(admin, 'Enable portal access');
    assert.equal(new URL(admin.url()).pathname, customerPage);
    await submit(admin, 'View portal as Robin');
    assert.equal(new URL(admin.url()).pathname, '/');
    assert.match(await admin.getByTestId('view-as-banner').textContent(), /Viewing as Robin Lake — read only/);
    await checkA11y(admin);
    await submit(admin, 'Stop');
    assert.equal(new URL(admin.url()).pathname, customerPage);

    // Each action in the audit log, found with its filter.
    const actions = {
      'company.details_saved': 'Company: details saved',
      'branding.colours_saved': 'Branding: colours saved',
      'branding.logo_uploaded': 'Branding: logo uploaded',
      'tax_rate.added': 'Tax rate: added',
      'staff.invited': 'Staff: invited',
      'staff.password_set': 'Staff: password set',
      'sign_in.succeeded': 'Sign in: succeeded',
      'customers.imported': 'Customers: imported',
      'settings.portal_switches': 'Settings: portal switches',
      'portal.view_as_started': 'Portal: view as started',
    };
    for (const [action, phrase] of Object.entries(actions)) {
      await admin.goto(`${base}/office/audit?what=${encodeURIComponent(action)}`);
      const log = await admin.getByTestId('audit').textContent();
      assert.ok(log.includes(phrase), `${phrase} in the audit log`);
    }
    await admin.goto(`${base}/office/audit?what=sign_in.succeeded`);
    assert.ok((await admin.getByTestId('audit').textContent()).includes('Theo Brandt'), 'the staff member signing in is in the log');
    await checkA11y(admin);

    // Every step done, on the checklist page; it fits a phone.
    await admin.goto(`${base}/office/onboarding`);
    const page = admin.getByTestId('setup-checklist');
    assert.match(await page.getByTestId('checklist-count').textContent(), /^8 of 8 done$/);
    assert.equal(await page.locator('[data-testid=step][data-done=false]').count(), 0);
    assert.equal(await page.locator('[data-testid=step][data-done=true]').count(), 8);
    await checkA11y(admin);
    await assertNoHorizontalScroll(admin);
  });
});
