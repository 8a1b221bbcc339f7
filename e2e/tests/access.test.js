// Portal access as people meet it in a browser (issue: portal access and sign-in):
// the office invites a contact, the email arrives over SMTP, its link sets a password,
// the contact signs in and out; Dana switches between her two accounts; Sam sees only
// his site; a locked login is refused like a wrong password and its open session ends.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkA11y } from '../lib/axe.js';
import { assertNoHorizontalScroll } from '../lib/layout.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 120_000 };
const DEMO_PASSWORD = 'doorstep-demo';

async function signIn(page, base, email, password = DEMO_PASSWORD) {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function officeSignIn(page, base) {
  await page.goto(`${base}/office`);
  await page.getByLabel('Email', { exact: true }).fill('office@acme.test');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/office`);
}

function activeAccount(page) {
  return page.getByTestId('active-account').textContent();
}

describe('portal access', () => {
  const doorstep = useDoorstep({ smtp: true });

  test('the office invites a contact; the emailed link sets a password; she signs in and out', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const office = await doorstep.newPage();
    await officeSignIn(office, base);
    await office.goto(`${base}/office/customers/C-1002`);
    const priya = office.locator('li', { hasText: 'Priya' });
    await priya.getByRole('button', { name: 'Enable portal access' }).click();
    await office.getByRole('status').waitFor();
    assert.match(await priya.getByTestId('status').textContent(), /Invited/i);
    await checkA11y(office);
    await assertNoHorizontalScroll(office);

    const mail = await doorstep.mail.waitFor((m) => m.subject.toLowerCase().includes('invit'));
    const link = /http:\/\/\S+\/invite\/[0-9a-f]+/.exec(mail.text)?.[0];
    assert.ok(link, `the invitation carries a link: ${mail.text}`);
    assert.ok(link.startsWith(base), `the link points at Acme's portal: ${link}`);

    const contact = await doorstep.newPage();
    await contact.goto(link);
    await checkA11y(contact);
    await contact.getByLabel('New password').fill('short');
    await contact.getByLabel('Type it again').fill('short');
    await contact.getByRole('button', { name: /Set password/ }).click();
    await contact.locator('#password-error').waitFor();
    await contact.getByLabel('New password').fill('a kettle of fish and chips');
    await contact.getByLabel('Type it again').fill('a kettle of fish and chips');
    await contact.getByRole('button', { name: /Set password/ }).click();
    await contact.waitForURL(`${base}/`);
    assert.equal(await activeAccount(contact), 'Harbor Property Co.');

    await contact.getByRole('button', { name: 'Sign out', exact: true }).click();
    await contact.getByRole('heading', { name: 'Sign in' }).waitFor();
    const email = mail.to[0];
    await signIn(contact, base, email, 'a kettle of fish and chips');
    await contact.waitForURL(`${base}/`);
    assert.equal(await activeAccount(contact), 'Harbor Property Co.');
    const reused = await contact.goto(link);
    assert.equal(reused.status(), 410, 'the invitation link works once');
  });

  test('Dana signs in once and switches between her two accounts', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const page = await doorstep.newPage();
    await signIn(page, base, 'dana@example.test');
    await page.waitForURL(`${base}/accounts`);
    await checkA11y(page);
    await assertNoHorizontalScroll(page);
    const accounts = page.getByRole('button', { name: /Harbor Property Co\./ });
    await accounts.click();
    await page.waitForURL(`${base}/`);
    assert.equal(await activeAccount(page), 'Harbor Property Co.');
    await page.getByRole('link', { name: 'Switch account' }).click();
    await page.getByRole('button', { name: /Whitaker/ }).click();
    await page.waitForURL(`${base}/`);
    assert.match(await activeAccount(page), /Whitaker/);
    await checkA11y(page);
    await assertNoHorizontalScroll(page);
  });

  test('Sam sees only his own site of the property company', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const page = await doorstep.newPage();
    await signIn(page, base, 'sam@example.test');
    await page.waitForURL(`${base}/`);
    const html = await page.content();
    assert.ok(html.includes('Bayview Apartments'), 'his site is shown');
    for (const other of ['Harbor Lofts', 'Pier Offices']) {
      assert.ok(!html.includes(other), `another site of the account (${other}) is not shown`);
    }
  });

  test('Sam, a site contact, sees no amount or invoice anywhere; the office sees his role before his access buttons', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const page = await doorstep.newPage();
    await signIn(page, base, 'sam@example.test');
    await page.waitForURL(`${base}/`);
    await page.goto(`${base}/jobs`);
    const jobs = await page.locator('[data-testid=jobs] tbody tr td:first-child a').allTextContents();
    assert.ok(jobs.length > 0, 'Sam has jobs at Bayview');
    const pages = ['/', '/jobs', '/service-history', '/sales-history', ...jobs.slice(0, 6).map((n) => `/jobs/${encodeURIComponent(n.trim())}`)];
    for (const path of pages) {
      const response = await page.goto(`${base}${path}`);
      assert.equal(response.status(), 200, path);
      const text = await page.locator('main').innerText();
      // Issue 14, point 9: no money and no invoice reference for a site contact.
      assert.doesNotMatch(text, /\$\s?\d/, `${path} shows an amount`);
      assert.doesNotMatch(text, /\bI-\d+/, `${path} shows an invoice number`);
      assert.doesNotMatch(text, /invoice number/i, `${path} shows invoice notes`);
    }
    await checkA11y(page);
    await assertNoHorizontalScroll(page);

    // Issue 14, point 5: the office sees what enabling a contact's access would open.
    const office = await doorstep.newPage();
    await officeSignIn(office, base);
    await office.goto(`${base}/office/customers/C-1002`);
    const role = await office.locator('li', { hasText: 'Sam' }).getByTestId('role').textContent();
    assert.match(role, /Site contact of Bayview Apartments/);
    assert.match(role, /no invoices, prices or estimates/);
    await checkA11y(office);
  });

  test('a locked login is refused like a wrong password, saying whom to contact, and its open session ends', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const sam = await doorstep.newPage();
    await signIn(sam, base, 'sam@example.test');
    await sam.waitForURL(`${base}/`);

    const office = await doorstep.newPage();
    await officeSignIn(office, base);
    await office.goto(`${base}/office/customers/C-1002`);
    const row = office.locator('li', { hasText: 'Sam' });
    await row.getByRole('button', { name: 'Lock login' }).click();
    // Locking asks first (issue 15): nothing changes until the step is answered.
    await office.getByRole('heading', { name: /^Lock .*login\?$/ }).waitFor();
    await checkA11y(office);
    await office.getByTestId('confirm').click();
    await office.getByRole('status').waitFor();
    assert.match(await office.locator('li', { hasText: 'Sam' }).getByTestId('status').textContent(), /Locked/i);

    await sam.reload();
    await sam.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signIn(sam, base, 'sam@example.test');
    const alert = sam.getByRole('alert');
    await alert.waitFor();
    // No oracle (issue 14, point 7): the generic refusal, which says whom to contact.
    const refusal = await alert.textContent();
    assert.match(refusal, /don't match an account/);
    assert.match(refusal, /contact/i);
    assert.doesNotMatch(refusal, /locked/i);
    await checkA11y(sam);

    await office.locator('li', { hasText: 'Sam' }).getByRole('button', { name: 'Unlock' }).click();
    await office.getByRole('status').waitFor();
    await signIn(sam, base, 'sam@example.test');
    await sam.waitForURL(`${base}/`);
  });

  test('security settings and self sign-up pages are accessible', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const page = await doorstep.newPage();
    await signIn(page, base, 'sam@example.test');
    await page.waitForURL(`${base}/`);
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    await page.getByRole('img', { name: /QR code/ }).waitFor();
    await checkA11y(page);
    await assertNoHorizontalScroll(page);

    const visitor = await doorstep.newPage();
    await visitor.goto(`${base}/sign-in`);
    await visitor.getByRole('link', { name: 'Create an account' }).click();
    await visitor.getByLabel('Email').fill('not an email');
    await visitor.getByRole('button', { name: 'Create account' }).click();
    await visitor.locator('#email-error').waitFor();
    assert.equal(await visitor.getByLabel('Email').inputValue(), 'not an email', 'what was typed is kept');
    await checkA11y(visitor);
    await assertNoHorizontalScroll(visitor);
    await visitor.getByLabel('Email').fill('newcomer@example.test');
    await visitor.getByRole('button', { name: 'Create account' }).click();
    await visitor.getByRole('status').waitFor();
    const mail = await doorstep.mail.waitFor((m) => m.to.includes('newcomer@example.test'));
    const link = /http:\/\/\S+\/verify\/[0-9a-f]+/.exec(mail.text)?.[0];
    assert.ok(link, mail.text);
    await visitor.goto(link);
    await visitor.getByLabel('First name').fill('Nell');
    await visitor.getByLabel('Last name').fill('Newcomer');
    await visitor.getByLabel('Password').fill('a kettle of fish and chips');
    await checkA11y(visitor);
    await visitor.getByRole('button', { name: 'Create account' }).click();
    await visitor.waitForURL(`${base}/`);
    assert.equal(await activeAccount(visitor), 'Nell Newcomer');
  });
});
