// Job photos and documents (issue 17): an office member (not an administrator) adds a
// photo marked visible to the customer and a document marked hidden to a Whitaker job;
// the office page lists both with who sees them; Dana's job page shows the photo only, and
// the hidden document's address answers 404 to her. Both pages pass axe and fit 375 px.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { checkPage, chooseAccount, signIn } from '../lib/portal.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 150_000 };
const DESKTOP = { width: 1280, height: 900 };
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A small RGB PNG with a gradient. */
function png(width, height) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) row.set([(x * 5) & 0xff, (y * 7) & 0xff, 140], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function officeSignIn(page, base, email) {
  await page.goto(`${base}/office`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill('doorstep-demo');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/** Adds `file` to the job open on `page`, visible to the customer or not. */
async function addFile(page, file, visible) {
  await page.getByLabel(/^Add photos or documents/).setInputFiles([file]);
  await page.getByLabel(visible ? /Yes: the customer sees them/ : /No: only the office sees them/).check();
  await Promise.all([page.waitForNavigation(), page.getByTestId('add-files').click()]);
  assert.equal((await page.getByTestId('notice').textContent()).trim(), 'The files were added.');
}

describe('job photos and documents', () => {
  const doorstep = useDoorstep();

  test('the office adds a visible photo and a hidden document; the customer sees only the photo', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const office = await doorstep.newPage({ viewport: DESKTOP });
    await officeSignIn(office, base, 'dispatch@acme.test');
    await office.goto(`${base}/office/jobs?q=Whitaker`);
    await Promise.all([
      office.waitForNavigation(),
      office.locator('[data-testid=jobs] tbody tr td:first-child a').first().click(),
    ]);
    const number = new URL(office.url()).pathname.split('/').pop();

    await addFile(office, { name: 'boiler-after.png', mimeType: 'image/png', buffer: png(64, 48) }, true);
    await addFile(office, { name: 'office-notes.pdf', mimeType: 'application/pdf', buffer: PDF }, false);
    const photoRow = office.locator('[data-testid=job-files] tr[data-file-name="boiler-after.png"]');
    const docRow = office.locator('[data-testid=job-files] tr[data-file-name="office-notes.pdf"]');
    assert.equal((await photoRow.getByTestId('file-visible').textContent()).trim(), 'Visible');
    assert.equal((await docRow.getByTestId('file-hidden').textContent()).trim(), 'Hidden');
    await photoRow.locator('img').waitFor();
    const docHref = await docRow.getByRole('link', { name: 'office-notes.pdf' }).getAttribute('href');
    const docId = docHref.split('/').pop();
    await checkPage(office);

    const dana = await doorstep.newPage({ viewport: DESKTOP });
    await signIn(dana, base, 'dana@example.test');
    await chooseAccount(dana, base, 'Whitaker');
    const res = await dana.goto(`${base}/jobs/${number}`);
    assert.equal(res.status(), 200);
    const photo = dana.getByTestId('photos').getByRole('img', { name: /boiler-after\.png/ });
    await photo.waitFor();
    assert.ok(await photo.evaluate((img) => img.complete && img.naturalWidth > 0), 'the thumbnail loads');
    assert.equal(await dana.getByText('office-notes.pdf').count(), 0, 'the hidden document is not listed');
    await checkPage(dana);
    const hidden = await dana.goto(`${base}/files/${docId}`);
    assert.equal(hidden.status(), 404, 'the hidden document answers 404');
  });
});
