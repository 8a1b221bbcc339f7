// Debian's headless Chromium driven by playwright-core. No browser is ever
// downloaded: we launch /usr/bin/chromium (override with $CHROMIUM_BIN).

import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox', // we run as root
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // The machine has no internet: keep Chromium from calling home.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** @returns {Promise<import('playwright-core').Browser>} */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}

/**
 * A fresh browser context. By default it bypasses the app's CSP so that axe
 * can be injected; pass `{ bypassCSP: false }` to see the page exactly as a
 * visitor's browser enforces it.
 * @param {import('playwright-core').Browser} browser
 */
export async function newContext(browser, options = {}) {
  const context = await browser.newContext({ bypassCSP: true, locale: 'en-US', ...options });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  return context;
}

const CSP_MESSAGE = /Content[- ]Security[- ]Policy|Refused to (load|execute|apply|connect|frame|create)/i;

/**
 * Records what a visitor would not want to see go wrong on a page: uncaught
 * JavaScript errors and Content-Security-Policy violations (console messages
 * and `securitypolicyviolation` events). Call before the first navigation.
 * @param {import('playwright-core').Page} page
 */
export async function watchForPageProblems(page) {
  const problems = [];
  page.on('pageerror', (err) => problems.push(`JavaScript error on ${page.url()}: ${err.message}`));
  page.on('console', (msg) => {
    if (CSP_MESSAGE.test(msg.text())) problems.push(`CSP message on ${page.url()}: ${msg.text()}`);
  });
  await page.addInitScript(() => {
    window.__doorstepCspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__doorstepCspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'}`);
    });
  });
  return {
    /** Problems seen so far, including CSP violation events of the current document. */
    async collect() {
      const events = await page
        .evaluate(() => window.__doorstepCspViolations || [])
        .catch(() => []);
      return [...problems, ...events.map((e) => `CSP violation on ${page.url()}: ${e}`)];
    },
  };
}
