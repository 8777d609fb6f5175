import { describe, expect, it } from "vitest";
import { setLocale } from "../../src/i18n";
import { homeView } from "../../src/views/home";
import { home } from "../fixtures/screens";

const handlers = { open: () => undefined, startFree: () => undefined };

describe("assignments with a quantity", () => {
  it("say how many of their interviews are done, in each language", () => {
    for (const [locale, text] of [
      ["fr", "1 entretien(s) sur 3 réalisé(s)"],
      ["en", "1 of 3 interviews done"],
      ["ar", "أُنجزت 1 مقابلة من أصل 3"],
    ] as const) {
      setLocale(locale);
      const view = homeView(home(), "", handlers, () => undefined);
      expect(view.querySelector('[data-quantity="12"]')?.textContent?.replace(/[\u2068\u2069]/g, "")).toBe(
        text,
      );
    }
  });
  it("count without a limit, and show nothing for interviews", () => {
    setLocale("en");
    const h = home();
    h.entries[0] = { ...h.entries[0], quantity: null, used: 2 };
    const view = homeView(h, "", handlers, () => undefined);
    expect(view.querySelector('[data-quantity="12"]')?.textContent?.replace(/[\u2068\u2069]/g, "")).toBe(
      "2 interviews done, no limit",
    );
    expect(view.querySelectorAll("[data-quantity]").length).toBe(1);
  });
});
