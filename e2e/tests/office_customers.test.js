// The office runs its customer book (issue 17): the demo's administrator creates a
// customer, adds a site and a contact with an email, and enables portal access; the
// invitation arrives over SMTP. Bad input is refused next to its field. Every page
// passes axe and fits a 375 px phone and a 1280 px desk without horizontal scrolling.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkA11y } from '../lib/axe.js';
import { assertNoHorizontalScroll } from '../lib/layout.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 120_000 };
const PASSWORD = 'doorstep-demo';
const DESKTOP = { width: 1280, height: 900 };

async function signIn(page, url, email) {
  await page.goto(url);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/** Accessible, and no horizontal scroll on a phone or a desk; leaves the desk size. */
async function checkPage(page) {
  await checkA11y(page);
  await assertNoHorizontalScroll(page);
  await assertNoHorizontalScroll(page, DESKTOP);
}

describe('the office customer book', () => {
  const doorstep = useDoorstep({ smtp: true });

  test('an admin creates a customer with a site and a contact, and invites the contact to the portal', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const office = await doorstep.newPage({ viewport: DESKTOP });
    await signIn(office, `${base}/office`, 'office@acme.test');
    await checkPage(office); // the office home

    await office.goto(`${base}/office/customers`);
    await checkPage(office);
    await Promise.all([office.waitForNavigation(), office.getByTestId('new-customer').click()]);
    assert.equal(new URL(office.url()).pathname, '/office/customers/new');

    // Nothing typed in the name, a bad email: messages next to the fields, values kept.
    await office.getByLabel('Commercial').check();
    await office.getByLabel('Email (optional)').fill('greenleaf at example');
    await Promise.all([office.waitForNavigation(), office.getByRole('button', { name: 'Create customer' }).click()]);
    await office.locator('#name-error').waitFor();
    await office.locator('#email-error').waitFor();
    assert.equal(await office.getByLabel('Email (optional)').inputValue(), 'greenleaf at example');
    assert.ok(await office.getByLabel('Commercial').isChecked());
    await checkPage(office);

    await office.getByLabel('Name', { exact: true }).fill('Greenleaf Cafe');
    await office.getByLabel('Email (optional)').fill('office@greenleaf.test');
    await office.getByLabel('Phone (optional)', { exact: true }).fill('(555) 010-9000');
    await Promise.all([office.waitForNavigation(), office.getByRole('button', { name: 'Create customer' }).click()]);
    const page = new URL(office.url()).pathname;
    assert.match(page, /^\/office\/customers\/C-\d+$/);
    await office.getByRole('heading', { name: /Greenleaf Cafe/ }).waitFor();
    await checkPage(office);

    // A site.
    await Promise.all([office.waitForNavigation(), office.getByTestId('add-site').click()]);
    await office.getByLabel('Site name').fill('Cafe');
    await office.getByLabel('Street', { exact: true }).fill('5 Market Street');
    await office.getByLabel('City').fill('Springfield');
    await office.getByLabel(/Access notes/).fill('Deliveries at the back door.');
    await checkPage(office);
    await Promise.all([office.waitForNavigation(), office.getByRole('button', { name: 'Add site' }).click()]);
    assert.match(await office.locator('main').textContent(), /5 Market Street/);

    // A contact with an email, a company contact.
    await Promise.all([office.waitForNavigation(), office.getByTestId('add-contact').click()]);
    await office.getByLabel('First name').fill('Gina');
    await office.getByLabel('Last name (optional)').fill('Green');
    await office.getByLabel('Email (needed for portal access)').fill('gina@greenleaf.test');
    await office.getByRole('radio', { name: /Company contact/ }).check();
    await checkPage(office);
    await Promise.all([office.waitForNavigation(), office.getByRole('button', { name: 'Add contact' }).click()]);
    assert.equal(new URL(office.url()).pathname, page);

    // Portal access: the invitation arrives at the SMTP server.
    await Promise.all([office.waitForNavigation(), office.getByRole('button', { name: 'Enable portal access' }).click()]);
    assert.match(await office.getByRole('status').textContent(), /invitation email is on its way/);
    const mail = await doorstep.mail.waitFor((m) => m.to.includes('gina@greenleaf.test'));
    assert.match(mail.text, /\/invite\//);
    await checkPage(office);

    // The list finds it by the start of its name.
    await office.goto(`${base}/office/customers?q=greenl`);
    await office.getByRole('link', { name: 'Greenleaf Cafe' }).waitFor();

    // Deactivating asks first.
    await office.goto(`${base}${page}/deactivate`);
    await office.getByRole('heading', { name: /Deactivate Greenleaf Cafe/ }).waitFor();
    await checkPage(office);
  });
});
