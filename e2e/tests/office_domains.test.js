// Domains (issue 18): an administrator adds a custom domain (a malformed one is refused
// next to the field), sees the DNS record to create and that it is not checked, the
// domain serves Acme's portal, then removing it asks first and it stops at once. On the
// bare base host, the central sign-in page answers an email without saying whether it is
// known. Every page is looked at (split words, overflow, targets, contrast, axe).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lookAt } from '../lib/look.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 120_000 };
const PASSWORD = 'doorstep-demo';
const DESKTOP = { width: 1280, height: 900 };

describe('custom domains and the central sign-in', () => {
  const doorstep = useDoorstep();

  test('an admin adds a domain, it serves the portal, and removing it stops it at once', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const page = await doorstep.newPage({ viewport: DESKTOP });
    await page.goto(`${base}/office`);
    await page.getByLabel('Email', { exact: true }).fill('office@acme.test');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await Promise.all([page.waitForURL(`${base}/office`), page.getByRole('button', { name: 'Sign in' }).click()]);

    await page.goto(`${base}/office/company/domains`);
    assert.equal(await page.getByTestId('no-domains').count(), 1);
    const problems = await lookAt(page, 'domains--empty');

    await page.getByLabel('Domain', { exact: true }).fill('https://portal.acme.example/login');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Add domain' }).click()]);
    assert.match(await page.getByTestId('error-domain').innerText(), /without http/);
    assert.equal(await page.getByLabel('Domain', { exact: true }).inputValue(), 'https://portal.acme.example/login');
    problems.push(...(await lookAt(page, 'domains--refused')));

    await page.getByLabel('Domain', { exact: true }).fill('Portal.Acme.example');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Add domain' }).click()]);
    assert.match(await page.getByTestId('notice').innerText(), /Domain added/);
    assert.equal(await page.getByTestId('dns-record').innerText(), 'portal.acme.example. CNAME localhost.');
    assert.equal(await page.getByTestId('not-checked').innerText(), 'Not checked');
    problems.push(...(await lookAt(page, 'domains--one')));

    // The domain serves Acme (Node sends the Host; no DNS is needed).
    const served = await doorstep.server.request('acme', '/sign-in', { headers: { Host: `portal.acme.example:${doorstep.server.port}` } });
    assert.equal(served.status, 200);
    assert.match(served.body, /Acme Plumbing/);

    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Remove portal.acme.example…' }).click()]);
    problems.push(...(await lookAt(page, 'domains--remove')));
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Remove portal.acme.example' }).click()]);
    assert.match(await page.getByTestId('notice').innerText(), /Domain removed/);
    const gone = await doorstep.server.request('acme', '/sign-in', { headers: { Host: `portal.acme.example:${doorstep.server.port}` } });
    assert.equal(gone.status, 404);
    assert.deepEqual(problems, []);
  });

  test('the central sign-in on the bare host answers every email alike', TEST_TIMEOUT, async () => {
    const bare = `http://localhost:${doorstep.server.port}`;
    const page = await doorstep.newPage({ viewport: DESKTOP });
    await page.goto(`${bare}/find-your-portal`);
    const problems = await lookAt(page, 'central-sign-in');
    const answer = async (email) => {
      await page.goto(`${bare}/find-your-portal`);
      await page.getByLabel('Email', { exact: true }).fill(email);
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Email me my sign-in links' }).click()]);
      return (await page.getByTestId('sent').innerText()).replace(email, 'EMAIL');
    };
    const known = await answer('dana@example.test');
    problems.push(...(await lookAt(page, 'central-sign-in--sent')));
    const unknown = await answer('nobody@example.test');
    assert.equal(known, unknown);
    assert.deepEqual(problems, []);
  });
});
