// End to end in the real app (debug build, WebKitGTK under Xvfb, tauri-driver + WebKitWebDriver) against a
// real sync-server on loopback: enrol, choose a PIN, sync, open the assignment, the return-migrant interview
// of the Morocco pilot questionnaire in Arabic through the widgets (the answers of the scripted interview
// `01-return-spain-agency`, with an out-of-range age fixed on the way), review, complete, sync and see the
// receipt; the supervisor rejects it with a comment on a question; the comment shows on the tablet; fix,
// send again.
//
// Run by `cargo xtask app` (step e2e), which builds the binaries and sets the environment.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { remote } from "webdriverio";
import { freePort, stop, waitPort } from "../support/process.mjs";

const APP = process.env.DAFTAR_APP_BIN;
const PILOT_BUNDLE = process.env.DAFTAR_PILOT_BUNDLE;
const PILOT_SCRIPT = process.env.DAFTAR_PILOT_SCRIPT;
const SERVER = process.env.DAFTAR_SERVER_BIN;
const OUT = process.env.DAFTAR_TEST_OUT ?? "/tmp/daftar-e2e";
const DATA = process.env.DAFTAR_E2E_DATA ?? join(OUT, "e2e-data");
const [NAME1, NAME2] = (process.env.DAFTAR_CANARIES ?? "Canari-Youssef-7731,Fatima-Canari-4417").split(",");
const SHOTS = join(OUT, "screenshots");
const ADMIN_PASSWORD = "e2e admin passphrase";
const children = [];
let browser;
let base;

// Each child runs in its own process group and writes its output straight to a file: a process it starts
// (tauri-driver starts WebKitWebDriver, which starts the app) is stopped with it even when it outlives its
// parent, and holds no pipe that would keep this test process alive.
function start(cmd, args, env, logName) {
  const log = openSync(join(OUT, logName), "w");
  const child = spawn(cmd, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", log, log],
    detached: true,
  });
  closeSync(log);
  children.push(child);
  return child;
}

async function api(method, path, token, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      "Daftar-Protocol": "1",
      "Content-Type": "application/json",
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const login = async (username, password) =>
  (await api("POST", "/api/v1/auth/login", null, { username, password })).token;

let supervisor;
let enumeratorId;
let startedAt;

before(async () => {
  assert.ok(
    APP && SERVER && PILOT_BUNDLE && PILOT_SCRIPT,
    "DAFTAR_APP_BIN, DAFTAR_SERVER_BIN, DAFTAR_PILOT_BUNDLE and DAFTAR_PILOT_SCRIPT are set",
  );
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const serverDir = join(DATA, "server");
  mkdirSync(serverDir, { recursive: true });
  execFileSync(SERVER, ["admin", "--data-dir", serverDir, "create-admin", "--username", "admin"], {
    env: { ...process.env, DAFTAR_ADMIN_PASSWORD: ADMIN_PASSWORD },
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  start(
    SERVER,
    ["serve", "--data-dir", serverDir, "--bind", `127.0.0.1:${port}`],
    { DAFTAR_SHUTDOWN_GRACE_SECONDS: "1" },
    "server.log",
  );
  await waitPort(port);

  const admin = await login("admin", ADMIN_PASSWORD);
  await api("POST", "/api/v1/users", admin, {
    username: "sup",
    password: "password of ten",
    role: "supervisor",
    team: "a",
  });
  await api("POST", "/api/v1/users", admin, {
    username: "amina",
    password: "password of ten",
    role: "enumerator",
    team: "a",
  });
  supervisor = await login("sup", "password of ten");
  enumeratorId = (await api("GET", "/api/v1/users", supervisor)).find((u) => u.username === "amina").id;
  await api("POST", "/api/v1/surveys", admin, { id: "morocco-pilot", title: "Morocco pilot" });
  const { publicKey } = generateKeyPairSync("x25519");
  const x = Buffer.from(publicKey.export({ format: "jwk" }).x, "base64url").toString("base64");
  await api("PUT", "/api/v1/surveys/morocco-pilot/key", admin, { public_key: x });
  // The pilot questionnaire with its lists (countries, currencies, regions, ISCO...), as `daftar spec bundle` makes it.
  const bundle = readFileSync(PILOT_BUNDLE);
  await api("POST", "/api/v1/surveys/morocco-pilot/versions", admin, {
    format: "bundle",
    content: bundle.toString("base64"),
  });
  await api("POST", "/api/v1/assignments", supervisor, {
    survey_id: "morocco-pilot",
    enumerator_id: enumeratorId,
    quantity: 1,
    preload: {},
  });

  const driverPort = await freePort();
  const nativePort = await freePort();
  start(
    "tauri-driver",
    ["--port", String(driverPort), "--native-port", String(nativePort)],
    { DAFTAR_DATA_DIR: join(DATA, "app") },
    "app.log",
  );
  await waitPort(driverPort);
  startedAt = Date.now();
  browser = await remote({
    hostname: "127.0.0.1",
    port: driverPort,
    logLevel: "warn",
    capabilities: {
      browserName: "wry",
      "tauri:options": { application: APP },
      "wdio:enforceWebDriverClassic": true,
    },
  });
});

const within = (p, ms) => Promise.race([p, new Promise((r) => setTimeout(r, ms))]);

after(async () => {
  if (browser)
    await within(
      browser.deleteSession().catch(() => undefined),
      10000,
    );
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
async function type(sel, value, commit = "Enter") {
  const el = await visible(sel);
  if (sel.includes("data-path")) {
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
const anchor = async () => (await $("[data-screen=interview]")).getAttribute("data-anchor");
async function next() {
  const before = await anchor();
  await click("#nav-next");
  await until(async () => (await anchor()) !== before, `no page after ${before}`);
}
async function valueIs(sel, v) {
  await until(async () => (await (await $(sel)).getValue()) === v, `${sel} != ${v}`);
}

/// Brings the question at `path` on screen as an enumerator would: forward page by page; past the last
/// page, through the review screen's "go to" on the question (the script answers the first member's later
/// modules after the second member's identification, which comes after them in the questionnaire); failing
/// that, back page by page.
async function reach(path) {
  const sel = `[data-path="${path}"]`;
  const here = async () => (await $(sel)).isExisting();
  for (let pages = 0; !(await here()); pages++) {
    if (pages > 80) throw new Error(`question ${path} not reached (page ${await anchor()})`);
    if (await (await $("#nav-next")).isExisting()) {
      await next();
      continue;
    }
    await click("#nav-review");
    await visible("[data-screen=review]");
    const line = await $(`[data-review="${path}"] button`);
    if (await line.isExisting()) {
      await line.click();
      await visible("[data-screen=interview]");
      continue;
    }
    await click("#review-back");
    await visible("[data-screen=interview]");
    while (!(await here())) {
      const previous = await $("#nav-previous");
      if (!(await previous.isEnabled())) throw new Error(`question ${path} is on no page`);
      const before = await anchor();
      await previous.click();
      await until(async () => (await anchor()) !== before, `no page before ${before}`);
    }
  }
}

/// Answers the question at `path` with the `daftar play` value through its widget, and waits until the
/// screen shows it saved.
async function answer(path, value) {
  const sel = `[data-path="${path}"]`;
  const el = await visible(sel);
  const option = (code) => `${sel}[data-code="${code}"]`;
  const chosen = async (code) =>
    (await (await $(option(code))).getAttribute("aria-checked")) === "true" ||
    (await (await $(option(code))).getAttribute("aria-selected")) === "true";
  if ((await el.getTagName()) === "button" && !(await el.getAttribute("data-code"))) {
    // An acknowledgement (`OK`).
    await el.click();
    await until(
      async () => (await (await $(sel)).getAttribute("class")).includes("selected"),
      `${path} not acknowledged`,
    );
  } else if (Array.isArray(value)) {
    for (const code of value) {
      if (!(await chosen(code))) await click(option(code));
      await until(() => chosen(code), `${path}: ${code} not ticked`);
    }
  } else if (value !== null && typeof value === "object") {
    await (
      await $(`${sel}[data-part=currency], [data-item="${path}"] [data-part=currency]`)
    ).selectByAttribute("value", value.currency);
    await type(`${sel}[data-part=amount]`, String(value.amount));
  } else if (
    (await (await $(option(value))).isExisting()) ||
    (await el.getAttribute("data-search")) === "true"
  ) {
    if ((await el.getAttribute("data-search")) === "true") {
      // A long list (countries, currencies, occupations): search by code, pick, and the list shows the
      // choice above its search field.
      await el.setValue(String(value));
      await click(option(value));
      await visible(`[data-item="${path}"] .current-choice`);
    } else {
      await click(option(value));
      await until(() => chosen(value), `${path}: ${value} not chosen`);
    }
  } else if ((await el.getAttribute("type")) === "date" || (await el.getAttribute("type")) === "time") {
    await browser.execute(
      (e, v) => {
        e.value = v;
        e.dispatchEvent(new Event("change", { bubbles: true }));
      },
      el,
      String(value),
    );
    await valueIs(sel, String(value));
  } else if (typeof value === "number") {
    await type(sel, String(value));
    await valueIs(sel, String(value));
  } else {
    await type(sel, String(value), "Tab");
    await valueIs(sel, String(value));
  }
}

test("enrol, interview in Arabic, sync, rejection with a comment, fix, send again", async () => {
  try {
    await scenario();
  } catch (e) {
    await shot("failure").catch(() => undefined);
    throw e;
  }
});

async function scenario() {
  // First run: enrolment in French.
  await visible("[data-screen=enrol]");
  // Cold start: WebDriver session request (launches the app) to the first usable screen.
  writeFileSync(join(OUT, "cold-start.json"), JSON.stringify({ coldStartMs: Date.now() - startedAt }));
  await shot("fr-enrol");
  const { code } = await api("POST", "/api/v1/enrolment-codes", supervisor, { enumerator_id: enumeratorId });
  await type("#enrol-server", base, "Tab");
  await type("#enrol-code", code, "Tab");
  await click("#enrol-submit");
  await visible("[data-screen=create-pin]");
  await type("#pin-new", "482913", "Tab");
  await type("#pin-repeat", "482913", "Tab");
  await click("#pin-save");
  await visible("[data-screen=home]");

  // First sync brings the questionnaire and the assignment.
  await click("#sync");
  await visible("[data-status=to_start]");
  await shot("fr-home");

  // Arabic from here: mirrored layout.
  await click("[data-lang=ar]");
  await until(async () => (await browser.execute(() => document.documentElement.dir)) === "rtl", "not rtl");
  await shot("ar-home");
  await click("[data-status=to_start] [data-open]");
  await visible("[data-screen=interview]");

  // The scripted return-migrant interview, answered through the widgets; the two household members' names
  // are the canaries the storage check looks for afterwards.
  const steps = JSON.parse(readFileSync(PILOT_SCRIPT, "utf8")).map((step) =>
    step.set === "hh_roster[1].m_name"
      ? { ...step, value: NAME1 }
      : step.set === "hh_roster[2].m_name"
        ? { ...step, value: NAME2 }
        : step,
  );
  let shown = false;
  for (const { set: path, value } of steps) {
    await reach(path);
    if (path === "hh_roster[2].m_age") {
      // An age out of range first: a hard error on the question, then the right value.
      await type(`[data-path="${path}"]`, "250");
      await visible(`[data-item="${path}"] .issue.error`);
      await shot("ar-error");
    }
    await answer(path, value).catch((e) => {
      throw new Error(`answering ${path} = ${JSON.stringify(value)}: ${e.message}`);
    });
    if (path === "hh_roster[1].m_sex" && !shown) {
      // The name answered just before is piped, isolated, into this question's label.
      await until(
        async () => (await $(`[data-item="${path}"] label`)).getText().then((t) => t.includes(NAME1)),
        "piped name not shown",
      );
      await shot("ar-interview");
      shown = true;
    }
  }
  assert.ok(shown, "the script reached the first member");

  await click("#nav-review");
  await visible("[data-screen=review]");
  await shot("ar-review");
  await until(async () => (await $("#review-complete")).isEnabled(), "cannot complete");
  await click("#review-complete");
  await visible("[data-screen=home]");

  // Sync: the receipt.
  await click("#sync");
  await visible("#sync-report [data-receipt-for]");
  await visible("[data-status=sent] [data-receipt]");
  await shot("ar-sync-receipt");

  // The supervisor rejects it with a comment on person 1's age.
  const list = await api("GET", "/api/v1/interviews", supervisor);
  const interviews = Array.isArray(list) ? list : list.interviews;
  assert.equal(interviews.length, 1);
  const sent = interviews[0];
  await api("POST", `/api/v1/interviews/${sent.interview_id}/review`, supervisor, {
    revision: sent.revision,
    decision: "reject",
    comments: { "hh_roster[1].m_age": "تحقق من العمر" },
    note: "راجع عمر رب الأسرة",
  });

  await click("#sync");
  await visible("[data-status=rejected]");
  await shot("ar-home-rejected");
  await click("[data-status=rejected] [data-open]");
  await visible("[data-screen=interview]");
  await click("#nav-home");
  await visible("[data-screen=home]");
  await click("[data-status=rejected] [data-open]");
  await visible("[data-screen=interview]");
  // Reach the commented question through the review list.
  while (await (await $("#nav-next")).isExisting()) await next();
  await click("#nav-review");
  await visible('[data-review="hh_roster[1].m_age"].review-comment');
  await click('[data-review="hh_roster[1].m_age"].review-comment button');
  await visible('[data-comment="hh_roster[1].m_age"]');
  await shot("ar-comment");
  await type('[data-path="hh_roster[1].m_age"]', "35");
  await valueIs('[data-path="hh_roster[1].m_age"]', "35");
  while (await (await $("#nav-next")).isExisting()) await next();
  await click("#nav-review");
  await visible("[data-screen=review]");
  await click("#review-complete");
  await visible("[data-screen=home]");
  await click("#sync");
  await visible("#sync-report [data-receipt-for]");
  await visible("[data-status=sent]");

  const detail = await api("GET", `/api/v1/interviews/${sent.interview_id}`, supervisor);
  assert.ok(
    detail.summary.revision > sent.revision,
    `revision ${detail.summary.revision} after ${sent.revision}`,
  );

  // French again for the last screenshot.
  await click("[data-lang=fr]");
  await until(async () => (await browser.execute(() => document.documentElement.dir)) === "ltr", "not ltr");
  await shot("fr-home-after");
}
