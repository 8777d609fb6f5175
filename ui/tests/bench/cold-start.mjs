// Cold start of the app to its first usable screen, measured the way the e2e test does (WebKitGTK under
// Xvfb, tauri-driver + WebKitWebDriver), repeated: each launch starts a new app process on a new data
// folder, so every launch is a first run that ends on the enrolment screen.
//
// Two figures per launch:
// - `launchMs`: from the WebDriver session request (which starts the app process) to the enrolment screen
//   being displayed; it includes WebKitWebDriver's own start, the same in every build;
// - `pageMs`: from the WebView's navigation start (performance.timeOrigin) to the same moment, the part
//   that is the app's page: script parse, the first IPC round trip and the first render.
//
// Run by `cargo xtask app --cold-start-bench [--runs N]`, which builds the release app and sets the
// environment; prints one JSON object on its last line.

import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { remote } from "webdriverio";
import { freePort, stop, waitPort } from "../support/process.mjs";

const APP = process.env.DAFTAR_APP_BIN;
const OUT = process.env.DAFTAR_TEST_OUT ?? "/tmp/daftar-cold-start";
const RUNS = Number(process.env.DAFTAR_COLD_RUNS ?? "7");

if (!APP) throw new Error("DAFTAR_APP_BIN is not set");
if (!Number.isInteger(RUNS) || RUNS < 1)
  throw new Error(`DAFTAR_COLD_RUNS must be a positive integer, not ${process.env.DAFTAR_COLD_RUNS}`);

async function launch(run) {
  const data = join(OUT, "cold-start-data", String(run));
  rmSync(data, { recursive: true, force: true });
  mkdirSync(data, { recursive: true });
  const driverPort = await freePort();
  const nativePort = await freePort();
  const driver = spawn("tauri-driver", ["--port", String(driverPort), "--native-port", String(nativePort)], {
    env: { ...process.env, DAFTAR_DATA_DIR: data },
    stdio: "ignore",
    detached: true,
  });
  let browser;
  try {
    await waitPort(driverPort, { everyMs: 50 });
    const started = performance.now();
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
    // Polled in the page so the moment is the page's own, not a WebDriver round trip later.
    const pageMs = await browser.executeAsync((done) => {
      const poll = () => {
        const screen = document.querySelector("[data-screen=enrol]");
        if (screen && screen.getBoundingClientRect().height > 0) done(performance.now());
        else requestAnimationFrame(poll);
      };
      poll();
    });
    const launchMs = performance.now() - started;
    return { launchMs: Math.round(launchMs), pageMs: Math.round(pageMs) };
  } finally {
    if (browser) await browser.deleteSession().catch(() => undefined);
    await stop(driver);
    rmSync(data, { recursive: true, force: true });
  }
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const summary = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0], median: quantile(sorted, 0.5), max: sorted[sorted.length - 1] };
};

const runs = [];
for (let run = 0; run < RUNS; run += 1) {
  runs.push(await launch(run));
  console.error(`launch ${run + 1}/${RUNS}: ${JSON.stringify(runs[run])}`);
}
console.log(
  JSON.stringify({
    app: APP,
    runs,
    launchMs: summary(runs.map((r) => r.launchMs)),
    pageMs: summary(runs.map((r) => r.pageMs)),
  }),
);
