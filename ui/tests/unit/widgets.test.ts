import { describe, expect, it, vi } from "vitest";
import { setLocale } from "../../src/i18n";
import { filterChoices, itemView, parseNumber, SEARCH_THRESHOLD } from "../../src/widgets";
import { groupEntries } from "../../src/views/home";
import { interviewView, reviewView, sectionState } from "../../src/views/interview";
import { home, review, screen } from "../fixtures/screens";

const noop = () => undefined;
const handlers = {
  answer: vi.fn(),
  confirm: vi.fn(),
  next: vi.fn(),
  previous: vi.fn(),
  goTo: vi.fn(),
  addRow: vi.fn(),
  removeRow: vi.fn(),
  review: vi.fn(),
  home: vi.fn(),
  complete: vi.fn(),
};

describe("number entry", () => {
  it("parses integers and decimals, Arabic digits and commas included", () => {
    expect(parseNumber("integer", "34")).toBe(34);
    expect(parseNumber("integer", "٣٤")).toBe(34);
    expect(parseNumber("integer", "3.5")).toBe("invalid");
    expect(parseNumber("decimal", "3,5")).toBe(3.5);
    expect(parseNumber("decimal", "")).toBe(null);
    expect(parseNumber("decimal", "abc")).toBe("invalid");
  });
});

describe("searchable lists", () => {
  const choices = screen().items[2].choices;
  it("finds by label, second-language label and code, ignoring accents and case", () => {
    expect(filterChoices(choices, "espa").map((c) => c.code)).toEqual(["ESP"]);
    expect(filterChoices(choices, "إسبانيا").map((c) => c.code)).toEqual(["ESP"]);
    expect(filterChoices(choices, "sen").map((c) => c.code)).toEqual(["SEN"]);
    expect(filterChoices(choices, "emirats").map((c) => c.code)).toEqual(["ARE"]);
    expect(filterChoices(choices, "").length).toBe(choices.length);
  });
  it("is used for long lists", () => {
    setLocale("fr");
    const item = { ...screen().items[2], appearance: null };
    expect(item.choices.length).toBeGreaterThan(SEARCH_THRESHOLD);
    const el = itemView(item, noop, noop);
    expect(el.querySelector("input[type=search]")).not.toBeNull();
  });
});

describe("items", () => {
  it("mark required items, show errors, warnings with a confirm button, and the supervisor comment", () => {
    setLocale("fr");
    const s = screen();
    const age = itemView(s.items[0], noop, noop);
    expect(age.querySelector(".required")).not.toBeNull();
    expect(age.querySelector(".issue.error")?.textContent).toContain("110");
    expect(age.getAttribute("aria-invalid")).toBe("true");
    const confirm = vi.fn();
    const fee = itemView(s.items[3], noop, confirm);
    (fee.querySelector("[data-confirm]") as HTMLButtonElement).click();
    expect(confirm).toHaveBeenCalledWith("hh_roster[1].c_fee");
    const country = itemView(s.items[2], noop, noop);
    expect(country.querySelector("[data-comment]")?.textContent).toContain("Vérifier le pays");
  });

  it("show French and Arabic labels side by side", () => {
    const sex = itemView(screen().items[1], noop, noop);
    const first = sex.querySelector('[data-code="1"]')!;
    expect(first.querySelector(".choice-label")?.textContent).toBe("Masculin");
    expect(first.querySelector(".choice-alt")?.textContent).toBe("ذكر");
    expect(first.querySelector(".choice-alt")?.getAttribute("lang")).toBe("ar");
  });

  it("send answers in the play encoding", () => {
    const save = vi.fn();
    const s = screen();
    const sex = itemView(s.items[1], save, noop);
    (sex.querySelector('[data-code="2"]') as HTMLButtonElement).click();
    expect(save).toHaveBeenLastCalledWith("2");
    const age = itemView({ ...s.items[0], value: null }, save, noop);
    const input = age.querySelector("input") as HTMLInputElement;
    input.value = "٤٥";
    input.dispatchEvent(new Event("change"));
    expect(save).toHaveBeenLastCalledWith(45);
    const fee = itemView(s.items[3], save, noop);
    const amount = fee.querySelector("[data-part=amount]") as HTMLInputElement;
    const currency = fee.querySelector("[data-part=currency]") as HTMLSelectElement;
    currency.value = "EUR";
    amount.value = "1500";
    amount.dispatchEvent(new Event("change"));
    expect(save).toHaveBeenLastCalledWith({ amount: 1500, currency: "EUR" });
  });

  it("keep numbers left-to-right inside Arabic pages", () => {
    setLocale("ar");
    const age = itemView(screen("ar").items[0], noop, noop);
    expect(age.querySelector("input")?.getAttribute("dir")).toBe("ltr");
  });
});

describe("home", () => {
  it("groups by status in working order and searches", () => {
    const groups = groupEntries(home().entries, "");
    expect([...groups.keys()]).toEqual(["rejected", "to_start", "in_progress", "sent"]);
    const found = groupEntries(home().entries, "mellal");
    expect([...found.values()].flat().map((e) => e.id)).toEqual(["12"]);
  });
});

describe("interview page", () => {
  it("shows sections with their state, the roster overview and the pager", () => {
    setLocale("fr");
    const s = screen();
    expect(s.sections.map(sectionState)).toEqual(["done", "problems", "todo"]);
    const el = interviewView(s, handlers);
    expect(el.querySelectorAll("[data-section]").length).toBe(3);
    expect(el.querySelectorAll("[data-row]").length).toBe(2);
    (el.querySelector("[data-add]") as HTMLButtonElement).click();
    expect(handlers.addRow).toHaveBeenCalledWith("hh_roster");
    (el.querySelector("#nav-next") as HTMLButtonElement).click();
    expect(handlers.next).toHaveBeenCalled();
    expect(el.querySelector("#position")?.textContent).toBe("\u206814\u2069 sur \u206886\u2069");
  });

  it("review lists unanswered, errors, warnings, comments and blocks completion", () => {
    const el = reviewView(review(), handlers);
    expect([...el.querySelectorAll(".review-line")].map((l) => l.className.split("review-")[2])).toEqual([
      "error",
      "warning",
      "unanswered",
      "comment",
    ]);
    expect((el.querySelector("#review-complete") as HTMLButtonElement).disabled).toBe(true);
  });
});
