// The interview: one page (a question or a field-list group), roster overview, sections, review.

import { h } from "../dom";
import { t } from "../i18n";
import type { ReviewDto, ScreenDto, SectionDto } from "../types";
import { itemView, type Save } from "../widgets";

export interface InterviewHandlers {
  answer(path: string, value: unknown): void;
  confirm(path: string): void;
  next(): void;
  previous(): void;
  goTo(path: string): void;
  addRow(roster: string): void;
  removeRow(row: string): void;
  review(): void;
  home(): void;
}

export function sectionState(s: SectionDto): "done" | "problems" | "todo" {
  if (s.errors + s.warnings > 0) return "problems";
  if (s.missing === 0 && s.answered > 0) return "done";
  return "todo";
}

function sectionsView(screen: ScreenDto, handlers: InterviewHandlers): HTMLElement {
  return h(
    "nav",
    { class: "sections", "aria-label": t("nav-sections") },
    h("h2", { class: "sr-only" }, t("nav-sections")),
    h(
      "ol",
      {},
      screen.sections.map((s) => {
        const state = sectionState(s);
        return h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              class: `section section-${state}`,
              "data-section": s.path,
              onclick: () => handlers.goTo(s.path),
            },
            h("span", { class: "section-label", dir: "auto" }, s.label),
            h(
              "span",
              { class: "small" },
              state === "problems"
                ? t("section-problems", { count: s.errors + s.warnings })
                : state === "done"
                  ? t("section-done")
                  : t("section-progress", { answered: s.answered, questions: s.questions }),
            ),
          ),
        );
      }),
    ),
  );
}

function rosterView(screen: ScreenDto, handlers: InterviewHandlers): HTMLElement | null {
  const r = screen.roster;
  if (!r) return null;
  return h(
    "section",
    { class: "roster", "data-roster": r.path },
    h("h2", {}, h("span", { dir: "auto" }, r.label), " · ", t("roster-overview")),
    r.rows.length
      ? h(
          "table",
          { class: "roster-table" },
          h(
            "tbody",
            {},
            r.rows.map((row) =>
              h(
                "tr",
                { "data-row": row.path, class: screen.anchor.startsWith(row.path + ".") ? "current" : null },
                h("td", { dir: "auto" }, row.label),
                h(
                  "td",
                  { class: "small" },
                  t("roster-progress", { answered: row.answered, questions: row.questions }),
                ),
                h(
                  "td",
                  { class: "row-actions" },
                  h(
                    "button",
                    { type: "button", class: "secondary", onclick: () => handlers.goTo(row.path) },
                    t("roster-open"),
                  ),
                  r.counted
                    ? null
                    : h(
                        "button",
                        {
                          type: "button",
                          class: "danger",
                          "data-remove": row.path,
                          onclick: () => handlers.removeRow(row.path),
                        },
                        t("roster-remove"),
                      ),
                ),
              ),
            ),
          ),
        )
      : h("p", { class: "muted" }, t("roster-empty")),
    r.counted
      ? null
      : h(
          "button",
          { type: "button", class: "primary", "data-add": r.path, onclick: () => handlers.addRow(r.path) },
          t("roster-add"),
        ),
  );
}

export function interviewView(screen: ScreenDto, handlers: InterviewHandlers): HTMLElement {
  const save =
    (path: string): Save =>
    (value) =>
      handlers.answer(path, value);
  return h(
    "div",
    { class: "interview", "data-screen": "interview", "data-anchor": screen.anchor },
    sectionsView(screen, handlers),
    h(
      "main",
      { class: "page" },
      screen.reviewNote
        ? h("p", { class: "comment", role: "note" }, t("supervisor-note", { note: screen.reviewNote }))
        : null,
      screen.groupLabel ? h("h2", { class: "group-label", dir: "auto" }, screen.groupLabel) : null,
      screen.items.map((item) => itemView(item, save(item.path), handlers.confirm)),
      rosterView(screen, handlers),
      h(
        "div",
        { class: "pager" },
        h(
          "button",
          {
            type: "button",
            class: "secondary",
            id: "nav-previous",
            disabled: !screen.hasPrevious,
            onclick: handlers.previous,
          },
          t("nav-previous"),
        ),
        h(
          "span",
          { class: "small", id: "position" },
          t("screen-position", { position: screen.position, count: screen.screenCount }),
        ),
        screen.hasNext
          ? h(
              "button",
              { type: "button", class: "primary", id: "nav-next", onclick: handlers.next },
              t("nav-next"),
            )
          : h(
              "button",
              { type: "button", class: "primary", id: "nav-review", onclick: handlers.review },
              t("nav-review"),
            ),
      ),
    ),
  );
}

export function reviewView(
  review: ReviewDto,
  handlers: InterviewHandlers & { complete(): void },
): HTMLElement {
  const kindKey: Record<string, string> = {
    unanswered: "review-unanswered",
    error: "review-error",
    warning: "review-warning",
    comment: "review-comment",
  };
  return h(
    "main",
    { class: "card review", "data-screen": "review" },
    h("h1", {}, t("review-title")),
    h("p", {}, t("review-answered", { answered: review.answered, questions: review.questions })),
    review.lines.length
      ? h(
          "ul",
          { class: "review-list" },
          review.lines.map((l) =>
            h(
              "li",
              { class: `review-line review-${l.kind}`, "data-review": l.path },
              h("span", { class: "badge" }, t(kindKey[l.kind] ?? l.kind)),
              h(
                "span",
                { class: "review-text" },
                h("span", { dir: "auto" }, l.label),
                h("br", {}),
                h("span", { class: "small", dir: "auto" }, l.message),
              ),
              h(
                "button",
                { type: "button", class: "secondary", onclick: () => handlers.goTo(l.path) },
                t("review-go"),
              ),
            ),
          ),
        )
      : h("p", { class: "ok" }, t("review-all-good")),
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        { type: "button", class: "secondary", id: "review-back", onclick: handlers.previous },
        t("review-back"),
      ),
      h(
        "button",
        {
          type: "button",
          class: "primary",
          id: "review-complete",
          disabled: !review.canComplete,
          onclick: handlers.complete,
        },
        t("review-complete"),
      ),
    ),
  );
}
