// Outgoing webhooks (issue 20): an administrator adds an endpoint (a wrong URL is refused
// next to its field), copies the signing secret shown once, ticks its events; a support
// ticket's status change is written to its delivery log (the receiver is down: the
// attempt fails with the reason and waits for its retry), "Redeliver" queues it again;
// disabling, and deleting after the confirmation step. Every page passes the look checks
// (no split word, no overflow, contrast, axe) at 375 and 1280 px.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lookAt } from '../lib/look.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 180_000 };
const DESKTOP = { width: 1280, height: 900 };

async function officeSignIn(page, base, email) {
  await page.goto(`${base}/office`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill('doorstep-demo');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
}

async function looks(page, label) {
  const problems = await lookAt(page, label);
  assert.deepEqual(problems, [], problems.join('\n'));
  await page.setViewportSize(DESKTOP);
}

describe('outgoing webhooks', () => {
  const doorstep = useDoorstep();

  test('an administrator adds a webhook, sees its deliveries, redelivers, disables and deletes it', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const page = await doorstep.newPage({ viewport: DESKTOP });
    await officeSignIn(page, base, 'office@acme.test');
    await page.goto(`${base}/office/webhooks`);
    await looks(page, 'webhooks-empty');

    // A plain http:// URL to another machine is refused next to its field.
    await page.getByLabel('URL').fill('http://hooks.example.com/in');
    await page.getByTestId('event-support.updated').check();
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Add webhook' }).click()]);
    assert.match(await page.locator('#url-error').textContent(), /https:\/\//);
    assert.ok(await page.getByTestId('event-support.updated').isChecked(), 'the ticked event is kept');

    // Nothing listens on port 9 of this machine: deliveries fail and wait for a retry.
    await page.getByLabel('URL').fill('http://127.0.0.1:9/doorstep');
    await page.getByTestId('event-invoice.paid').check();
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Add webhook' }).click()]);
    const secret = (await page.getByTestId('webhook-secret').textContent()).trim();
    assert.match(secret, /^whsec_[0-9a-f]{48}$/);
    assert.equal((await page.getByTestId('webhook-url').textContent()).trim(), 'http://127.0.0.1:9/doorstep');
    await looks(page, 'webhook-added');
    const endpoint = await page.getByRole('link', { name: 'Delete…' }).getAttribute('href');
    const endpointPath = endpoint.replace(/\/delete$/, '');

    // Shown again on request.
    await page.goto(`${base}${endpointPath}`);
    assert.equal(await page.getByTestId('webhook-secret').count(), 0, 'the secret is not shown unasked');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Show signing secret' }).click()]);
    assert.equal((await page.getByTestId('webhook-secret').textContent()).trim(), secret);

    // A support ticket's status change is an event.
    await page.goto(`${base}/office/support`);
    await Promise.all([page.waitForNavigation(), page.locator('[data-testid=support-list] tbody tr td:first-child a').first().click()]);
    const options = await page.locator('#new-status option').evaluateAll((os) => os.map((o) => o.value));
    await page.locator('#new-status').selectOption(options[0]);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Change status' }).click()]);

    // The worker tries it within a second or two; the log shows the failure and the retry.
    let row;
    for (let i = 0; i < 40; i++) {
      await page.goto(`${base}${endpointPath}`);
      row = page.locator('[data-testid=deliveries] tbody tr').first();
      if ((await row.count()) > 0 && /Could not connect/.test(await row.textContent())) break;
      await page.waitForTimeout(500);
    }
    const text = await row.textContent();
    assert.match(text, /support\.updated/);
    assert.match(text, /evt_[0-9a-f]{24}/);
    assert.match(text, /Could not connect/);
    const eventId = text.match(/evt_[0-9a-f]{24}/)[0];
    await looks(page, 'webhook-log');

    await Promise.all([page.waitForNavigation(), row.getByRole('button', { name: 'Redeliver' }).click()]);
    assert.match(await page.getByRole('status').first().textContent(), /same event id/);
    assert.match(await page.locator('[data-testid=deliveries] tbody tr').first().textContent(), new RegExp(eventId));

    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Disable' }).click()]);
    assert.ok(await page.getByRole('button', { name: 'Enable' }).isVisible());

    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Delete…' }).click()]);
    await looks(page, 'webhook-delete');
    await Promise.all([page.waitForNavigation(), page.getByTestId('confirm').click()]);
    assert.match(await page.getByRole('status').textContent(), /Deleted/);
    const gone = await page.goto(`${base}${endpointPath}`);
    assert.equal(gone.status(), 404);
  });
});
