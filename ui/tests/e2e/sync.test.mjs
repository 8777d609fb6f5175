// End to end in the real app (debug build, WebKitGTK under Xvfb, tauri-driver + WebKitWebDriver) against a
// real sync-server on loopback: enrol, choose a PIN, sync, open the assignment, interview in Arabic (with
// an error fixed and a warning confirmed), review, complete, sync and see the receipt; the supervisor
// rejects it with a comment on a question; the comment shows on the tablet; fix, send again.
//
// Run by `cargo xtask app` (step e2e), which builds the binaries and sets the environment.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import { remote } from 'webdriverio';

const APP = process.env.DAFTAR_APP_BIN;
const SERVER = process.env.DAFTAR_SERVER_BIN;
const OUT = process.env.DAFTAR_TEST_OUT ?? '/tmp/daftar-e2e';
const DATA = process.env.DAFTAR_E2E_DATA ?? join(OUT, 'e2e-data');
const [NAME1, NAME2] = (process.env.DAFTAR_CANARIES ?? 'Canari-Youssef-7731,Fatima-Canari-4417').split(',');
const SHOTS = join(OUT, 'screenshots');
const ADMIN_PASSWORD = 'e2e admin passphrase';
const children = [];
let browser;
let base;

function start(cmd, args, env, logName) {
  const log = createWriteStream(join(OUT, logName));
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  children.push(child);
  return child;
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    // SIGTERM: tauri-driver then stops WebKitWebDriver; the server drains and exits.
    child.kill('SIGTERM');
  });
}

async function waitPort(port, ms = 30000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise((r) => {
      const s = net.connect(port, '127.0.0.1', () => { s.end(); r(true); });
      s.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`port ${port} did not open`);
}

async function freePort() {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function api(method, path, token, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'Daftar-Protocol': '1', 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const login = async (username, password) => (await api('POST', '/api/v1/auth/login', null, { username, password })).token;

let supervisor;
let enumeratorId;
let startedAt;

before(async () => {
  assert.ok(APP && SERVER, 'DAFTAR_APP_BIN and DAFTAR_SERVER_BIN are set');
  mkdirSync(SHOTS, { recursive: true });
  const serverDir = join(DATA, 'server');
  mkdirSync(serverDir, { recursive: true });
  execFileSync(SERVER, ['admin', '--data-dir', serverDir, 'create-admin', '--username', 'admin'], {
    env: { ...process.env, DAFTAR_ADMIN_PASSWORD: ADMIN_PASSWORD },
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  start(SERVER, ['serve', '--data-dir', serverDir, '--bind', `127.0.0.1:${port}`], { DAFTAR_SHUTDOWN_GRACE_SECONDS: '1' }, 'server.log');
  await waitPort(port);

  const admin = await login('admin', ADMIN_PASSWORD);
  await api('POST', '/api/v1/users', admin, { username: 'sup', password: 'password of ten', role: 'supervisor', team: 'a' });
  await api('POST', '/api/v1/users', admin, { username: 'amina', password: 'password of ten', role: 'enumerator', team: 'a' });
  supervisor = await login('sup', 'password of ten');
  enumeratorId = (await api('GET', '/api/v1/users', supervisor)).find((u) => u.username === 'amina').id;
  await api('POST', '/api/v1/surveys', admin, { id: 'return-e2e', title: 'Return e2e' });
  const { publicKey } = generateKeyPairSync('x25519');
  const x = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url').toString('base64');
  await api('PUT', '/api/v1/surveys/return-e2e/key', admin, { public_key: x });
  const yaml = readFileSync(new URL('./return-migrant.yaml', import.meta.url));
  await api('POST', '/api/v1/surveys/return-e2e/versions', admin, { format: 'yaml', content: yaml.toString('base64') });
  await api('POST', '/api/v1/assignments', supervisor, { survey_id: 'return-e2e', enumerator_id: enumeratorId, quantity: 1, preload: {} });

  const driverPort = await freePort();
  const nativePort = await freePort();
  start('tauri-driver', ['--port', String(driverPort), '--native-port', String(nativePort)], { DAFTAR_DATA_DIR: join(DATA, 'app') }, 'app.log');
  await waitPort(driverPort);
  startedAt = Date.now();
  browser = await remote({
    hostname: '127.0.0.1',
    port: driverPort,
    logLevel: 'warn',
    capabilities: {
      browserName: 'wry',
      'tauri:options': { application: APP },
      'wdio:enforceWebDriverClassic': true,
    },
  });
});

const within = (p, ms) => Promise.race([p, new Promise((r) => setTimeout(r, ms))]);

after(async () => {
  if (browser) await within(browser.deleteSession().catch(() => undefined), 10000);
  for (const c of children.reverse()) await stop(c);
});

const $ = (sel) => browser.$(sel);
const shot = (name) => browser.saveScreenshot(join(SHOTS, `${name}.png`));
async function visible(sel, timeout = 20000) {
  const el = await $(sel);
  await el.waitForDisplayed({ timeout, timeoutMsg: `${sel} not shown` });
  return el;
}
async function click(sel) {
  await (await visible(sel)).click();
}
/// Types into a field and commits it the way an enumerator does (Enter or leaving the field).
async function type(sel, value, commit = 'Enter') {
  const el = await visible(sel);
  if (sel.includes('data-path')) {
    // An answer field: select what is there and type over it (clearing first would commit an empty
    // answer on its own and re-render the page under the typing).
    await browser.execute((e) => {
      e.focus();
      e.select();
    }, el);
    await el.addValue(value);
  } else {
    await el.setValue(value);
  }
  await browser.keys(commit);
}
async function until(f, msg, timeout = 20000) {
  await browser.waitUntil(f, { timeout, timeoutMsg: msg });
}
const anchor = async () => (await $('[data-screen=interview]')).getAttribute('data-anchor');
async function next() {
  const before = await anchor();
  await click('#nav-next');
  await until(async () => (await anchor()) !== before, `no page after ${before}`);
}
async function valueIs(sel, v) {
  await until(async () => (await (await $(sel)).getValue()) === v, `${sel} != ${v}`);
}

test('enrol, interview in Arabic, sync, rejection with a comment, fix, send again', async () => {
  try {
    await scenario();
  } catch (e) {
    await shot('failure').catch(() => undefined);
    throw e;
  }
});

async function scenario() {
  // First run: enrolment in French.
  await visible('[data-screen=enrol]');
  // Cold start: WebDriver session request (launches the app) to the first usable screen.
  writeFileSync(join(OUT, 'cold-start.json'), JSON.stringify({ coldStartMs: Date.now() - startedAt }));
  await shot('fr-enrol');
  const { code } = await api('POST', '/api/v1/enrolment-codes', supervisor, { enumerator_id: enumeratorId });
  await type('#enrol-server', base, 'Tab');
  await type('#enrol-code', code, 'Tab');
  await click('#enrol-submit');
  await visible('[data-screen=create-pin]');
  await type('#pin-new', '482913', 'Tab');
  await type('#pin-repeat', '482913', 'Tab');
  await click('#pin-save');
  await visible('[data-screen=home]');

  // First sync brings the questionnaire and the assignment.
  await click('#sync');
  await visible('[data-status=to_start]');
  await shot('fr-home');

  // Arabic from here: mirrored layout.
  await click('[data-lang=ar]');
  await until(async () => (await browser.execute(() => document.documentElement.dir)) === 'rtl', 'not rtl');
  await shot('ar-home');
  await click('[data-status=to_start] [data-open]');
  await visible('[data-screen=interview]');

  await click('[data-path=a_region][data-code="05"]');
  await until(async () => (await (await $('[data-path=a_region][data-code="05"]')).getAttribute('aria-checked')) === 'true', 'region not saved');
  await next();
  await type('[data-path=hh_n]', '2');
  await valueIs('[data-path=hh_n]', '2');
  await next();

  // Person 1 (a field-list page): name, sex, age.
  await type('[data-path="hh_roster[1].m_name"]', NAME1, 'Tab');
  await until(async () => (await $('[data-item="hh_roster[1].m_sex"] label')).getText().then((t) => t.includes(NAME1)), 'piped name not shown');
  await click('[data-path="hh_roster[1].m_sex"][data-code="1"]');
  await type('[data-path="hh_roster[1].m_age"]', '٣٤');
  await valueIs('[data-path="hh_roster[1].m_age"]', '34');
  await shot('ar-interview');
  await next();

  // Person 2, with an age out of range first: a hard error blocks, then it is fixed.
  await type('[data-path="hh_roster[2].m_name"]', NAME2, 'Tab');
  await click('[data-path="hh_roster[2].m_sex"][data-code="2"]');
  await type('[data-path="hh_roster[2].m_age"]', '250');
  await visible('[data-item="hh_roster[2].m_age"] .issue.error');
  await shot('ar-error');
  await type('[data-path="hh_roster[2].m_age"]', '30');
  await until(async () => !(await (await $('[data-item="hh_roster[2].m_age"] .issue.error')).isExisting()), 'error stays');
  await next();

  await click('[data-path=d_country][data-code=ESP]');
  await next();
  // A high fee: a soft warning the enumerator confirms.
  await (await $('[data-part=currency]')).selectByAttribute('value', 'EUR');
  await type('[data-path=d_fee][data-part=amount]', '60000');
  await click('[data-confirm=d_fee]');
  await visible('[data-item=d_fee] .confirmed');

  await click('#nav-review');
  await visible('[data-screen=review]');
  await shot('ar-review');
  await until(async () => (await $('#review-complete')).isEnabled(), 'cannot complete');
  await click('#review-complete');
  await visible('[data-screen=home]');

  // Sync: the receipt.
  await click('#sync');
  await visible('#sync-report [data-receipt-for]');
  await visible('[data-status=sent] [data-receipt]');
  await shot('ar-sync-receipt');

  // The supervisor rejects it with a comment on person 1's age.
  const list = await api('GET', '/api/v1/interviews', supervisor);
  const interviews = Array.isArray(list) ? list : list.interviews;
  assert.equal(interviews.length, 1);
  const sent = interviews[0];
  await api('POST', `/api/v1/interviews/${sent.interview_id}/review`, supervisor, {
    revision: sent.revision,
    decision: 'reject',
    comments: { 'hh_roster[1].m_age': 'تحقق من العمر' },
    note: 'راجع عمر رب الأسرة',
  });

  await click('#sync');
  await visible('[data-status=rejected]');
  await shot('ar-home-rejected');
  await click('[data-status=rejected] [data-open]');
  await visible('[data-screen=interview]');
  await click('#nav-home');
  await visible('[data-screen=home]');
  await click('[data-status=rejected] [data-open]');
  await visible('[data-screen=interview]');
  // Reach the commented question through the review list.
  while (await (await $('#nav-next')).isExisting()) await next();
  await click('#nav-review');
  await visible('[data-review="hh_roster[1].m_age"].review-comment');
  await click('[data-review="hh_roster[1].m_age"].review-comment button');
  await visible('[data-comment="hh_roster[1].m_age"]');
  await shot('ar-comment');
  await type('[data-path="hh_roster[1].m_age"]', '35');
  await valueIs('[data-path="hh_roster[1].m_age"]', '35');
  while (await (await $('#nav-next')).isExisting()) await next();
  await click('#nav-review');
  await visible('[data-screen=review]');
  await click('#review-complete');
  await visible('[data-screen=home]');
  await click('#sync');
  await visible('#sync-report [data-receipt-for]');
  await visible('[data-status=sent]');

  const detail = await api('GET', `/api/v1/interviews/${sent.interview_id}`, supervisor);
  assert.ok(detail.summary.revision > sent.revision, `revision ${detail.summary.revision} after ${sent.revision}`);

  // French again for the last screenshot.
  await click('[data-lang=fr]');
  await until(async () => (await browser.execute(() => document.documentElement.dir)) === 'ltr', 'not ltr');
  await shot('fr-home-after');
}
