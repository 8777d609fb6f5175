// Every interface string exists in every locale (fr, ar, en), and every key the code uses is defined.
import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { FluentResource } from "@fluent/bundle";
import { LOCALES, SOURCES, bundleFor, setLocale, t, formatNumber, westernDigits } from "../../src/i18n";
import { STATUS_ORDER } from "../../src/views/home";

const ids = (src: string) => new Set(new FluentResource(src).body.map((m) => m.id));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("Fluent resources", () => {
  it("parse without errors in every locale", () => {
    for (const l of LOCALES) expect(() => bundleFor(l)).not.toThrow();
  });

  it("define the same keys in every locale", () => {
    const reference = ids(SOURCES.fr);
    for (const l of LOCALES) {
      const keys = ids(SOURCES[l]);
      const missing = [...reference].filter((k) => !keys.has(k));
      const extra = [...keys].filter((k) => !reference.has(k));
      expect({ locale: l, missing, extra }).toEqual({ locale: l, missing: [], extra: [] });
    }
  });

  it("define every key the interface uses", () => {
    const used = new Set<string>();
    for (const file of sourceFiles(join(__dirname, "../../src"))) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/\bt\(\s*(["'])([a-z0-9_-]+)\1/g)) used.add(m[2]);
    }
    // Keys built from codes.
    for (const s of STATUS_ORDER) used.add(`status-${s}`);
    for (const q of ["open", "nearly_full", "full"]) used.add(`quota-${q}`);
    const rustCodes = readFileSync(join(__dirname, "../../../crates/daftar-app-core/src/error.rs"), "utf8");
    for (const m of rustCodes.matchAll(/=> "([a-z_]+)",?/g)) used.add(`error-${m[1]}`);
    for (const code of ["upload", "internal"]) used.add(`error-${code}`);
    expect(used.size).toBeGreaterThan(60);
    for (const l of LOCALES) {
      const keys = ids(SOURCES[l]);
      expect({ locale: l, missing: [...used].filter((k) => !keys.has(k)) }).toEqual({
        locale: l,
        missing: [],
      });
    }
  });
});

describe("plurals and numbers", () => {
  it("uses each language’s plural rules", () => {
    setLocale("fr");
    expect(t("home-count", { count: 1 })).toBe("\u20681\u2069 entretien");
    expect(t("home-count", { count: 3 })).toBe("\u20683\u2069 entretiens");
    setLocale("ar");
    expect(t("home-count", { count: 2 })).toBe("مقابلتان");
    expect(t("home-count", { count: 5 })).toBe("\u20685\u2069 مقابلات");
    expect(t("home-count", { count: 11 })).toBe("\u206811\u2069 مقابلة");
    setLocale("en");
    expect(t("home-count", { count: 1 })).toBe("\u20681\u2069 interview");
  });

  it("writes Western digits in Arabic", () => {
    setLocale("ar");
    expect(formatNumber(1234567.5)).toMatch(/^1.?234.?567[.,٫]5$/);
    expect(formatNumber(1234567.5)).not.toMatch(/[\u0660-\u0669]/);
    expect(t("screen-position", { position: 14, count: 86 })).toBe("\u206814\u2069 من \u206886\u2069");
  });

  it("reads Arabic-Indic digits typed on an Arabic keyboard as Western digits", () => {
    expect(westernDigits("٣٤")).toBe("34");
    expect(westernDigits("۱۲٫۵")).toBe("12.5");
  });

  it("sets the direction from the language", () => {
    setLocale("ar");
    expect(document.documentElement.dir).toBe("rtl");
    expect(document.documentElement.lang).toBe("ar");
    setLocale("fr");
    expect(document.documentElement.dir).toBe("ltr");
  });

  it("isolates placeables so piped values keep their direction", () => {
    setLocale("ar");
    expect(t("pin-unlock-title", { name: "Amina" })).toBe("مرحبًا \u2068Amina\u2069");
  });
});
