// Starts the real Doorstep binary on a free loopback port with the demo data,
// and stops it again. One server per test file.
//
// The binary is taken from $DOORSTEP_BIN (default: ../target/debug/doorstep,
// relative to e2e/). It is run as
//
//   $DOORSTEP_BIN demo --database-url sqlite://<tmp>/demo.db?mode=rwc --bind 127.0.0.1:<port>
//
// with DOORSTEP_DATA_DIR=<tmp>/data, and is ready once it prints a stdout line
// starting with "Listening on http://" (printed after the socket is bound and
// the demo data is in place). We never sleep: we wait for that line, for the
// process to exit, or for the time limit.

import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const READY_PREFIX = 'Listening on http://';
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 10_000;
const LOG_LIMIT = 64 * 1024;

/** The binary under test: $DOORSTEP_BIN, or ../target/debug/doorstep relative to e2e/. */
export function doorstepBin() {
  return path.resolve(E2E_DIR, process.env.DOORSTEP_BIN || '../target/debug/doorstep');
}

/** A port that was free a moment ago on 127.0.0.1 (listen on 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

// Keeps the last LOG_LIMIT characters of a stream, for error messages.
function tailBuffer() {
  let text = '';
  return {
    push(chunk) {
      text += chunk;
      if (text.length > LOG_LIMIT) text = text.slice(text.length - LOG_LIMIT);
    },
    get text() {
      return text;
    },
  };
}

// Log lines may carry colour codes; the readiness check looks past them.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/**
 * Starts `doorstep demo` and resolves once it listens; `env` adds environment
 * variables (e.g. DOORSTEP_SMTP_URL). With `company` ({ slug, name, adminEmail,
 * timeZone? }) it runs `doorstep company create` on an empty database instead and
 * then `doorstep serve` (no demo data); the admin's one-time link is `setupLink`.
 * @returns {Promise<{port: number, dir: string, baseUrl: (slug: string) => string,
 *   request: (slug: string, urlPath?: string, options?: object) => Promise<{status: number, headers: object, body: string}>,
 *   logs: () => {stdout: string, stderr: string}, stop: () => Promise<void>}>}
 */
export async function startServer({ env = {}, company = null } = {}) {
  const bin = doorstepBin();
  const parent = process.env.DOORSTEP_E2E_TMPDIR || os.tmpdir();
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(path.join(parent, 'doorstep-e2e-'));
  const dataDir = path.join(dir, 'data');
  await mkdir(dataDir, { recursive: true });
  const port = await freePort();
  const databaseUrl = `sqlite://${path.join(dir, 'demo.db')}?mode=rwc`;
  let setupLink = null;
  if (company) {
    try {
      setupLink = await createCompany(bin, dir, { ...process.env, DOORSTEP_DATA_DIR: dataDir, ...env }, databaseUrl, port, company);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }
  const args = [
    company ? 'serve' : 'demo',
    '--database-url',
    databaseUrl,
    '--bind',
    `127.0.0.1:${port}`,
    // Several servers may run at once: metrics on a free port of their own, and a short
    // drain on stop (STOP_TIMEOUT_MS is the hard limit).
    '--metrics-bind',
    '127.0.0.1:0',
    '--shutdown-grace-secs',
    '1',
  ];

  const stdout = tailBuffer();
  const stderr = tailBuffer();
  const child = spawn(bin, args, {
    cwd: dir,
    env: { ...process.env, DOORSTEP_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const verbose = Boolean(process.env.DOORSTEP_E2E_VERBOSE);
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr.push(chunk);
    if (verbose) process.stderr.write(chunk);
  });

  let exited = null; // { code, signal } once the process has exited
  const exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });

  // If this test process goes away without stop(), take the server with it.
  const killOnExit = () => {
    if (!exited && child.pid !== undefined) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  // .ci/run also reads this file to kill a server a crashed test run left behind.
  if (child.pid) await writeFile(path.join(dir, 'server.pid'), `${child.pid}\n`).catch(() => {});

  const describe = () => `${bin} ${args.join(' ')}`;
  const cleanup = async () => {
    process.off('exit', killOnExit);
    // child.pid is undefined when the binary could not be spawned at all.
    if (!exited && child.pid !== undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exitPromise;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await new Promise((resolve, reject) => {
      let settled = false;
      const finish = (err) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => {
        finish(
          new Error(
            `doorstep did not print "${READY_PREFIX}..." within ${START_TIMEOUT_MS / 1000} s\n` +
              `command: ${describe()}\nstderr:\n${stderr.text}\nstdout:\n${stdout.text}`,
          ),
        );
      }, START_TIMEOUT_MS);

      child.once('error', (err) => {
        const hint =
          err.code === 'ENOENT'
            ? ' (build it with `cargo build -p doorstep`, or point DOORSTEP_BIN at the binary)'
            : '';
        finish(new Error(`could not start ${bin}: ${err.message}${hint}`));
      });

      const lines = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
      lines.on('line', (line) => {
        stdout.push(`${line}\n`);
        if (verbose) process.stderr.write(`[doorstep stdout] ${line}\n`);
        if (line.replace(ANSI, '').trimStart().startsWith(READY_PREFIX)) finish();
      });

      exitPromise.then(({ code, signal }) => {
        // Let the last stderr bytes arrive before reporting.
        setImmediate(() =>
          finish(
            new Error(
              `doorstep exited before it was listening (code ${code}, signal ${signal})\n` +
                `command: ${describe()}\nstderr:\n${stderr.text}\nstdout:\n${stdout.text}`,
            ),
          ),
        );
      });
    });
  } catch (err) {
    await cleanup();
    throw err;
  }

  let stopped = false;
  return {
    port,
    dir,
    setupLink,
    baseUrl: (slug) => `http://${slug}.localhost:${port}`,
    /** A Node-side HTTP request to 127.0.0.1 with Host: <slug>.localhost:<port>. */
    request: (slug, urlPath = '/', options = {}) => request(port, slug, urlPath, options),
    logs: () => ({ stdout: stdout.text, stderr: stderr.text }),
    async stop() {
      if (stopped) return;
      stopped = true;
      await cleanup();
    },
  };
}

// `doorstep company create` on the (new) database; resolves with the admin's one-time link.
function createCompany(bin, cwd, env, databaseUrl, port, { slug, name, adminEmail, timeZone }) {
  const args = ['company', 'create', '--database-url', databaseUrl, '--bind', `127.0.0.1:${port}`];
  args.push('--slug', slug, '--name', name, '--admin-email', adminEmail);
  if (timeZone) args.push('--time-zone', timeZone);
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.once('error', reject);
    child.once('exit', (code) => {
      const link = /https?:\/\/\S+\/office\/setup\/\S+/.exec(out);
      if (code === 0 && link) resolve(link[0]);
      else reject(new Error(`${bin} ${args.join(' ')} exited with ${code}:\n${out}`));
    });
  });
}

function request(port, slug, urlPath, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: urlPath,
        headers: { Host: `${slug}.localhost:${port}`, ...headers },
      },
      (res) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`request to ${urlPath} timed out`)));
    req.end(body);
  });
}
