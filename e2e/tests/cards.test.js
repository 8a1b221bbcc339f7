// Saved payment methods and autopay (issue 19) with the built-in test processor: dana
// adds the 4242 card through the TEST MODE setup page, makes it her default, turns
// autopay on, then removes the card (asked first), which turns autopay off. Every page
// passes axe and fits 375 and 1280 px.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkA11y } from '../lib/axe.js';
import { assertNoHorizontalScroll } from '../lib/layout.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 180_000 };
const PASSWORD = 'doorstep-demo';
const DESKTOP = { width: 1280, height: 900 };

async function signIn(page, url, email) {
  await page.goto(url);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
}

async function checkPage(page) {
  await checkA11y(page);
  await assertNoHorizontalScroll(page);
  await assertNoHorizontalScroll(page, DESKTOP);
}

/** The saved-cards rows as text. */
async function rows(page) {
  return page.locator('[data-testid=saved-cards] tbody tr').allTextContents();
}

describe('saved payment methods', () => {
  const doorstep = useDoorstep();

  test('dana adds the 4242 card on the TEST MODE page, makes it default, turns autopay on, then removes it', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const dana = await doorstep.newPage({ viewport: DESKTOP });
    await signIn(dana, `${base}/sign-in`, 'dana@example.test');
    await dana.goto(`${base}/accounts`);
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: /Whitaker/ }).click()]);

    // From the payment history to the saved cards.
    await dana.goto(`${base}/payments`);
    await Promise.all([dana.waitForNavigation(), dana.getByTestId('manage-cards').click()]);
    assert.equal(new URL(dana.url()).pathname, '/payment-methods');
    const before = await rows(dana);
    assert.equal(await dana.getByTestId('default-badge').count(), 1, 'the demo household has a default card');
    await checkPage(dana);

    // Add a card: the TEST MODE page; a declined card first, then 4242.
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: 'Add a card' }).click()]);
    assert.match(new URL(dana.url()).pathname, /^\/payment-methods\/test\//);
    assert.match(await dana.getByTestId('test-mode').textContent(), /TEST MODE/);
    await checkPage(dana);
    await dana.getByLabel('Card number (test)').fill('4000 0000 0000 0002');
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: 'Save card' }).click()]);
    assert.match(await dana.locator('#card-error').textContent(), /declined/);
    await checkPage(dana);
    await dana.getByLabel('Card number (test)').fill('4242 4242 4242 4242');
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: 'Save card' }).click()]);
    assert.equal(new URL(dana.url()).pathname, '/payment-methods');
    assert.match(await dana.getByTestId('cards-notice').textContent(), /saved/);
    const after = await rows(dana);
    assert.equal(after.length, before.length + 1);
    const added = dana.locator('[data-testid=saved-cards] tbody tr', { hasText: 'Visa ending 4242' }).filter({ hasText: /12\/\d{4}/ });
    assert.equal(await added.count(), 1);
    assert.equal(await added.getByTestId('default-badge').count(), 0);

    // Make it the default.
    await Promise.all([dana.waitForNavigation(), added.getByRole('button', { name: /Make default/ }).click()]);
    assert.match(await dana.getByTestId('cards-notice').textContent(), /default card was changed/);
    const now = dana.locator('[data-testid=saved-cards] tbody tr', { hasText: 'Visa ending 4242' }).filter({ hasText: /12\/\d{4}/ });
    assert.equal(await now.getByTestId('default-badge').count(), 1);
    assert.equal(await dana.getByTestId('default-badge').count(), 1);

    // Autopay on.
    assert.equal((await dana.getByTestId('autopay-state').textContent()).trim(), 'Off');
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: 'Turn autopay on' }).click()]);
    assert.equal((await dana.getByTestId('autopay-state').textContent()).trim(), 'On');
    assert.match(await dana.getByTestId('cards-notice').textContent(), /Autopay is on/);
    await checkPage(dana);

    // The dashboard's cards on file read the same rows.
    await dana.goto(`${base}/`);
    const onFile = await dana.getByTestId('cards').textContent();
    assert.match(onFile, /Visa ending in 4242 · expires 12\/\d{4} Default/);

    // Remove it: asked first, then autopay is off.
    await dana.goto(`${base}/payment-methods`);
    const def = dana.locator('[data-testid=saved-cards] tbody tr', { has: dana.getByTestId('default-badge') });
    await Promise.all([dana.waitForNavigation(), def.getByRole('link', { name: /Remove/ }).click()]);
    assert.match(await dana.locator('h1').textContent(), /Remove Visa ending 4242\?/);
    assert.match(await dana.locator('main').textContent(), /turns autopay off/);
    await checkPage(dana);
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: 'Yes, remove the card' }).click()]);
    assert.match(await dana.getByTestId('cards-notice').textContent(), /Autopay is now off/);
    assert.equal((await dana.getByTestId('autopay-state').textContent()).trim(), 'Off');
    assert.equal((await rows(dana)).length, before.length);
    assert.equal(await dana.getByTestId('default-badge').count(), 0);
  });
});
