// Company setup (issue 18): an administrator edits the company's details (a wrong website
// refused next to its field, what was typed kept, then saved), invites a staff member
// (the setup email arrives; she chooses a password and signs in), deactivates her after a
// confirmation step (her open page is signed out at once), and finds each of these in the
// audit log, filtered by what. Every page passes axe and fits 375 px and 1280 px.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkA11y } from '../lib/axe.js';
import { assertNoHorizontalScroll } from '../lib/layout.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 180_000 };
const PASSWORD = 'doorstep-demo';
const NEW_PASSWORD = 'copper kettle meadow 42';
const DESKTOP = { width: 1280, height: 900 };

async function signIn(page, url, email, password = PASSWORD) {
  await page.goto(url);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/** Accessible, no horizontal scroll on a phone, and none on a desk either. */
async function checkPage(page) {
  await checkA11y(page);
  await assertNoHorizontalScroll(page);
  await assertNoHorizontalScroll(page, DESKTOP);
}

describe('company setup', () => {
  const doorstep = useDoorstep({ smtp: true });

  test('an admin edits the details, invites and deactivates a member, and reads it all in the audit log', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const admin = await doorstep.newPage({ viewport: DESKTOP });
    await signIn(admin, `${base}/office`, 'office@acme.test');

    // Company details: a wrong website is refused next to its field, the rest kept.
    await admin.getByRole('navigation', { name: 'Office' }).getByText('Settings', { exact: true }).click();
    await Promise.all([admin.waitForNavigation(), admin.getByRole('link', { name: 'Company', exact: true }).click()]);
    assert.equal(new URL(admin.url()).pathname, '/office/company');
    await checkPage(admin);
    await admin.getByLabel('Phone', { exact: true }).fill('+1 555 010 4242');
    await admin.getByLabel('Website', { exact: true }).fill('acme heating dot com');
    await admin.getByLabel('Payment terms (days)').fill('21');
    await Promise.all([admin.waitForNavigation(), admin.getByRole('button', { name: 'Save details' }).click()]);
    assert.match(await admin.locator('#website-error').textContent(), /https:\/\//);
    assert.equal(await admin.getByLabel('Website', { exact: true }).inputValue(), 'acme heating dot com');
    assert.equal(await admin.getByLabel('Phone', { exact: true }).inputValue(), '+1 555 010 4242');
    assert.equal(await admin.getByLabel('Website', { exact: true }).getAttribute('aria-invalid'), 'true');
    await checkPage(admin);
    await admin.getByLabel('Website', { exact: true }).fill('https://acme-heating.example');
    await Promise.all([admin.waitForNavigation(), admin.getByRole('button', { name: 'Save details' }).click()]);
    assert.match(await admin.getByTestId('notice').textContent(), /Saved/);
    assert.equal(await admin.getByLabel('Website', { exact: true }).inputValue(), 'https://acme-heating.example');
    assert.equal(await admin.getByLabel('Payment terms (days)').inputValue(), '21');

    // The team: invite Nina as office staff; her setup email arrives.
    await admin.getByRole('navigation', { name: 'Office' }).getByText('Settings', { exact: true }).click();
    await Promise.all([admin.waitForNavigation(), admin.getByRole('link', { name: 'Team', exact: true }).click()]);
    await checkPage(admin);
    await admin.getByLabel('Name', { exact: true }).fill('Nina Patel');
    await admin.getByLabel('Email', { exact: true }).fill('nina@acme.test');
    await admin.getByRole('radio', { name: /^Office staff/ }).check();
    await Promise.all([admin.waitForNavigation(), admin.getByRole('button', { name: 'Send invitation' }).click()]);
    assert.match(await admin.getByTestId('notice').textContent(), /Invitation sent/);
    const row = admin.getByTestId('member-nina@acme.test');
    assert.equal((await row.getByTestId('status').textContent()).trim(), 'Invited');
    const mail = await doorstep.mail.waitFor((m) => m.to.includes('nina@acme.test'));
    const link = mail.text.match(/https?:\/\/\S+\/office\/setup\/\S+/)[0];

    // Nina chooses her password through the link and signs in.
    const nina = await doorstep.newPage({ viewport: DESKTOP });
    await nina.goto(link);
    await nina.getByLabel('New password').fill(NEW_PASSWORD);
    await nina.getByLabel('Type it again').fill(NEW_PASSWORD);
    await Promise.all([nina.waitForNavigation(), nina.getByRole('button', { name: 'Set password' }).click()]);
    await signIn(nina, `${base}/office`, 'nina@acme.test', NEW_PASSWORD);
    await nina.goto(`${base}/office/customers`);
    assert.equal(new URL(nina.url()).pathname, '/office/customers');

    // Deactivating asks first, then signs her out at once.
    await admin.reload();
    assert.equal((await admin.getByTestId('member-nina@acme.test').getByTestId('status').textContent()).trim(), 'Active');
    await Promise.all([admin.waitForNavigation(), admin.getByRole('link', { name: 'Deactivate Nina Patel…' }).click()]);
    await admin.getByRole('heading', { name: 'Deactivate Nina Patel?' }).waitFor();
    await checkPage(admin);
    await Promise.all([admin.waitForNavigation(), admin.getByRole('button', { name: 'Deactivate Nina Patel' }).click()]);
    assert.match(await admin.getByTestId('notice').textContent(), /Deactivated/);
    assert.equal((await admin.getByTestId('member-nina@acme.test').getByTestId('status').textContent()).trim(), 'Deactivated');
    await nina.reload();
    assert.equal(new URL(nina.url()).pathname, '/office', 'sent to sign in');

    // The audit log shows each step, and filters by what.
    await admin.getByRole('navigation', { name: 'Office' }).getByText('Settings', { exact: true }).click();
    await Promise.all([admin.waitForNavigation(), admin.getByRole('link', { name: 'Audit log', exact: true }).click()]);
    const log = await admin.getByTestId('audit').textContent();
    for (const phrase of ['Company: details saved', 'Staff: invited', 'Staff: password set', 'Staff: deactivated']) {
      assert.ok(log.includes(phrase), `${phrase} in the audit log`);
    }
    await checkPage(admin);
    await admin.getByLabel('What', { exact: true }).selectOption('staff.deactivated');
    await Promise.all([admin.waitForNavigation(), admin.getByRole('button', { name: 'Show' }).click()]);
    assert.equal(await admin.locator('[data-testid=audit] tbody tr').count(), 1);
    assert.match(await admin.getByTestId('audit').textContent(), /Olivia Park/);
    assert.match(await admin.getByTestId('csv').getAttribute('href'), /^\/office\/audit\.csv\?what=staff\.deactivated$/);
    await checkPage(admin);
  });
});
