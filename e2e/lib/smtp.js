// A real SMTP server on loopback that keeps what it receives, so browser tests can
// follow the links Doorstep emails. It speaks the plain (no TLS) subset of RFC 5321
// that a client needs to deliver: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.

import net from 'node:net';

/** Decodes a quoted-printable body (RFC 2045), as lettre may send long lines. */
function decodeQuotedPrintable(text) {
  return text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * Splits a raw message into headers, a readable text body and its leaf parts
 * (`{ type, filename, bytes }`, nested multiparts flattened), e.g. a PDF attachment.
 */
function parseMessage(raw) {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  let body = split < 0 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const type = (headers['content-type'] || 'text/plain').split(';')[0].trim().toLowerCase();
  // A multipart message: keep its text/plain part, decoded the same way, and every leaf.
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] || '');
  if (boundary) {
    const children = body
      .split(`--${boundary[1]}`)
      .slice(1)
      .filter((p) => !p.startsWith('--'))
      .map((p) => parseMessage(p.replace(/^\r?\n/, '')));
    const parts = children.flatMap((c) => c.parts);
    const text = parts.find((p) => p.type === 'text/plain');
    return { headers, text: text ? text.bytes.toString('utf8') : body, parts };
  }
  const encoding = (headers['content-transfer-encoding'] || '').toLowerCase();
  let bytes;
  if (encoding === 'quoted-printable') bytes = Buffer.from(decodeQuotedPrintable(body), 'latin1');
  else if (encoding === 'base64') bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  else bytes = Buffer.from(body, 'utf8');
  const disposition = headers['content-disposition'] || '';
  const filename = (/filename="?([^";]+)"?/i.exec(disposition) || /name="?([^";]+)"?/i.exec(headers['content-type'] || '') || [])[1] || '';
  const text = type.startsWith('text/') ? bytes.toString('utf8') : '';
  return { headers, text, parts: [{ type, filename, bytes }] };
}

/**
 * Starts the server on a free loopback port.
 * @returns {Promise<{url: string, messages: Array<{from: string, to: string[], subject: string, text: string,
 *   parts: Array<{type: string, filename: string, bytes: Buffer}>}>,
 *   waitFor: (predicate: (m: object) => boolean, timeoutMs?: number) => Promise<object>, stop: () => Promise<void>}>}
 */
export async function startSmtp() {
  const messages = [];
  const waiters = new Set();
  const server = net.createServer((socket) => {
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let envelope = { from: '', to: [] };
    const reply = (line) => socket.write(`${line}\r\n`);
    reply('220 doorstep-e2e ESMTP');
    socket.on('data', (chunk) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const raw = buffer.slice(0, end).replace(/\r\n\.\./g, '\r\n.');
          buffer = buffer.slice(end + 5);
          inData = false;
          const { headers, text, parts } = parseMessage(raw);
          const message = { ...envelope, subject: headers.subject || '', headers, text, parts };
          messages.push(message);
          for (const w of waiters) w();
          envelope = { from: '', to: [] };
          reply('250 OK: queued');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') {
          socket.write('250-doorstep-e2e\r\n250 8BITMIME\r\n');
        } else if (verb === 'HELO' || verb === 'NOOP') {
          reply('250 OK');
        } else if (verb === 'MAIL') {
          envelope.from = (/<([^>]*)>/.exec(line) || [])[1] || '';
          reply('250 OK');
        } else if (verb === 'RCPT') {
          envelope.to.push((/<([^>]*)>/.exec(line) || [])[1] || '');
          reply('250 OK');
        } else if (verb === 'DATA') {
          inData = true;
          reply('354 End data with <CR><LF>.<CR><LF>');
        } else if (verb === 'RSET') {
          envelope = { from: '', to: [] };
          reply('250 OK');
        } else if (verb === 'QUIT') {
          reply('221 Bye');
          socket.end();
          return;
        } else {
          reply('502 Command not implemented');
        }
      }
    });
    socket.on('error', () => {});
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    /** Resolves with the first message (already received or still to come) that matches. */
    waitFor(predicate, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(predicate);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching email within ${timeoutMs / 1000} s; received: ${JSON.stringify(messages.map((m) => [m.to, m.subject]))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
