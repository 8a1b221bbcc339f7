// Wires a test file to one Doorstep server and one browser (node:test hooks),
// and hands out a fresh browser context per test.

import { after, afterEach, before } from 'node:test';
import { launchBrowser, newContext } from './browser.js';
import { startServer } from './server.js';
import { startSmtp } from './smtp.js';

/**
 * Call inside a describe() block (or at the top of a file). Registers hooks that
 * start the server and the browser before the tests and stop them after. With
 * `{ smtp: true }` the server delivers email to an SMTP server of the test
 * (`doorstep.mail`) instead of keeping it in the outbox. With `{ company: {...} }` the
 * server starts from `doorstep company create` instead of the demo (see startServer).
 */
export function useDoorstep({ smtp = false, company = null } = {}) {
  let server = null;
  let browser = null;
  let mail = null;
  let contexts = [];

  before(
    async () => {
      const env = {};
      if (smtp) {
        mail = await startSmtp();
        env.DOORSTEP_SMTP_URL = mail.url;
      }
      const [s, b] = await Promise.allSettled([startServer({ env, company }), launchBrowser()]);
      if (s.status === 'fulfilled') server = s.value;
      if (b.status === 'fulfilled') browser = b.value;
      if (s.status === 'rejected') throw s.reason;
      if (b.status === 'rejected') throw b.reason;
    },
    { timeout: 150_000 },
  );

  afterEach(async () => {
    const open = contexts;
    contexts = [];
    await Promise.all(open.map((c) => c.close().catch(() => {})));
  });

  after(
    async () => {
      await browser?.close().catch(() => {});
      await server?.stop();
      await mail?.stop();
    },
    { timeout: 30_000 },
  );

  return {
    get mail() {
      if (!mail) throw new Error('no SMTP server: call useDoorstep({ smtp: true })');
      return mail;
    },
    get server() {
      if (!server) throw new Error('the Doorstep server is not running');
      return server;
    },
    /** A page in a fresh context (closed after the test). Options go to browser.newContext. */
    async newPage(options = {}) {
      if (!browser) throw new Error('the browser is not running');
      const context = await newContext(browser, options);
      contexts.push(context);
      return context.newPage();
    },
  };
}
