// Browser tests of the web console, in Chromium through playwright-core, against a real server seeded
// through its API (sync-server/tests/console_seed.rs). Run by `cargo xtask console`, which starts the
// server and passes SEED (the seed's JSON) and OUT (the folder for screenshots and downloads).
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const seed = JSON.parse(fs.readFileSync(process.env.SEED, "utf8"));
const out = process.env.OUT;
fs.mkdirSync(out, { recursive: true });
const url = seed.url;
const ids = seed.interviews.map((i) => i.id).sort();

function unzip(file, member) {
  return execFileSync(
    "python3",
    [
      "-c",
      "import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())",
      file,
      member,
    ],
    { encoding: "utf8" },
  );
}
function members(file) {
  return execFileSync(
    "python3",
    ["-c", "import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))", file],
    { encoding: "utf8" },
  )
    .trim()
    .split("\n");
}
function parseCsv(text) {
  // The export quotes only cells with commas or quotes; this data has none.
  const [header, ...rows] = text
    .trim()
    .split("\n")
    .map((l) => l.split(","));
  return { header, rows };
}

const steps = [];
async function step(name, body) {
  const started = Date.now();
  await body();
  steps.push(`${name} (${Date.now() - started} ms)`);
  console.log(`ok - ${name}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
const shot = (name) => page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });

async function login(user, survey = "pilot", password = seed.password, on = page) {
  await on.goto(url + "/");
  await on.fill("#username", user);
  await on.fill("#password", password);
  await on.click("#login");
  await on.waitForSelector("#nav:not([hidden])");
  if ((await on.inputValue("#survey")) !== survey) {
    await on.selectOption("#survey", survey);
  }
  await on.waitForLoadState("networkidle");
}
async function logout() {
  await page.click("#logout");
  await page.waitForSelector("#login-form");
}
/** Follows a navigation link and waits for its page: `hashchange` comes after the click, so the page
 * shown when `click` returns may still be the previous one. */
async function open(name, on = page) {
  await on.click(`#nav-${name}`);
  await on.waitForSelector(`#main > .view[data-page="${name}"]`);
}
async function unlock() {
  await page.fill("#passphrase", seed.passphrase);
  await page.click("#unlock");
  await page.waitForSelector("#unlock-form", { state: "detached" });
}

try {
  await step("a fresh server shows the login page; a wrong password is refused", async () => {
    await page.goto(url + "/");
    await page.waitForSelector("#login-form");
    await page.fill("#username", "sup");
    await page.fill("#password", "wrong password!");
    await page.click("#login");
    await page.waitForFunction(() => document.querySelector("#login-error").textContent.length > 0);
    await shot("01-login");
  });

  await step("the quota numbers match the seeded data", async () => {
    await login("sup");
    await page.waitForSelector("#quota-table tbody tr");
    for (const q of seed.quotas) {
      const row = page.locator(`#quota-table tr[data-cell="a_region=${q.a_region}, m_sex=${q.m_sex}"]`);
      assert.equal(await row.locator(".target").textContent(), String(q.target), JSON.stringify(q));
      assert.equal(await row.locator(".fill").textContent(), String(q.fill), JSON.stringify(q));
      assert.equal(await row.locator(".progress").textContent(), String(q.in_progress), JSON.stringify(q));
    }
    assert.ok(
      seed.quotas.some((q) => q.in_progress > 0),
      "the seed reports drafts",
    );
    assert.match(
      await page.locator("#quota-legend").textContent(),
      /rejetés qui n'ont pas encore été renvoyés/,
    );
    assert.equal(await page.locator("#quota-table tbody tr").count(), seed.quotas.length);
    await unlock();
    await page.waitForSelector("#day-chart");
    const cells = await page.locator("#enumerator-table tbody tr td").allTextContents();
    // Seeded lengths 25, 8, 31, 22, 40, 18 minutes: median (22 + 25) / 2 = 23.5; one under 10 minutes.
    assert.equal(cells[4], "23.5", cells.join("|"));
    assert.equal(cells[7], "1", cells.join("|"));
    assert.equal(await page.locator('#region-map g[data-region="06"] .count').textContent(), "3");
    assert.equal(await page.locator('#region-counts tr[data-region="06"] td.num').textContent(), "3");
    // This survey's questionnaire has no geopoint: no point.
    assert.equal(await page.locator("#region-map circle.point").count(), 0);
    await shot("02-dashboard");
  });

  await step("assignments show the quantity used, over-quantity highlighted", async () => {
    await open("work");
    await page.waitForSelector("#assignment-table tr[data-assignment]");
    for (const a of seed.assignments) {
      const row = page.locator(`#assignment-table tr[data-assignment="${a.id}"]`);
      assert.equal(await row.locator(".used").textContent(), `${a.used} / ${a.quantity}`, JSON.stringify(a));
      assert.equal(await row.locator("progress").getAttribute("value"), String(Math.min(a.used, a.quantity)));
      const isOver = a.used > a.quantity;
      assert.equal(
        await row.evaluate((tr) => tr.classList.contains("over-quantity")),
        isOver,
        JSON.stringify(a),
      );
      assert.equal(await row.locator(".over-note").count(), isOver ? 1 : 0);
    }
    assert.ok(
      seed.assignments.some((a) => a.used > a.quantity),
      "the seed has an assignment over its quantity",
    );
    await shot("03-assignments");
  });

  await step("reject one interview with a comment, approve another", async () => {
    await open("review");
    await page.waitForSelector("#review-list tr[data-interview]");
    assert.equal(await page.locator("#review-list tr[data-interview]").count(), seed.interviews.length);
    const [first, second] = seed.interviews;
    await page.click(`#review-list tr[data-interview="${first.id}"] a`);
    await page.waitForSelector("#answers .answer");
    const age = page.locator('#answers .answer[data-path="age"] .value');
    assert.equal(await age.textContent(), String(first.age));
    await page.selectOption("#language", "ar");
    assert.equal(await page.getAttribute("#answers", "dir"), "rtl");
    assert.equal(
      await page.locator('#answers .answer[data-path="age"] .label bdi').first().textContent(),
      "العمر",
    );
    await shot("03-interview-ar");
    await page.fill('#answers .comment[data-path="age"]', "Vérifier l'âge avec la carte d'identité");
    await page.fill("#review-note", "Âge à confirmer");
    await page.click("#reject");
    await page.waitForFunction(() =>
      document.querySelector("#review-result").textContent.startsWith("Rejeté"),
    );
    // A change of the hash only: the first interview's page (with its own #approve) stays until
    // `hashchange` renders the second one.
    await page.goto(`${url}/#review/${second.id}`);
    await page.waitForFunction(
      (id) => document.querySelector("#main > .view h1")?.textContent === `Entretien ${id}`,
      second.id,
    );
    await page.click("#approve");
    await page.waitForFunction(() =>
      document.querySelector("#review-result").textContent.startsWith("Approuvé"),
    );
    const list = await page.evaluate(async () => (await fetch("/console/api/v1/interviews")).json());
    const status = Object.fromEntries(list.map((i) => [i.interview_id, i.status]));
    assert.equal(status[first.id], "rejected");
    assert.equal(status[second.id], "approved");
    await shot("04-reviewed");
    // The rejected interview is back in progress, and no longer fills its cell.
    await open("dashboard");
    await page.waitForSelector("#quota-table tbody tr");
    const q = seed.quotas.find((c) => c.a_region === first.a_region && c.m_sex === first.m_sex);
    const row = page.locator(`#quota-table tr[data-cell="a_region=${q.a_region}, m_sex=${q.m_sex}"]`);
    assert.equal(await row.locator(".progress").textContent(), String(q.in_progress + 1), JSON.stringify(q));
    assert.equal(await row.locator(".fill").textContent(), String(q.fill - 1), JSON.stringify(q));
    await logout();
  });

  let zipPath = path.join(out, "export.zip");
  let mainCsv = "";
  await step("the export files parse and contain exactly the seeded interviews", async () => {
    await login("dm");
    await open("data");
    await unlock();
    await page.waitForSelector("#export");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
    await download.saveAs(zipPath);
    const names = members(zipPath);
    for (const n of [
      "data/main.csv",
      "labels.do",
      "labels.sps",
      "codebook.html",
      "paradata.csv",
      "sdg_10_7_1.csv",
      "README.txt",
    ])
      assert.ok(names.includes(n), n);
    mainCsv = unzip(zipPath, "data/main.csv");
    const { header, rows } = parseCsv(mainCsv);
    assert.deepEqual(header, ["interview_id", "a_region", "m_sex", "age", "works"]);
    assert.deepEqual(rows.map((r) => r[0]).sort(), ids);
    for (const i of seed.interviews) {
      const row = rows.find((r) => r[0] === i.id);
      assert.deepEqual(row.slice(1), [i.a_region, i.m_sex, String(i.age), "yes"]);
    }
    assert.match(unzip(zipPath, "labels.do"), /label variable age "Âge"/);
    assert.match(unzip(zipPath, "labels.sps"), /VALUE LABELS/);
    assert.match(unzip(zipPath, "codebook.html"), /<code>age<\/code>/);
    assert.equal(parseCsv(unzip(zipPath, "paradata.csv")).rows.length, 4 * seed.interviews.length);
    await shot("05-data");
  });

  const { header, rows } = parseCsv(mainCsv);
  const write = (name, table) => {
    const file = path.join(out, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, [header, ...table].map((r) => r.join(",")).join("\n") + "\n");
    return file;
  };
  const col = (name) => header.indexOf(name);

  await step("a batch with deliberate errors gets a precise report and changes nothing", async () => {
    const bad = rows.map((r) => [...r]);
    bad[0][col("m_sex")] = "9";
    bad[1][col("age")] = "abc";
    const file = write("bad/main.csv", bad);
    await page.setInputFiles("#batch-file", file);
    await page.fill("#batch-reason", "correction test");
    await page.click("#batch-upload");
    await page.waitForSelector("#problem-table");
    const problems = await page
      .locator("#problem-table tr")
      .evaluateAll((trs) => trs.slice(1).map((tr) => Array.from(tr.children).map((td) => td.textContent)));
    assert.deepEqual(
      problems.map((p) => p.slice(0, 4)),
      [
        ["main.csv", "2", "m_sex", "9"],
        ["main.csv", "3", "age", "abc"],
      ].sort((a, b) => Number(a[1]) - Number(b[1])),
    );
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#report-csv")]);
    const reportPath = path.join(out, "batch-report.csv");
    await download.saveAs(reportPath);
    const report = fs.readFileSync(reportPath, "utf8");
    assert.ok(report.startsWith("file,row,column,value,problem\nmain.csv,2,m_sex,9,"), report);
    assert.equal(await page.locator("#version-table tr").count(), 1, "no version was made");
    await shot("06-batch-refused");
  });

  await step("a valid batch becomes a version with the right diff", async () => {
    const good = rows.map((r) => [...r]);
    good[0][col("age")] = String(Number(good[0][col("age")]) + 1);
    const file = write("good/main.csv", good);
    await page.setInputFiles("#batch-file", file);
    await page.fill("#batch-reason", "âge corrigé d'après la pièce d'identité");
    await page.click("#batch-upload");
    await page.waitForSelector("#diff-table");
    const diff = await page
      .locator("#diff-table tr[data-variable]")
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.children).map((td) => td.textContent)));
    assert.deepEqual(diff, [["main", "age", "1", "0", "0"]]);
    await page.reload();
    await page.waitForSelector("#version-table");
    const versions = await page
      .locator("#version-table tr")
      .evaluateAll((trs) => trs.slice(1).map((tr) => Array.from(tr.children).map((td) => td.textContent)));
    assert.equal(versions.length, 1);
    assert.deepEqual(
      [versions[0][0], versions[0][1], versions[0][3], versions[0][4]],
      ["1", "dm", "âge corrigé d'après la pièce d'identité", "1"],
    );
    // Version 1 exports the corrected age; raw data is unchanged.
    await page.selectOption("#data-version", "1");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
    const v1 = path.join(out, "export-v1.zip");
    await download.saveAs(v1);
    const cleaned = parseCsv(unzip(v1, "data/main.csv"));
    assert.equal(cleaned.rows.find((r) => r[0] === good[0][0])[col("age")], good[0][col("age")]);
    await page.selectOption("#data-version", "raw");
    const [rawDownload] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
    const raw = path.join(out, "export-raw-again.zip");
    await rawDownload.saveAs(raw);
    assert.equal(unzip(raw, "data/main.csv"), mainCsv);
    await shot("07-version");
  });

  await step(
    "the SDG 10.7.1 tables of the pilot's scripted interviews match the seed's computation",
    async () => {
      const m = seed.morocco;
      await page.selectOption("#survey", "morocco-pilot");
      await page.waitForLoadState("networkidle");
      await open("data");
      await page.waitForSelector("#unlock-form, #sdg-table");
      if (await page.locator("#unlock-form").count()) await unlock();
      await page.waitForSelector('#sdg-table tr[data-row="core/total/"]');
      const cells = await page.locator('#sdg-table tr[data-row="core/total/"] td').allTextContents();
      assert.deepEqual(cells.slice(3, 7), [String(m.core_n), m.core_mean, m.core_median, m.core_p80]);
      assert.ok((await page.locator('#sdg-table tr[data-row^="extended/sex/"]').count()) >= 1);
      await shot("08-sdg");
      await page.selectOption("#survey", "pilot");
      await page.waitForLoadState("networkidle");
    },
  );

  await step(
    "after unlocking, the map shows one point per located interview, inside its region",
    async () => {
      const located = seed.morocco.located;
      await page.selectOption("#survey", "morocco-pilot");
      await page.waitForLoadState("networkidle");
      await open("dashboard");
      await page.waitForSelector("#region-map circle.point");
      const points = await page
        .locator("#region-map circle.point")
        .evaluateAll((cs) => cs.map((c) => c.dataset.interview));
      assert.deepEqual(
        points.sort(),
        located.map((l) => l.id).sort(),
        "one point per seeded interview with a location",
      );
      assert.ok(located.length < seed.morocco.interviews, "one seeded interview has no location");
      // The projection: each point (Rabat 34.02 N -6.84 E, Marrakech 31.63 N -8.01 E, and a town of every
      // other region) lies inside its own region's outline and no other.
      const inside = await page.evaluate(() =>
        Array.from(document.querySelectorAll("#region-map circle.point")).map((c) => {
          const p = new DOMPoint(Number(c.getAttribute("cx")), Number(c.getAttribute("cy")));
          const hits = Array.from(document.querySelectorAll("#region-map g[data-region] path")).filter(
            (path) => path.isPointInFill(p),
          );
          return [c.dataset.interview, hits.map((path) => path.parentElement.dataset.region)];
        }),
      );
      for (const [id, regions] of inside) {
        const expected = located.find((l) => l.id === id).a_region;
        assert.deepEqual(regions, [expected], `interview ${id} of region ${expected}`);
      }
      for (const region of ["04", "07"])
        assert.ok(
          located.some((l) => l.a_region === region),
          `a point in region ${region}`,
        );
      // Hover shows the id and the status, nothing else.
      const title = await page
        .locator(`#region-map circle.point[data-interview="${located[0].id}"] title`)
        .textContent();
      assert.equal(title, `${located[0].id} — soumis`);
      await shot("10-map");
      await page.selectOption("#survey", "pilot");
      await page.waitForLoadState("networkidle");
    },
  );

  await step("the decrypted view is unavailable after logout", async () => {
    const view = `/console/interviews/${seed.interviews[0].id}/view`;
    assert.equal(await page.evaluate(async (v) => (await fetch(v)).status, view), 200);
    await logout();
    assert.equal(await page.evaluate(async (v) => (await fetch(v)).status, view), 401);
    await login("dm");
    assert.equal(await page.evaluate(async (v) => (await fetch(v)).status, view), 423);
    await shot("09-after-logout");
  });
  await step(
    "an administrator creates an account that logs in; deactivated, its session ends and login is refused",
    async () => {
      await logout();
      await login("admin", "pilot", seed.admin_password);
      await open("users");
      await page.waitForSelector("#new-user-form");
      await page.fill("#new-user-name", "sup_new");
      await page.selectOption("#new-user-role", "supervisor");
      await page.fill("#new-user-team", "a");
      await page.fill("#new-user-password", "a long initial password");
      await page.click("#create-user");
      await page.waitForSelector('#user-table tr[data-user="sup_new"]');
      assert.equal(await page.locator('#user-table tr[data-user="sup_new"] .active').textContent(), "oui");
      // The new supervisor logs in in another browser and sees the team's accounts read-only.
      const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const second = await other.newPage();
      await login("sup_new", "pilot", "a long initial password", second);
      await open("users", second);
      await second.waitForSelector('#user-table tr[data-user="sup_new"]');
      assert.equal(
        await second.locator("#new-user-form, #user-table button").count(),
        0,
        "supervisors only read accounts",
      );
      assert.deepEqual(
        (
          await second.locator("#user-table tbody tr").evaluateAll((trs) => trs.map((tr) => tr.dataset.user))
        ).sort(),
        ["enum", "sup", "sup_new"],
      );
      await shot("11-users");
      // Deactivated: the open session ends at once and a new login gets a clear message.
      page.once("dialog", (d) => d.accept());
      await page.click('#user-table tr[data-user="sup_new"] button.deactivate');
      await page.waitForFunction(
        () => document.querySelector('#user-table tr[data-user="sup_new"] .active')?.textContent === "non",
      );
      assert.equal(await second.evaluate(async () => (await fetch("/console/session")).status), 401);
      await second.goto(url + "/");
      await second.fill("#username", "sup_new");
      await second.fill("#password", "a long initial password");
      await second.click("#login");
      await second.waitForFunction(() => document.querySelector("#login-error").textContent.length > 0);
      assert.match(await second.locator("#login-error").textContent(), /désactivé/);
      await second.screenshot({ path: path.join(out, "12-deactivated-login.png") });
      await other.close();
    },
  );
  console.log(`all ${steps.length} browser steps passed`);
} catch (error) {
  await shot("failure").catch(() => {});
  console.error(error);
  process.exitCode = 1;
} finally {
  await browser.close();
}
