// The built UI (ui/dist) in headless Chromium at tablet sizes, in French (LTR) and Arabic (RTL), with the
// Tauri IPC replaced by fixtures: no element leaves the viewport or overflows its box, no two controls
// overlap, every touch target is at least 44 × 44 px. Screenshots go to $DAFTAR_TEST_OUT/layout.
//
// Run: npx vite-node tests/layout/run.ts   (after `vite build`; chromium from apt)

import { chromium, type Page } from "playwright-core";
import { readFileSync, mkdirSync, existsSync } from "node:fs";
import { join, extname } from "node:path";
import { home, review, screen, status } from "../fixtures/screens";

const DIST = join(__dirname, "../../dist");
const OUT = join(process.env.DAFTAR_TEST_OUT ?? "/tmp/daftar-layout", "layout");
const SIZES = [
  { width: 800, height: 1280 },
  { width: 1280, height: 800 },
];
const LOCALES = ["fr", "ar"] as const;
const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".png": "image/png",
};

type Problem = string;

async function check(page: Page, where: string): Promise<Problem[]> {
  return page.evaluate((where) => {
    const problems: string[] = [];
    const vw = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > vw + 1)
      problems.push(`${where}: page scrolls sideways (${document.documentElement.scrollWidth} > ${vw})`);
    const describe = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.getAttribute("data-path") ? `[${el.getAttribute("data-path")}]` : ""}${el.getAttribute("data-code") ? `[${el.getAttribute("data-code")}]` : ""} "${(el.textContent ?? "").trim().slice(0, 30)}"`;
    const shown = (el: Element) => {
      const r = el.getBoundingClientRect();
      const s = getComputedStyle(el);
      return (
        r.width > 0 &&
        r.height > 0 &&
        s.visibility !== "hidden" &&
        s.display !== "none" &&
        !el.closest("details:not([open]) > :not(summary)")
      );
    };
    for (const el of document.querySelectorAll("#app *")) {
      if (!shown(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.left < -1 || r.right > vw + 1)
        problems.push(
          `${where}: ${describe(el)} leaves the viewport (${Math.round(r.left)}..${Math.round(r.right)} of ${vw})`,
        );
      const s = getComputedStyle(el);
      const clips = ["hidden", "auto", "scroll", "clip"].includes(s.overflowX);
      if (
        !clips &&
        el.scrollWidth > el.clientWidth + 2 &&
        el.clientWidth > 0 &&
        !(el instanceof HTMLInputElement) &&
        !(el instanceof HTMLSelectElement) &&
        !(el instanceof HTMLTextAreaElement) &&
        !(el instanceof HTMLProgressElement)
      ) {
        problems.push(`${where}: ${describe(el)} overflows its box (${el.scrollWidth} > ${el.clientWidth})`);
      }
    }
    // The part of an element not clipped by a scrolling ancestor (a long list scrolls inside its box).
    const visibleRect = (el: Element) => {
      const r = el.getBoundingClientRect();
      let [left, top, right, bottom] = [r.left, r.top, r.right, r.bottom];
      for (let p = el.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (s.overflowX !== "visible" || s.overflowY !== "visible") {
          const q = p.getBoundingClientRect();
          left = Math.max(left, q.left);
          top = Math.max(top, q.top);
          right = Math.min(right, q.right);
          bottom = Math.min(bottom, q.bottom);
        }
      }
      return { left, top, right, bottom, width: right - left, height: bottom - top };
    };
    const controls = [
      ...document.querySelectorAll("#app button, #app input, #app select, #app textarea, #app summary"),
    ]
      .filter(shown)
      .filter((el) => visibleRect(el).height > 0 && visibleRect(el).width > 0);
    for (const el of controls) {
      const r = el.getBoundingClientRect();
      if (r.width < 44 || r.height < 44)
        problems.push(
          `${where}: touch target ${describe(el)} is ${Math.round(r.width)}×${Math.round(r.height)}`,
        );
    }
    // Overlaps between controls (inside scrolling lists, only what is visible in the list counts).
    for (let i = 0; i < controls.length; i++) {
      for (let j = i + 1; j < controls.length; j++) {
        const a = controls[i],
          b = controls[j];
        if (a.contains(b) || b.contains(a)) continue;
        const ra = visibleRect(a),
          rb = visibleRect(b);
        const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
        const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
        if (w > 1 && h > 1) problems.push(`${where}: ${describe(a)} overlaps ${describe(b)}`);
      }
    }
    return problems;
  }, where);
}

async function main() {
  if (!existsSync(join(DIST, "index.html"))) throw new Error("ui/dist is missing: run `vite build` first");
  mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const problems: Problem[] = [];
  let shots = 0;
  try {
    for (const size of SIZES) {
      for (const locale of LOCALES) {
        const page = await browser.newPage({ viewport: size, deviceScaleFactor: 1 });
        page.on("pageerror", (e) => problems.push(`${locale} ${size.width}: page error ${e.message}`));
        await page.route("http://daftar.test/**", (route) => {
          const path = new URL(route.request().url()).pathname;
          const file = join(DIST, path === "/" ? "index.html" : path);
          if (!existsSync(file)) return route.fulfill({ status: 404, body: "" });
          return route.fulfill({
            status: 200,
            contentType: TYPES[extname(file)] ?? "application/octet-stream",
            body: readFileSync(file),
          });
        });
        const fixtures = {
          status: status(),
          home: home(),
          screen: { fr: screen("fr"), ar: screen("ar") },
          review: review(),
        };
        await page.addInitScript((f) => {
          let lang = "fr";
          let n = 0;
          const reply = (cmd: string, args: Record<string, unknown>): unknown => {
            switch (cmd) {
              case "app_status":
                return f.status;
              case "home":
                lang = String(args.language ?? lang);
                return f.home;
              case "set_language":
                lang = String(args.language);
                return null;
              case "start_interview":
              case "open_interview":
              case "answer":
              case "navigate":
                return (f.screen as Record<string, unknown>)[lang];
              case "review":
                return f.review;
              default:
                return n++;
            }
          };
          (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {
            invoke: (cmd: string, args: Record<string, unknown>) => Promise.resolve(reply(cmd, args ?? {})),
            transformCallback: () => n++,
            unregisterCallback: () => undefined,
            convertFileSrc: (s: string) => s,
            metadata: {
              currentWindow: { label: "main" },
              currentWebview: { label: "main", windowLabel: "main" },
            },
          };
        }, fixtures);
        await page.goto("http://daftar.test/index.html");
        await page.waitForSelector("[data-screen=home]");
        if (locale === "ar") {
          await page.click("[data-lang=ar]");
          await page.waitForFunction(() => document.documentElement.dir === "rtl");
        }
        const where = (name: string) => `${locale} ${size.width}×${size.height} ${name}`;
        const snap = async (name: string) => {
          await page.screenshot({
            path: join(OUT, `${locale}-${size.width}x${size.height}-${name}.png`),
            fullPage: true,
          });
          shots++;
          problems.push(...(await check(page, where(name))));
        };
        await snap("home");
        await page.click("[data-status=to_start] [data-open]");
        await page.waitForSelector("[data-screen=interview]");
        await snap("interview");
        await page.fill("[data-search=true]", locale === "ar" ? "إسبا" : "esp");
        await snap("interview-search");
        await page.close();
      }
    }
    // The review screen and the start screens, both directions, both sizes.
    for (const size of SIZES) {
      for (const locale of LOCALES) {
        for (const start of ["review", "enrol", "unlock"] as const) {
          const page = await browser.newPage({ viewport: size });
          page.on("pageerror", (e) => problems.push(`${locale} ${size.width}: page error ${e.message}`));
          await page.route("http://daftar.test/**", (route) => {
            const path = new URL(route.request().url()).pathname;
            const file = join(DIST, path === "/" ? "index.html" : path);
            return route.fulfill({
              status: 200,
              contentType: TYPES[extname(file)] ?? "text/plain",
              body: existsSync(file) ? readFileSync(file) : "",
            });
          });
          const st =
            start === "review"
              ? status()
              : status({ unlocked: false, hasProfile: start === "unlock", enrolled: start === "unlock" });
          await page.addInitScript(
            (f) => {
              let n = 0;
              (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {
                invoke: (cmd: string) =>
                  Promise.resolve(
                    cmd === "app_status"
                      ? f.st
                      : cmd === "home"
                        ? f.home
                        : cmd === "open_interview"
                          ? f.screen
                          : cmd === "review"
                            ? f.review
                            : cmd === "set_language"
                              ? null
                              : n++,
                  ),
                transformCallback: () => n++,
                unregisterCallback: () => undefined,
                convertFileSrc: (s: string) => s,
                metadata: {
                  currentWindow: { label: "main" },
                  currentWebview: { label: "main", windowLabel: "main" },
                },
              };
            },
            { st, home: home(), screen: { ...screen(locale), hasNext: false }, review: review() },
          );
          await page.goto("http://daftar.test/index.html");
          await page.waitForSelector("[data-screen]:not(.x)");
          if (locale === "ar") {
            await page.click("[data-lang=ar]");
            await page.waitForFunction(() => document.documentElement.dir === "rtl");
          }
          if (start === "review") {
            await page.click("[data-status=in_progress] [data-open]");
            await page.click("#nav-review");
          }
          await page.waitForSelector(`[data-screen=${start}]`);
          await page.screenshot({
            path: join(OUT, `${locale}-${size.width}x${size.height}-${start}.png`),
            fullPage: true,
          });
          shots++;
          problems.push(...(await check(page, `${locale} ${size.width}×${size.height} ${start}`)));
          await page.close();
        }
      }
    }
  } finally {
    await browser.close();
  }
  if (problems.length) {
    console.error(problems.join("\n"));
    console.error(`layout: ${problems.length} problem(s) in ${shots} screens`);
    process.exit(1);
  }
  console.log(
    `layout: ${shots} screens checked (800×1280 and 1280×800, fr LTR and ar RTL), no overflow, overlap or small target`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
