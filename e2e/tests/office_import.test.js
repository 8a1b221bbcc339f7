// The office imports customers from a CSV file (issue 18): a 1,000-row file with three bad
// rows is checked first and each bad row is named (nothing written); the fixed file is
// imported in the background and its page shows the progress bar and the counts; the
// customer list then finds an imported customer. Office staff (not only admins) reach the
// import from the navigation and map a contacts file whose headers are not ours in the
// browser; its import has its own page. Each page passes axe at 375 and 1280 px and fits
// a 375 px phone.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkA11y } from '../lib/axe.js';
import { assertNoHorizontalScroll } from '../lib/layout.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 180_000 };
const PASSWORD = 'doorstep-demo';
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 812 };
const BAD_ROWS = [17, 450, 999];

/** A customers file of `rows` rows; spreadsheet rows in `bad` get a broken email. */
function customersCsv(rows, bad) {
  const lines = ['name,type,email,phone,billing_city,external_ref,tax_exempt,payment_terms_days'];
  for (let i = 1; i <= rows; i++) {
    const row = i + 1;
    const email = bad.includes(row) ? `person${i}-at-example.test` : `person${i}@example.test`;
    lines.push(`Importwood ${i},${i % 3 === 0 ? 'commercial' : 'residential'},${email},555 010 ${String(i).padStart(4, '0')},Springfield,IMP-${i},no,30`);
  }
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

async function signIn(page, url, email) {
  await page.goto(url);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/** Checks the page as it is now: accessible at 1280 and 375 px, and no horizontal scroll on a phone. */
async function checkPage(page) {
  await checkA11y(page);
  await page.setViewportSize(PHONE);
  await checkA11y(page);
  await assertNoHorizontalScroll(page);
  await page.setViewportSize(DESKTOP);
}

async function check(page, buffer, name = 'customers.csv') {
  await page.getByLabel('CSV file', { exact: true }).setInputFiles([{ name, mimeType: 'text/csv', buffer }]);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Check the file', exact: true }).click()]);
}

describe('office customer import', () => {
  const doorstep = useDoorstep();

  test('a 1,000-row file: the dry run names its three bad rows; the fixed file imports with progress', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const page = await doorstep.newPage({ viewport: DESKTOP });
    await signIn(page, `${base}/office`, 'office@acme.test');
    await page.goto(`${base}/office/customers`);
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Import from CSV' }).click()]);
    assert.equal(new URL(page.url()).pathname, '/office/import/customers');
    await checkPage(page);

    // A semicolon-separated file is refused with the reason.
    await check(page, Buffer.from('name;email\nAda;ada@example.test\n'));
    assert.match(await page.getByTestId('file-error').textContent(), /separated by semicolons/);

    // The dry run: each bad row named as a spreadsheet numbers it; nothing offered.
    await check(page, customersCsv(1000, BAD_ROWS));
    const errors = (await page.getByTestId('row-errors').locator('li').allTextContents()).map((t) => t.trim());
    assert.equal(errors.length, 3, errors.join('\n'));
    BAD_ROWS.forEach((row, i) => assert.match(errors[i], new RegExp(`^Row ${row}: email — `)));
    assert.equal(await page.getByTestId('start-import').count(), 0);
    await checkPage(page);

    // The fixed file: 1,000 to create, then the import and its progress.
    await check(page, customersCsv(1000, []));
    assert.equal((await page.getByTestId('to-create').textContent()).trim(), '1000');
    await checkPage(page);
    await Promise.all([page.waitForNavigation(), page.getByTestId('start-import').click()]);
    assert.match(new URL(page.url()).pathname, /^\/office\/import\/customers\/\d+$/);
    const bar = page.getByTestId('import-progress');
    await bar.waitFor();
    await page.getByTestId('import-done').waitFor({ timeout: 60_000 });
    assert.match(await page.getByTestId('import-done').textContent(), /All 1000 rows imported: 1000 customers created, 0 updated/);
    assert.equal(await bar.getAttribute('value'), '1000');
    assert.equal(await bar.getAttribute('max'), '1000');
    await checkPage(page);

    // The list finds an imported customer.
    await page.goto(`${base}/office/customers?q=Importwood+500`);
    await page.getByRole('link', { name: 'Importwood 500', exact: true }).waitFor();
  });

  test('office staff map a contacts file with renamed headers in the browser; its own page shows the progress', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const page = await doorstep.newPage({ viewport: DESKTOP });
    await signIn(page, `${base}/office`, 'dispatch@acme.test');
    const nav = page.getByRole('navigation', { name: 'Office' });
    await Promise.all([page.waitForNavigation(), nav.getByRole('link', { name: 'Import', exact: true }).click()]);
    assert.equal(new URL(page.url()).pathname, '/office/import');
    assert.equal(await nav.getByRole('link', { name: 'Import', exact: true }).getAttribute('aria-current'), 'page');
    await checkPage(page);
    await Promise.all([page.waitForNavigation(), page.getByTestId('import-contacts').click()]);
    assert.equal(new URL(page.url()).pathname, '/office/import/contacts');
    await checkPage(page);

    // Headers of another system: nothing matches the required columns, each named beside it.
    const file = Buffer.from('Account,Given Name,Surname,E-mail Address\r\nC-1004,Quinn,Mapper,quinn.mapper@example.test\r\nC-1005,Remy,Mapper,remy.mapper@example.test\r\n', 'utf8');
    await check(page, file, 'people.csv');
    assert.match(await page.getByTestId('mapping-error').textContent(), /customer/);
    assert.match(await page.getByTestId('required-customer').textContent(), /holds customer: it is required/);
    assert.match(await page.getByTestId('mapping-preview').textContent(), /quinn\.mapper@example\.test/);
    assert.equal(await page.getByTestId('dry-run').count(), 0);
    await checkPage(page);

    // Matched by hand, checked, imported.
    await page.getByLabel('Account', { exact: true }).selectOption('customer');
    await page.getByLabel('Given Name', { exact: true }).selectOption('first_name');
    await page.getByLabel('Surname', { exact: true }).selectOption('last_name');
    await page.getByLabel('E-mail Address', { exact: true }).selectOption('email');
    await Promise.all([page.waitForNavigation(), page.getByTestId('check-mapping').click()]);
    assert.equal((await page.getByTestId('to-create').textContent()).trim(), '2');
    assert.equal(await page.getByLabel('Given Name', { exact: true }).inputValue(), 'first_name', 'the choice is kept');
    await checkPage(page);
    await Promise.all([page.waitForNavigation(), page.getByTestId('start-import').click()]);
    assert.match(new URL(page.url()).pathname, /^\/office\/import\/contacts\/\d+$/);
    const bar = page.getByTestId('import-progress');
    await bar.waitFor();
    await page.getByTestId('import-done').waitFor({ timeout: 60_000 });
    assert.match(await page.getByTestId('import-done').textContent(), /All 2 rows imported: 2 contacts created, 0 updated/);
    await checkPage(page);

    // A reload shows where it stands; the page leads back to the hub, which lists it.
    await page.reload();
    assert.equal(await page.getByTestId('import-progress').getAttribute('value'), '2');
    assert.equal(await page.getByTestId('back-to-list').getAttribute('href'), '/office/customers');
    await Promise.all([page.waitForNavigation(), page.getByTestId('back-to-hub').click()]);
    await page.getByTestId('recent-imports').getByRole('link', { name: 'people.csv' }).waitFor();
  });
});
