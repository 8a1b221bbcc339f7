// Sign-in pages of the customer portal and of the office, per company host.
// Runs against `doorstep demo`, whose demo data holds the companies
// acme ("Acme Plumbing & Heating") and bolt ("Bolt Electric").

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkA11y } from '../lib/axe.js';
import { watchForPageProblems } from '../lib/browser.js';
import { assertNoHorizontalScroll } from '../lib/layout.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 90_000 };

/** The sign-in form: exactly one field labelled Email, one labelled Password, a Sign in button. */
async function assertSignInForm(page) {
  const email = page.getByLabel('Email', { exact: true });
  const password = page.getByLabel('Password', { exact: true });
  await email.waitFor({ state: 'visible' });
  await password.waitFor({ state: 'visible' });
  assert.equal(await password.getAttribute('type'), 'password', 'the Password field masks what is typed');
  await page.getByRole('button', { name: 'Sign in' }).waitFor({ state: 'visible' });
}

describe('sign-in pages', () => {
  const doorstep = useDoorstep();

  test("acme's portal sign-in page is branded and accessible", TEST_TIMEOUT, async () => {
    const page = await doorstep.newPage();
    const response = await page.goto(`${doorstep.server.baseUrl('acme')}/`);
    assert.ok(response, 'navigation produced a response');
    assert.equal(response.status(), 200);

    await page.getByText('Acme Plumbing & Heating').first().waitFor({ state: 'visible' });
    await assertSignInForm(page);

    const csp = response.headers()['content-security-policy'];
    assert.ok(csp, 'the page is sent with a Content-Security-Policy header');
    assert.ok(!csp.includes('unsafe-inline'), `the CSP allows no inline code: ${csp}`);

    await checkA11y(page);
    await assertNoHorizontalScroll(page);
  });

  test("bolt's portal shows Bolt Electric, not Acme", TEST_TIMEOUT, async () => {
    const page = await doorstep.newPage();
    const response = await page.goto(`${doorstep.server.baseUrl('bolt')}/`);
    assert.ok(response, 'navigation produced a response');
    assert.equal(response.status(), 200);

    await page.getByText('Bolt Electric').first().waitFor({ state: 'visible' });
    const html = await page.content();
    assert.ok(!html.includes('Acme'), "bolt's portal must not mention another company (Acme)");
  });

  test('office sign-in page is accessible', TEST_TIMEOUT, async () => {
    const page = await doorstep.newPage();
    const response = await page.goto(`${doorstep.server.baseUrl('acme')}/office`);
    assert.ok(response, 'navigation produced a response');
    assert.equal(response.status(), 200);

    await assertSignInForm(page);
    await checkA11y(page);
  });

  test('an unknown company host gets a friendly 404 page', TEST_TIMEOUT, async () => {
    const page = await doorstep.newPage();
    const response = await page.goto(`${doorstep.server.baseUrl('nope')}/`);
    assert.ok(response, 'navigation produced a response');
    assert.equal(response.status(), 404);

    await page.locator('h1').first().waitFor({ state: 'visible' });
    const html = await page.content();
    for (const name of ['Acme', 'Bolt']) {
      assert.ok(!html.includes(name), `the 404 page reveals no company (found ${name})`);
    }
    await checkA11y(page);
  });

  test('sign-in pages run without JavaScript errors or CSP violations', TEST_TIMEOUT, async () => {
    // CSP enforced here, as in a visitor's browser (no axe is injected).
    const page = await doorstep.newPage({ bypassCSP: false });
    const problems = await watchForPageProblems(page);
    const seen = [];
    for (const url of [
      `${doorstep.server.baseUrl('acme')}/`,
      `${doorstep.server.baseUrl('bolt')}/`,
      `${doorstep.server.baseUrl('acme')}/office`,
      `${doorstep.server.baseUrl('nope')}/`,
    ]) {
      await page.goto(url, { waitUntil: 'load' });
      seen.push(...(await problems.collect()));
    }
    assert.deepEqual([...new Set(seen)], [], 'no JavaScript errors or CSP violations');
  });
});
