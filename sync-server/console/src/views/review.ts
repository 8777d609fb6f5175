// Review: the interviews of the chosen survey with filters, and one interview (decrypted by the server
// while the survey key is unlocked) with answers per language, comments per question, approve or reject.

import { api, json, type InterviewSummary, type InterviewView, type ViewItem } from "../api";
import { addRow, h, num, table, td } from "../dom";
import { monitoringText, show, state, unlocked, unlockForm } from "../state";

export async function reviewPage(main: HTMLElement) {
  main.append(h("h1", {}, "Entretiens à contrôler"));
  const status = h("select", { id: "status-filter", "aria-label": "Statut" });
  const statuses = [
    ["submitted", "En attente"],
    ["rejected", "Rejetés"],
    ["approved", "Approuvés"],
    ["", "Tous"],
  ];
  for (const [value, label] of statuses) status.append(h("option", { value }, label));
  const enumerator = h("input", { id: "enumerator-filter", placeholder: "Enquêteur", size: 8 });
  const list = table("review-list", ["Entretien", "Révision", "Statut", "Enquêteur", "Région"]);
  main.append(h("div", { class: "filters" }, status, enumerator), list);
  const interviews = await json<InterviewSummary[]>(
    "GET",
    api(`/interviews?survey_id=${encodeURIComponent(state.survey)}`),
  );
  const render = () => {
    list.tBodies[0].replaceChildren();
    for (const i of interviews) {
      if (status.value && i.status !== status.value) continue;
      if (enumerator.value && String(i.enumerator_id) !== enumerator.value.trim()) continue;
      addRow(
        list,
        h(
          "tr",
          { "data-interview": i.interview_id },
          td(h("a", { href: `#review/${i.interview_id}` }, i.interview_id)),
          num(i.revision),
          h("td", { class: `status ${i.status}` }, i.status),
          td(String(i.enumerator_id)),
          td(monitoringText(i.monitoring["a_region"])),
        ),
      );
    }
  };
  status.addEventListener("change", render);
  enumerator.addEventListener("input", render);
  render();
}

export async function interviewPage(main: HTMLElement, id: string) {
  main.append(h("p", {}, h("a", { href: "#review" }, "← Liste")));
  if (!unlocked()) {
    main.append(unlockForm());
    return;
  }
  const v = await json<InterviewView>("GET", `/console/interviews/${encodeURIComponent(id)}/view`);
  let language = v.languages[0] ?? "fr";
  const comments = new Map<string, string>();
  const languages = h("select", { id: "language", "aria-label": "Langue" });
  for (const l of v.languages) languages.append(h("option", { value: l }, l));
  const answers = h("div", { id: "answers" });
  const render = () => {
    answers.replaceChildren(...v.items.map((item) => answer(item, language, comments)));
    answers.setAttribute("dir", language === "ar" ? "rtl" : "ltr");
    answers.setAttribute("lang", language);
  };
  languages.addEventListener("change", () => {
    language = languages.value;
    render();
  });

  const note = h("input", { id: "review-note", placeholder: "Note au rejet", size: 40 });
  const result = h("p", { id: "review-result", role: "status" });
  const decide = async (decision: "approve" | "reject") => {
    const picked: Record<string, string> = {};
    for (const [path, text] of comments) if (text.trim()) picked[path] = text.trim();
    try {
      await json("POST", api(`/interviews/${encodeURIComponent(id)}/review`), {
        revision: v.summary.revision,
        decision,
        comments: picked,
        note: note.value || null,
      });
      result.textContent = decision === "approve" ? "Approuvé." : "Rejeté et renvoyé à la tablette.";
    } catch (err) {
      show(err, result);
    }
  };
  const approve = h("button", { id: "approve" }, "Approuver");
  const reject = h("button", { id: "reject" }, "Rejeter");
  approve.addEventListener("click", () => decide("approve"));
  reject.addEventListener("click", () => decide("reject"));

  const timeline = h("ol", { id: "timeline" });
  for (const e of v.events) {
    timeline.append(h("li", {}, `${e.at} ${e.event} ${e.path ?? ""} ${e.detail ?? ""}`));
  }
  const reviews = h("ul", { id: "reviews" });
  for (const r of v.reviews) reviews.append(h("li", {}, `${r.decision} r${r.revision} ${r.note ?? ""}`));
  const { status, revision, enumerator_id } = v.summary;
  const summary =
    `Statut ${status}, révision ${revision}, enquêteur ${enumerator_id}, ` +
    `${v.complete ? "complet" : "incomplet"}. `;
  main.append(
    h("h1", {}, `Entretien ${id}`),
    h("p", {}, summary, languages),
    answers,
    h("div", { class: "decision" }, note, approve, reject),
    result,
    h("h2", {}, "Contrôles précédents"),
    reviews,
    h("h2", {}, "Paradonnées"),
    timeline,
  );
  render();
}

/** One item of the interview: label, answer, its errors and warnings, and a comment field. */
function answer(item: ViewItem, language: string, comments: Map<string, string>): HTMLElement {
  const heading = item.kind === "roster" || item.kind === "section";
  const issues = item.issues.map((i) =>
    h(
      "div",
      { class: i.soft ? "warning" : "error" },
      `${i.message}${i.soft && i.confirmed ? " (confirmé)" : ""}`,
    ),
  );
  let comment: HTMLInputElement | null = null;
  if (!heading && !item.calculated) {
    comment = h("input", {
      class: "comment",
      "data-path": item.path,
      placeholder: "Commentaire",
      "aria-label": `Commentaire ${item.path}`,
    });
    const field = comment;
    field.value = comments.get(item.path) ?? "";
    field.addEventListener("input", () => comments.set(item.path, field.value));
  }
  const kind = heading ? "heading" : "item";
  return h(
    "div",
    {
      class: `answer ${kind} depth${item.depth}${item.calculated ? " calculated" : ""}`,
      "data-path": item.path,
    },
    h(
      "div",
      { class: "label" },
      h("bdi", {}, item.label[language] ?? item.name),
      " ",
      h("code", {}, h("bdi", {}, item.path)),
    ),
    heading ? null : h("div", { class: "value" }, h("bdi", {}, item.value[language] ?? "")),
    ...issues,
    comment,
  );
}
