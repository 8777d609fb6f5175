// The home screen: assignments and interviews by status, search, quota cells, last sync.

import { h } from "../dom";
import { t, formatDateTime } from "../i18n";
import type { HomeDto, HomeEntryDto } from "../types";

export const STATUS_ORDER = ["rejected", "to_start", "in_progress", "completed", "sent", "approved"];

export interface HomeHandlers {
  open(entry: HomeEntryDto): void;
  startFree(questionnaire: string): void;
}

/// Entries grouped by status in working order, filtered by a search text.
export function groupEntries(entries: HomeEntryDto[], query: string): Map<string, HomeEntryDto[]> {
  const q = query.trim().toLowerCase();
  const groups = new Map<string, HomeEntryDto[]>();
  for (const status of STATUS_ORDER) groups.set(status, []);
  for (const e of entries) {
    const hay = `${e.label} ${e.title} ${e.id} ${e.assignmentId ?? ""}`.toLowerCase();
    if (q && !hay.includes(q)) continue;
    if (!groups.has(e.status)) groups.set(e.status, []);
    groups.get(e.status)!.push(e);
  }
  for (const [k, v] of groups) if (!v.length) groups.delete(k);
  return groups;
}

function receiptText(receipt: string): string {
  const [, sequence, ...when] = receipt.split("/");
  return t("receipt", { sequence, when: when.join("/") });
}

function entryView(e: HomeEntryDto, handlers: HomeHandlers): HTMLElement {
  return h(
    "li",
    { class: `entry status-${e.status}`, "data-entry": e.id, "data-status": e.status },
    h(
      "div",
      { class: "entry-text" },
      h("span", { class: "entry-label", dir: "auto" }, e.label),
      h("span", { class: "entry-title muted", dir: "auto" }, e.title),
      e.updatedMs ? h("span", { class: "muted small" }, formatDateTime(e.updatedMs)) : null,
      e.reviewNote ? h("span", { class: "comment" }, t("supervisor-note", { note: e.reviewNote })) : null,
      e.receipt ? h("span", { class: "receipt small", "data-receipt": e.id }, receiptText(e.receipt)) : null,
      e.used !== null
        ? h(
            "span",
            { class: "small", "data-quantity": e.id },
            e.quantity !== null
              ? t("assignment-quantity", { used: e.used, quantity: e.quantity })
              : t("assignment-unlimited", { used: e.used }),
          )
        : null,
    ),
    h(
      "button",
      {
        type: "button",
        class: e.status === "to_start" ? "primary" : "secondary",
        "data-open": e.id,
        onclick: () => handlers.open(e),
      },
      e.status === "to_start" ? t("start") : t("open"),
    ),
  );
}

export function homeView(
  home: HomeDto,
  query: string,
  handlers: HomeHandlers,
  onSearch: (q: string) => void,
): HTMLElement {
  const search = h("input", {
    type: "search",
    class: "field",
    id: "home-search",
    placeholder: t("home-search"),
    "aria-label": t("home-search"),
    dir: "auto",
    value: query,
  });
  const list = h("div", { class: "entries" });
  const fill = (q: string) => {
    const groups = groupEntries(home.entries, q);
    list.replaceChildren(
      ...(groups.size
        ? [...groups].map(([status, entries]) =>
            h(
              "section",
              { class: "group", "data-group": status },
              h(
                "h2",
                {},
                t(`status-${status}`),
                " ",
                h("span", { class: "badge" }, t("home-count", { count: entries.length })),
              ),
              h(
                "ul",
                { class: "entry-list" },
                entries.map((e) => entryView(e, handlers)),
              ),
            ),
          )
        : [h("p", { class: "muted" }, t("home-empty"))]),
    );
  };
  search.addEventListener("input", () => {
    onSearch(search.value);
    fill(search.value);
  });
  fill(query);
  return h(
    "main",
    { class: "home", "data-screen": "home" },
    h(
      "div",
      { class: "home-head" },
      h("h1", {}, t("home-title")),
      h(
        "p",
        { class: "muted", id: "last-sync" },
        home.lastSyncMs
          ? t("home-last-sync", { when: formatDateTime(home.lastSyncMs) })
          : t("home-never-synced"),
      ),
    ),
    search,
    list,
    home.quotas.length
      ? h(
          "section",
          { class: "quotas" },
          h("h2", {}, t("quota-title")),
          h(
            "ul",
            { class: "quota-list" },
            home.quotas.map((q) =>
              h(
                "li",
                { class: `quota quota-${q.state}` },
                h("span", { dir: "auto" }, h("bdi", {}, q.cell)),
                h("span", { class: "badge" }, t(`quota-${q.state}`)),
                h("span", { class: "small" }, t("quota-fill", { fill: q.fill, target: q.target })),
              ),
            ),
          ),
        )
      : null,
    home.questionnaires.length
      ? h(
          "section",
          { class: "free" },
          h("h2", {}, t("home-new")),
          home.questionnaires.map((q) =>
            h(
              "button",
              { type: "button", class: "secondary", "data-start": q, onclick: () => handlers.startFree(q) },
              h("bdi", {}, q.split("@")[0]),
            ),
          ),
        )
      : null,
  );
}
