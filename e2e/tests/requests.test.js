// Request service in a browser (issue 5): Dana walks the guided form, attaches four
// photos (a PDF named .jpg and a 30 MB file are refused next to the field on the way),
// sees their thumbnails, changes the description from the summary, submits, and sees the
// confirmation with the estimate number; the company copy and the customer copy arrive
// at the SMTP sink with their fields. Every step passes axe and fits a 375 px screen.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { checkPage, chooseAccount, signIn } from '../lib/portal.js';
import { useDoorstep } from '../lib/suite.js';

const TEST_TIMEOUT = { timeout: 180_000 };
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

/** A small RGB PNG with a gradient tinted by `shade`, so every photo differs. */
function png(width, height, shade) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) row.set([(x * 5) & 0xff, (y * 7) & 0xff, shade], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Clicks `button` and waits for the page it leads to (a step, or the same one again). */
async function press(page, button) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
}

/** How many of the images under `selector` were loaded and decoded. */
function loadedImages(page, selector) {
  return page.$$eval(selector, (images) => images.filter((i) => i.complete && i.naturalWidth > 0).length);
}

describe('request service', () => {
  const doorstep = useDoorstep({ smtp: true });

  test('dana requests service with four photos, changes the description from the summary and submits', TEST_TIMEOUT, async () => {
    const base = doorstep.server.baseUrl('acme');
    const dana = await doorstep.newPage();
    await signIn(dana, base, 'dana@example.test');
    await chooseAccount(dana, base, 'Dana Whitaker');
    await press(dana, dana.getByRole('link', { name: 'Request service', exact: true }));

    // Step 1: when.
    assert.match(dana.url(), /\/requests\/new$/);
    await checkPage(dana);
    const another = dana.getByLabel('Ask for another date');
    if (await another.count()) await another.check();
    const date = dana.getByLabel('Preferred date');
    await date.fill(await date.getAttribute('min'));
    await dana.getByLabel('Morning (AM)', { exact: true }).check();
    await press(dana, dana.getByRole('button', { name: 'Continue' }));

    // Step 2: address (Dana's household has one: picked already).
    assert.match(dana.url(), /\/requests\/new\/[0-9a-f]{32}\/address$/);
    const draft = dana.url().replace(/\/address$/, '');
    await checkPage(dana);
    await dana.getByLabel(/14 Elm Street/).check();
    await press(dana, dana.getByRole('button', { name: 'Continue' }));

    // Step 3: contact (Dana herself, picked already).
    assert.equal(dana.url(), `${draft}/contact`);
    await checkPage(dana);
    await press(dana, dana.getByRole('button', { name: 'Continue' }));

    // Step 4: what.
    assert.equal(dana.url(), `${draft}/what`);
    await checkPage(dana);
    await dana.getByLabel('Description').fill('The kitchen tap drips all night.');
    await press(dana, dana.getByRole('button', { name: 'Continue' }));

    // Step 5: photos. Refusals first, each next to the field with nothing kept.
    assert.equal(dana.url(), `${draft}/photos`);
    await checkPage(dana);
    const input = dana.getByLabel('Choose photos');
    assert.equal(await input.getAttribute('accept'), 'image/jpeg,image/png,image/webp,image/heic');
    await input.setInputFiles([
      { name: 'tap.png', mimeType: 'image/png', buffer: png(64, 48, 10) },
      { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: PDF },
    ]);
    await press(dana, dana.getByRole('button', { name: 'Add photos' }));
    assert.match(await dana.locator('#photos-error').textContent(), /photo\.jpg: The file is not a JPEG, PNG or WebP photo\./);
    assert.equal(await dana.locator('[data-testid=draft-photos] img').count(), 0);
    await checkPage(dana);

    const huge = Buffer.alloc(30 * 1024 * 1024, 0);
    png(8, 8, 1).copy(huge);
    await dana.getByLabel('Choose photos').setInputFiles([{ name: 'huge.png', mimeType: 'image/png', buffer: huge }]);
    await press(dana, dana.getByRole('button', { name: 'Add photos' }));
    assert.equal((await dana.locator('#photos-error').textContent()).trim(), 'huge.png: The file is larger than 10 MB.');

    // Four photos in one go: four thumbnails, each with its alt text and "Remove".
    await dana.getByLabel('Choose photos').setInputFiles(
      [1, 2, 3, 4].map((n) => ({ name: `tap-${n}.png`, mimeType: 'image/png', buffer: png(64, 48, n * 50) })),
    );
    await press(dana, dana.getByRole('button', { name: 'Add photos' }));
    assert.equal(dana.url(), `${draft}/photos`);
    const thumbs = dana.locator('[data-testid=draft-photos] img');
    assert.equal(await thumbs.count(), 4);
    await dana.waitForFunction(
      () => [...document.querySelectorAll('[data-testid=draft-photos] img')].every((i) => i.complete && i.naturalWidth > 0),
    );
    assert.equal(await thumbs.first().getAttribute('alt'), 'Photo 1: tap-1.png');
    assert.equal(await dana.getByRole('button', { name: /^Remove/ }).count(), 4);
    assert.equal(await dana.getByLabel('Choose photos').count(), 0, 'no input once the limit is reached');
    await checkPage(dana);
    await press(dana, dana.getByRole('button', { name: 'Continue' }));

    // The summary: the four thumbnails, then "Make changes" to the description and back.
    assert.equal(dana.url(), `${draft}/summary`);
    assert.equal(await loadedImages(dana, '[data-testid=summary-photos] img'), 4);
    await checkPage(dana);
    await press(dana, dana.getByRole('link', { name: 'Make changes to What needs doing' }));
    assert.equal(dana.url(), `${draft}/what`);
    assert.equal(await dana.getByLabel('Description').inputValue(), 'The kitchen tap drips all night.');
    await dana.getByLabel('Description').fill('The kitchen tap drips all night, and the bathroom one too.');
    await press(dana, dana.getByRole('button', { name: 'Continue' }));
    assert.equal(dana.url(), `${draft}/summary`, 'after a change the summary comes back');
    assert.match(await dana.getByTestId('summary').textContent(), /and the bathroom one too/);
    assert.ok(await dana.getByRole('link', { name: 'Make changes to Photos' }).isVisible());

    await press(dana, dana.getByRole('button', { name: 'Submit request' }));
    assert.match(dana.url(), /\/requests\/R-\d+\?submitted=1$/);
    const number = /\/requests\/(R-\d+)/.exec(dana.url())[1];
    assert.match(await dana.getByTestId('confirmation').textContent(), /The office will confirm/);
    const estimate = (await dana.getByTestId('estimate-number').textContent()).trim();
    assert.match(estimate, /^E-\d+$/);
    assert.match(await dana.getByTestId('request-description').textContent(), /bathroom one too/);
    assert.equal(await loadedImages(dana, '.photos img'), 4, 'the photos moved to the request');
    await checkPage(dana);

    // Both copies arrive over SMTP with their fields.
    const company = await doorstep.mail.waitFor((m) => m.to.includes('requests@acme.test') && m.text.includes(estimate));
    for (const field of ['Dana Whitaker', 'dana@example.test', '(555) 010-3344', estimate, 'bathroom one too']) {
      assert.ok(company.text.includes(field), `the company copy lacks ${field}:\n${company.text}`);
    }
    const customer = await doorstep.mail.waitFor((m) => m.to.includes('dana@example.test') && m.text.includes(number));
    for (const field of ['14 Elm Street', 'Dana Whitaker', 'bathroom one too']) {
      assert.ok(customer.text.includes(field), `the customer copy lacks ${field}:\n${customer.text}`);
    }
  });
});
