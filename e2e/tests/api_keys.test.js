// API keys (issue 20): an administrator makes a key under Settings, sees its secret once,
// the key reads the JSON API (and the office's own session cookie does not), the docs
// page lists the endpoints, and revoking (after a confirmation) stops the key at once.
// Every page passes axe and fits a 375 px phone.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkA11y } from '../lib/axe.js';
import { assertNoHorizontalScroll } from '../lib/layout.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 120_000 };
const PASSWORD = 'doorstep-demo';
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 800 };

/** Accessible at desk width, and no horizontal scroll on a phone. */
async function checkPage(page) {
  await checkA11y(page);
  await page.setViewportSize(PHONE);
  await assertNoHorizontalScroll(page);
  await page.setViewportSize(DESKTOP);
}

/** GETs `path` from the page's own origin with `key` as the bearer (none: cookies only). */
async function apiGet(page, path, key) {
  return page.evaluate(async ([p, k]) => {
    const headers = k ? { Authorization: `Bearer ${k}` } : {};
    const res = await fetch(p, { headers });
    return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
  }, [path, key]);
}

describe('API keys', () => {
  const doorstep = useDoorstep();

  test('an admin makes a key, it reads the API, the docs list it, and revoking stops it', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const page = await doorstep.newPage({ viewport: DESKTOP });
    await page.goto(`${base}/office`);
    await page.getByLabel('Email', { exact: true }).fill('office@acme.test');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await Promise.all([page.waitForURL(`${base}/office`), page.getByRole('button', { name: 'Sign in' }).click()]);

    // Settings → API keys.
    await page.getByText('Settings', { exact: true }).click();
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'API keys' }).click()]);
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /API keys/);
    await checkPage(page);

    // A refused name stays next to its field.
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Make key' }).click()]);
    assert.match(await page.getByTestId('error-name').innerText(), /Enter the key's name/);

    await page.getByLabel('Name', { exact: true }).fill('Accounting sync');
    await page.getByLabel('Read and write').check();
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Make key' }).click()]);
    const secret = await page.getByTestId('secret').inputValue();
    assert.match(secret, /^dsk_live_[0-9a-f]{64}$/);
    await checkPage(page);

    // The key reads; the signed-in office browser's cookies alone do not.
    const ok = await apiGet(page, '/api/v1/customers?limit=2', secret);
    assert.equal(ok.status, 200);
    assert.equal(ok.body.data.length, 2);
    assert.ok(ok.body.next_cursor);
    const cookiesOnly = await apiGet(page, '/api/v1/customers', null);
    assert.equal(cookiesOnly.status, 401);
    assert.equal(cookiesOnly.type, 'application/problem+json');

    // Shown once: the list has its prefix only.
    await page.goto(`${base}/office/api-keys`);
    assert.equal(await page.getByTestId('secret').count(), 0);
    assert.ok((await page.getByTestId('api-keys').innerText()).includes(secret.slice(0, 17)));

    // The docs list the endpoints.
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'API documentation' }).click()]);
    assert.ok((await page.getByTestId('endpoints').innerText()).includes('/api/v1/customers/{id}'));
    await checkPage(page);

    // Revoking asks first, then the key is refused at once.
    await page.goto(`${base}/office/api-keys`);
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Revoke Accounting sync…' }).click()]);
    await checkPage(page);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Revoke Accounting sync' }).click()]);
    assert.match(await page.getByTestId('notice').innerText(), /Revoked/);
    assert.equal(await page.getByTestId('revoked').count(), 1);
    const refused = await apiGet(page, '/api/v1/customers', secret);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.type, '/api/docs#problem-unauthorized');
  });
});
