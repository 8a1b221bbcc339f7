// Setting a new company up (issue 18), from `doorstep company create`: its administrator
// sets the password from the printed link, sets the brand colours (a pair failing WCAG AA
// contrast is refused with its ratio), uploads a logo, turns self sign-up on (the sign-in
// page offers it), sees the home's setup checklist tick, adds a customer with a contact and
// views the portal as that contact (a read-only banner; a write is refused), stops, and
// finds each action in the audit log. Every page passes axe and fits 375 px.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import zlib from 'node:zlib';
import { checkA11y } from '../lib/axe.js';
import { assertNoHorizontalScroll } from '../lib/layout.js';
import { doorstepBin } from '../lib/server.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 240_000 };
const PASSWORD = 'brass lantern harbour 7';
const DESKTOP = { width: 1280, height: 900 };

/** Accessible, and no horizontal scroll on a phone. */
async function checkPage(page) {
  await checkA11y(page);
  await assertNoHorizontalScroll(page);
  await page.setViewportSize(DESKTOP);
}

/** A small solid PNG, made here (no fixture file). */
function png(width, height, [r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => [r, g, b]).flat())]);
  const pixels = zlib.deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function submit(page, name) {
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name, exact: true }).click()]);
}

describe('setting a new company up', () => {
  const doorstep = useDoorstep();

  test('a new admin brands the portal, turns self sign-up on, ticks the checklist and views the portal as a contact', TEST_TIMEOUT, async () => {
    const server = doorstep.server;
    // `doorstep company create` against the running server's database prints the link.
    const { stdout } = await promisify(execFile)(doorstepBin(), [
      'company', 'create',
      '--database-url', `sqlite://${path.join(server.dir, 'demo.db')}?mode=rwc`,
      '--bind', `127.0.0.1:${server.port}`,
      '--slug', 'fresh', '--name', 'Fresh Plumbing', '--admin-email', 'owner@fresh.test',
    ]);
    const token = stdout.match(/\/office\/setup\/([A-Za-z0-9_-]+)/)[1];
    const base = server.baseUrl('fresh');

    const admin = await doorstep.newPage({ viewport: DESKTOP });
    await admin.goto(`${base}/office/setup/${token}`);
    await admin.getByLabel('New password').fill(PASSWORD);
    await admin.getByLabel('Type it again').fill(PASSWORD);
    await submit(admin, 'Set password');
    if (new URL(admin.url()).pathname !== '/office' || (await admin.getByLabel('Password', { exact: true }).count()) > 0) {
      await admin.goto(`${base}/office`);
      await admin.getByLabel('Email', { exact: true }).fill('owner@fresh.test');
      await admin.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await submit(admin, 'Sign in');
    }

    // The home's checklist: nothing done yet, each step a link.
    await admin.getByRole('heading', { name: 'Today', level: 1 }).waitFor();
    const checklist = admin.getByTestId('setup-checklist');
    assert.match(await checklist.getByTestId('checklist-count').textContent(), /^0 of 8 done$/);
    assert.equal(await checklist.getByRole('link', { name: 'Import your customers' }).getAttribute('href'), '/office/import');
    await checkPage(admin);

    // Colours: a failing pair is refused next to its field with the ratio, then a good one.
    await Promise.all([admin.waitForNavigation(), checklist.getByRole('link', { name: 'Add your logo and colours' }).click()]);
    assert.equal(new URL(admin.url()).pathname, '/office/branding');
    await admin.getByLabel('Brand colour').fill('#f5a623');
    await admin.getByLabel('Text colour on it').fill('#ffffff');
    await submit(admin, 'Save colours');
    assert.match(await admin.getByTestId('error-brand_text').textContent(), /2\.02:1.*4\.5:1/);
    assert.equal(await admin.getByLabel('Text colour on it').getAttribute('aria-invalid'), 'true');
    await checkPage(admin);
    await admin.getByLabel('Brand colour').fill('#5b2a86');
    await admin.getByLabel('Text colour on it').fill('#ffffff');
    await submit(admin, 'Save colours');
    assert.match(await admin.getByTestId('notice').textContent(), /Colours saved/);

    // The logo: uploaded, shown; the brand bar takes the colour.
    await admin.getByLabel('Upload a logo').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png(64, 64, [255, 210, 63]) });
    await submit(admin, 'Upload logo');
    assert.match(await admin.getByTestId('notice').textContent(), /Logo uploaded/);
    await admin.getByTestId('current-logo').waitFor();
    const bar = await admin.locator('header.brand-bar').first().evaluate((e) => getComputedStyle(e).backgroundColor);
    assert.equal(bar, 'rgb(91, 42, 134)');
    await checkPage(admin);

    // Self sign-up on: the portal's sign-in page offers it at once.
    await admin.goto(`${base}/office/settings/portal`);
    await admin.getByLabel('Self sign-up').check();
    await submit(admin, 'Save switches');
    assert.match(await admin.getByTestId('saved').textContent(), /Saved/);
    assert.ok(await admin.getByLabel('Self sign-up').isChecked());
    await checkPage(admin);
    const visitor = await doorstep.newPage({ viewport: DESKTOP });
    await visitor.goto(`${base}/sign-in`);
    await visitor.getByRole('link', { name: 'Create an account' }).waitFor();
    assert.equal(await visitor.locator('img.brand-logo').count(), 1, 'the sign-in page shows the logo');
    await checkPage(visitor);

    // A customer with a contact, then the checklist shows the steps done.
    await admin.goto(`${base}/office/customers/new`);
    await admin.getByLabel('Name', { exact: true }).fill('Dana Whitaker household');
    await admin.getByRole('radio', { name: 'Residential' }).check();
    await submit(admin, 'Create customer');
    await admin.getByTestId('add-contact').click();
    await admin.getByLabel('First name').fill('Dana');
    await admin.getByLabel('Last name (optional)').fill('Whitaker');
    await admin.getByLabel(/^Email/).fill('dana@fresh.test');
    await admin.getByRole('radio', { name: /^Company contact/ }).check();
    await submit(admin, 'Add contact');
    const customerPage = new URL(admin.url()).pathname;

    await admin.goto(`${base}/office`);
    const ticked = await admin.getByTestId('setup-checklist').getByTestId('checklist-count').textContent();
    assert.match(ticked, /^3 of 8 done$/, 'logo, customers and switches ticked from the data');
    const done = await admin.locator('[data-testid=step][data-done=true] a').allTextContents();
    assert.deepEqual(done.sort(), ['Add your logo and colours', 'Choose what the portal offers', 'Import your customers']);

    // View the portal as Dana: the banner, read only; Stop returns to her customer page.
    await admin.goto(`${base}${customerPage}`);
    await submit(admin, 'View portal as Dana');
    assert.equal(new URL(admin.url()).pathname, '/');
    assert.match(await admin.getByTestId('view-as-banner').textContent(), /Viewing as Dana Whitaker — read only/);
    await checkPage(admin);
    await admin.goto(`${base}/support/new`);
    const refused = await admin.evaluate(async () => {
      const token = document.querySelector('input[name=csrf_token]').value;
      const body = new FormData();
      body.append('csrf_token', token);
      body.append('subject', 'Written while viewing');
      const res = await fetch('/support/new', { method: 'POST', body });
      return { status: res.status, text: await res.text() };
    });
    assert.equal(refused.status, 403);
    assert.match(refused.text, /read only/);
    await submit(admin, 'Stop');
    assert.equal(new URL(admin.url()).pathname, customerPage);

    // The audit log shows each action.
    await admin.goto(`${base}/office/audit`);
    const log = await admin.getByTestId('audit').textContent();
    for (const phrase of ['Branding: colours saved', 'Branding: logo uploaded', 'Settings: portal switches', 'Portal: view as started', 'Portal: view as stopped']) {
      assert.ok(log.includes(phrase), `${phrase} in the audit log`);
    }
    await checkPage(admin);
  });
});
