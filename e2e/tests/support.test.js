// Support requests in a browser (issue 5): Dana opens a ticket with a file, the office
// replies and sets "waiting on customer", Dana's email arrives at the SMTP sink with a
// link to the ticket, and Dana answers, which puts the ticket back to Open. Every page
// passes axe and fits a 375 px screen.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkA11y } from '../lib/axe.js';
import { assertNoHorizontalScroll } from '../lib/layout.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 180_000 };
const PASSWORD = 'doorstep-demo';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');

async function signIn(page, base, email) {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign in' }).click()]);
}

async function chooseAccount(page, base, name) {
  await page.goto(`${base}/accounts`);
  await Promise.all([page.waitForURL(`${base}/`), page.getByRole('button', { name: new RegExp(name) }).click()]);
}

async function officeSignIn(page, base) {
  await page.goto(`${base}/office`);
  await page.getByLabel('Email', { exact: true }).fill('office@acme.test');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/office`);
}

/** axe and the 375 px check, then back to a desktop width. */
async function checkPage(page) {
  await checkA11y(page);
  await assertNoHorizontalScroll(page);
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe('support requests', () => {
  const doorstep = useDoorstep({ smtp: true });

  test('dana opens a ticket with a file, the office answers, dana is emailed and answers back', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const dana = await doorstep.newPage();
    await signIn(dana, base, 'dana@example.test');
    await chooseAccount(dana, base, 'Dana Whitaker');
    await Promise.all([dana.waitForLoadState('load'), dana.getByRole('link', { name: 'Support', exact: true }).click()]);
    await checkPage(dana);
    await dana.getByRole('link', { name: 'New support request' }).click();
    await dana.getByLabel('Subject').waitFor();
    await checkPage(dana);

    // An empty description is refused next to its field, the subject kept.
    await dana.getByLabel('Subject').fill('Thermostat keeps resetting');
    await dana.getByRole('button', { name: 'Send request' }).click();
    await dana.waitForLoadState('load');
    // The browser's own "required" check stops the form (or the server refuses it): still here.
    assert.match(dana.url(), /\/support\/new$/);
    assert.equal(await dana.getByLabel('Subject').inputValue(), 'Thermostat keeps resetting');

    await dana.getByLabel('What do you need help with?').fill('Every night the thermostat goes back to 16 degrees.');
    await dana.getByLabel(/^Files/).setInputFiles([{ name: 'thermostat.pdf', mimeType: 'application/pdf', buffer: PDF }]);
    await Promise.all([dana.waitForURL(/\/support\/S-\d+\?done=opened/), dana.getByRole('button', { name: 'Send request' }).click()]);
    const ticketUrl = dana.url().replace(/\?.*$/, '');
    const number = ticketUrl.split('/').pop();
    assert.equal((await dana.getByTestId('support-status').textContent()).trim(), 'Open');
    assert.ok(await dana.getByRole('link', { name: 'thermostat.pdf' }).isVisible());
    await checkPage(dana);

    const officeCopy = await doorstep.mail.waitFor((m) => m.subject.includes(number) && m.to.includes('requests@acme.test'));
    assert.match(officeCopy.text, /goes back to 16 degrees/);

    // The office finds it among open tickets, replies and waits on the customer.
    const office = await doorstep.newPage();
    await officeSignIn(office, base);
    await office.goto(`${base}/office/support?status=open`);
    await checkPage(office);
    await Promise.all([office.waitForLoadState('load'), office.getByRole('link', { name: number }).click()]);
    await checkPage(office);
    await office.getByLabel('Reply', { exact: true }).fill('Could you send a photo of the thermostat settings screen?');
    await office.getByLabel('Status after the reply').selectOption('waiting_on_customer');
    await Promise.all([office.waitForURL(/done=replied/), office.getByRole('button', { name: 'Send reply' }).click()]);
    assert.equal((await office.getByTestId('support-status').textContent()).trim(), 'Waiting on customer');

    const reply = await doorstep.mail.waitFor((m) => m.to.includes('dana@example.test') && m.text.includes('photo of the thermostat'));
    assert.match(reply.text, /Waiting on customer/);
    const link = /http:\/\/\S+\/support\/S-\d+/.exec(reply.text)?.[0];
    assert.equal(link, ticketUrl, 'the email links to the ticket');

    // Dana follows the link and answers; the ticket is the office's again.
    await dana.goto(link);
    assert.equal((await dana.getByTestId('support-status').textContent()).trim(), 'Waiting on customer');
    assert.ok(await dana.getByText('Olivia Park (Acme Plumbing & Heating)').isVisible());
    await dana.getByLabel('Message', { exact: true }).fill('The screen says "Eco mode: on". Is that it?');
    await Promise.all([dana.waitForURL(/done=commented/), dana.getByRole('button', { name: 'Send message' }).click()]);
    assert.equal((await dana.getByTestId('support-status').textContent()).trim(), 'Open');
    await checkPage(dana);
    await doorstep.mail.waitFor((m) => m.to.includes('requests@acme.test') && m.text.includes('Eco mode'));
  });
});
