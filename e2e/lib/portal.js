// Portal steps most browser tests take: sign in as a demo person, pick an account, and
// check a page (axe, then the 375 px layout).

import { checkA11y } from './axe.js';
import { assertNoHorizontalScroll } from './layout.js';

/** The password of every demo login. */
export const DEMO_PASSWORD = 'doorstep-demo';

/** Signs `email` in at the portal of `base`. */
export async function signIn(page, base, email, password = DEMO_PASSWORD) {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/** Acts for the account whose button matches `name`. */
export async function chooseAccount(page, base, name) {
  await page.goto(`${base}/accounts`);
  await Promise.all([page.waitForURL(`${base}/`), page.getByRole('button', { name: new RegExp(name) }).click()]);
}

/** axe and the 375 px check, then back to a desktop width. */
export async function checkPage(page) {
  await checkA11y(page);
  await assertNoHorizontalScroll(page);
  await page.setViewportSize({ width: 1280, height: 900 });
}
