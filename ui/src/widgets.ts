// One touch-friendly widget per item type of the questionnaire format. A widget calls `save(value)` with the
// answer in the `daftar play` JSON encoding (null clears); the Rust side validates and answers with the new
// screen.

import { h, bdi, type Child } from "./dom";
import { t, formatNumber, westernDigits, locale } from "./i18n";
import type { ChoiceDto, ItemDto } from "./types";
import type { CommandError } from "./ipc";
import { locate } from "./device";

export type Save = (value: unknown) => void;

/// Large lists (countries, occupations) and `search`/`minimal` appearances get a searchable list.
export const SEARCH_THRESHOLD = 12;

export function parseNumber(kind: "integer" | "decimal", text: string): number | null | "invalid" {
  const clean = westernDigits(text).trim().replace(/\s/g, "").replace(",", ".");
  if (clean === "") return null;
  const n = Number(clean);
  if (!Number.isFinite(n)) return "invalid";
  if (kind === "integer" && !Number.isInteger(n)) return "invalid";
  return n;
}

/// Choices whose label, second-language label or code contain the query (case and accent insensitive).
export function filterChoices(choices: ChoiceDto[], query: string): ChoiceDto[] {
  const norm = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  const q = norm(westernDigits(query.trim()));
  if (!q) return choices;
  return choices.filter(
    (c) => norm(c.label).includes(q) || norm(c.altLabel ?? "").includes(q) || norm(c.code).includes(q),
  );
}

function choiceLabel(c: ChoiceDto): Child {
  return h(
    "span",
    { class: "choice-text" },
    h("span", { class: "choice-label" }, c.label),
    c.altLabel
      ? h("span", { class: "choice-alt", lang: locale() === "ar" ? "fr" : "ar", dir: "auto" }, c.altLabel)
      : null,
  );
}

function numberInput(item: ItemDto, save: Save): Child {
  const kind = item.kind === "integer" ? "integer" : "decimal";
  const input = h("input", {
    type: "text",
    inputmode: kind === "integer" ? "numeric" : "decimal",
    dir: "ltr",
    class: "field number",
    id: `f-${item.path}`,
    "data-path": item.path,
    value: typeof item.value === "number" ? String(item.value) : "",
    disabled: item.readOnly,
    autocomplete: "off",
  });
  const commit = () => {
    const n = parseNumber(kind, input.value);
    if (n === "invalid") {
      input.setAttribute("aria-invalid", "true");
      return;
    }
    if (n !== item.value) save(n);
  };
  input.addEventListener("change", commit);
  input.addEventListener("keydown", (e) => {
    if ((e as KeyboardEvent).key === "Enter") commit();
  });
  return input;
}

function textInput(item: ItemDto, save: Save): Child {
  const multiline = item.appearance?.includes("multiline");
  const attrs = {
    class: "field text",
    id: `f-${item.path}`,
    "data-path": item.path,
    dir: "auto",
    disabled: item.readOnly,
    autocomplete: "off",
  };
  const input = multiline ? h("textarea", { ...attrs, rows: 4 }) : h("input", { ...attrs, type: "text" });
  input.value = typeof item.value === "string" ? item.value : "";
  input.addEventListener("change", () => {
    const v = input.value.trim();
    save(v === "" ? null : v);
  });
  return input;
}

function dateLike(item: ItemDto, save: Save, type: "date" | "time" | "datetime-local"): Child {
  const input = h("input", {
    type,
    class: "field date",
    dir: "ltr",
    id: `f-${item.path}`,
    "data-path": item.path,
    disabled: item.readOnly,
  });
  const v = typeof item.value === "string" ? item.value : "";
  input.value = type === "datetime-local" ? v.slice(0, 16) : type === "time" ? v.slice(0, 5) : v;
  input.addEventListener("change", () => {
    if (!input.value) return save(null);
    if (type === "time") return save(input.value.length === 5 ? `${input.value}:00` : input.value);
    if (type === "datetime-local") return save(new Date(input.value).toISOString());
    save(input.value);
  });
  return input;
}

function radioList(item: ItemDto, save: Save, choices: ChoiceDto[]): Child {
  return h(
    "div",
    { class: "choices", role: "radiogroup", "aria-labelledby": `l-${item.path}` },
    choices.map((c) =>
      h(
        "button",
        {
          type: "button",
          class: `choice${item.value === c.code ? " selected" : ""}`,
          role: "radio",
          "aria-checked": item.value === c.code ? "true" : "false",
          "data-path": item.path,
          "data-code": c.code,
          disabled: item.readOnly,
          onclick: () => save(item.value === c.code ? null : c.code),
        },
        choiceLabel(c),
      ),
    ),
  );
}

function searchList(item: ItemDto, save: Save): Child {
  const selected = item.choices.find((c) => c.code === item.value);
  const list = h("div", { class: "choices search-results", role: "listbox" });
  const input = h("input", {
    type: "search",
    class: "field search",
    dir: "auto",
    placeholder: t("search-list"),
    "aria-label": t("search-list"),
    "data-path": item.path,
    "data-search": "true",
    disabled: item.readOnly,
    autocomplete: "off",
  });
  const show = () => {
    const found = filterChoices(item.choices, input.value).slice(0, 30);
    list.replaceChildren(
      ...(found.length
        ? found.map((c) =>
            h(
              "button",
              {
                type: "button",
                role: "option",
                class: `choice${item.value === c.code ? " selected" : ""}`,
                "aria-selected": item.value === c.code ? "true" : "false",
                "data-path": item.path,
                "data-code": c.code,
                onclick: () => save(c.code),
              },
              choiceLabel(c),
              h("bdi", { class: "code" }, c.code),
            ),
          )
        : [h("p", { class: "muted" }, t("no-match"))]),
    );
  };
  input.addEventListener("input", show);
  if (selected) input.value = "";
  show();
  return h(
    "div",
    { class: "search-list" },
    selected ? h("p", { class: "current-choice" }, choiceLabel(selected)) : null,
    input,
    list,
  );
}

function checkList(item: ItemDto, save: Save): Child {
  const current = Array.isArray(item.value) ? (item.value as string[]) : [];
  return h(
    "div",
    { class: "choices", role: "group" },
    item.choices.map((c) => {
      const on = current.includes(c.code);
      return h(
        "button",
        {
          type: "button",
          role: "checkbox",
          "aria-checked": on ? "true" : "false",
          class: `choice${on ? " selected" : ""}`,
          "data-path": item.path,
          "data-code": c.code,
          disabled: item.readOnly,
          onclick: () => {
            const next = on ? current.filter((x) => x !== c.code) : [...current, c.code];
            save(next.length ? next : null);
          },
        },
        choiceLabel(c),
      );
    }),
  );
}

function money(item: ItemDto, save: Save): Child {
  const v = (item.value ?? {}) as { amount?: number; currency?: string };
  const amount = h("input", {
    type: "text",
    inputmode: "decimal",
    dir: "ltr",
    class: "field number",
    "aria-label": t("amount"),
    "data-path": item.path,
    "data-part": "amount",
    value: v.amount !== undefined ? String(v.amount) : "",
    disabled: item.readOnly,
  });
  const currency = h(
    "select",
    {
      class: "field currency",
      "aria-label": t("currency"),
      "data-part": "currency",
      disabled: item.readOnly,
    },
    item.currencies.map((c) =>
      h("option", { value: c.code, selected: (v.currency ?? "MAD") === c.code }, `${c.code} — ${c.label}`),
    ),
  );
  currency.value =
    v.currency ?? item.currencies.find((c) => c.code === "MAD")?.code ?? item.currencies[0]?.code ?? "MAD";
  const commit = () => {
    const n = parseNumber("decimal", amount.value);
    if (n === "invalid") return amount.setAttribute("aria-invalid", "true");
    save(n === null ? null : { amount: n, currency: currency.value });
  };
  amount.addEventListener("change", commit);
  currency.addEventListener("change", () => amount.value && commit());
  return h(
    "div",
    { class: "money" },
    h("label", {}, t("amount"), amount),
    h("label", {}, t("currency"), currency),
  );
}

function geopoint(item: ItemDto, save: Save): Child {
  const v = Array.isArray(item.value) ? (item.value as number[]) : null;
  const status = h(
    "p",
    { class: "muted", "aria-live": "polite" },
    v
      ? h(
          "bdi",
          { dir: "ltr" },
          `${formatNumber(v[0], { maximumFractionDigits: 6 })}, ${formatNumber(v[1], { maximumFractionDigits: 6 })}`,
        )
      : null,
    v ? " · " + t("gps-accuracy", { metres: v[3] }) : null,
  );
  const capture = () => {
    status.textContent = t("gps-capturing");
    locate().then(
      save,
      (e: CommandError) =>
        void (status.textContent = t(e.code === "gps_denied" ? "gps-denied" : "gps-unavailable")),
    );
  };
  return h(
    "div",
    { class: "geo" },
    h(
      "button",
      {
        type: "button",
        class: "secondary",
        "data-path": item.path,
        onclick: capture,
        disabled: item.readOnly,
      },
      t("gps-capture"),
    ),
    status,
  );
}

/// The widget of an item.
export function widget(item: ItemDto, save: Save): Child {
  switch (item.kind) {
    case "integer":
    case "decimal":
      return numberInput(item, save);
    case "text":
      return textInput(item, save);
    case "date":
      return dateLike(item, save, "date");
    case "time":
      return dateLike(item, save, "time");
    case "datetime":
      return dateLike(item, save, "datetime-local");
    case "yes_no":
      return radioList(
        item,
        save,
        item.choices.length
          ? item.choices
          : [
              { code: "yes", label: t("yes"), altLabel: null },
              { code: "no", label: t("no"), altLabel: null },
            ],
      );
    case "single": {
      const search =
        item.choices.length > SEARCH_THRESHOLD ||
        item.appearance?.includes("search") ||
        item.appearance?.includes("minimal");
      return search ? searchList(item, save) : radioList(item, save, item.choices);
    }
    case "multiple":
      return checkList(item, save);
    case "money":
      return money(item, save);
    case "geopoint":
      return geopoint(item, save);
    case "acknowledge":
      return h(
        "button",
        {
          type: "button",
          class: `choice${item.value ? " selected" : ""}`,
          "data-path": item.path,
          onclick: () => save(item.value ? null : "OK"),
        },
        t("acknowledge"),
      );
    case "note":
      return null;
    default:
      return textInput(item, save);
  }
}

/// An item: label (required marked), hint, widget, issues with confirmation, supervisor's comment.
export function itemView(item: ItemDto, save: Save, confirm: (path: string) => void): HTMLElement {
  const hard = item.issues.filter((i) => !i.soft);
  const soft = item.issues.filter((i) => i.soft);
  return h(
    "section",
    {
      class: `item kind-${item.kind}${hard.length ? " has-error" : ""}`,
      "data-item": item.path,
      "aria-invalid": hard.length ? "true" : null,
    },
    h(
      "label",
      { class: "item-label", id: `l-${item.path}`, for: `f-${item.path}` },
      h("span", { dir: "auto" }, item.label),
      item.required
        ? h(
            "span",
            { class: "required", title: t("required") },
            " *",
            h("span", { class: "sr-only" }, t("required")),
          )
        : null,
    ),
    item.hint ? h("p", { class: "hint", dir: "auto" }, item.hint) : null,
    item.comment
      ? h(
          "p",
          { class: "comment", role: "note", "data-comment": item.path },
          h("strong", {}, t("comment"), ": "),
          h("span", { dir: "auto" }, item.comment),
        )
      : null,
    widget(item, save),
    hard.map((i) =>
      h(
        "p",
        { class: "issue error", role: "alert", "data-issue": i.code },
        h("span", { dir: "auto" }, i.message),
      ),
    ),
    soft.map((i) =>
      h(
        "div",
        { class: "issue warning", "data-issue": i.code },
        h("span", { dir: "auto" }, i.message),
        i.confirmed
          ? h("span", { class: "confirmed" }, " ✓ ", t("warning-confirmed"))
          : h(
              "button",
              {
                type: "button",
                class: "secondary",
                "data-confirm": item.path,
                onclick: () => confirm(item.path),
              },
              t("confirm-warning"),
            ),
      ),
    ),
  );
}

export { bdi };
