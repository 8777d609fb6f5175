// Data (survey key unlocked): export of the raw data or a cleaned version, the cleaned versions with
// their provenance, upload of a cleaned batch (its diff, or its report of problems), SDG 10.7.1 tables.

import {
  ApiError,
  call,
  json,
  surveyPath,
  type BatchProblem,
  type BatchResult,
  type SdgRow,
  type VersionMeta,
} from "../api";
import { addRow, download, h, num, table, td } from "../dom";
import { show, state, unlocked, unlockForm } from "../state";

export async function dataPage(main: HTMLElement) {
  main.append(h("h1", {}, "Données"));
  if (!unlocked()) {
    main.append(unlockForm());
    return;
  }
  const versions = await json<VersionMeta[]>("GET", surveyPath(state.survey, "/versions"));
  const choice = h("select", { id: "data-version", "aria-label": "Version" });
  choice.append(h("option", { value: "raw" }, "Données brutes"));
  for (const v of versions) {
    const label = `Version ${v.number} — ${v.created_by}, ${v.created_at} : ${v.reason}`;
    choice.append(h("option", { value: String(v.number) }, label));
  }
  const sdg = h("div", { id: "sdg" });
  const loadSdg = () => sdgTables(sdg, choice.value);
  choice.addEventListener("change", loadSdg);
  main.append(
    ...exportControls(choice),
    h("h2", {}, "Versions nettoyées"),
    versionTable(versions),
    h("h2", {}, "Déposer un lot nettoyé"),
    ...batchUpload(),
    h("h2", {}, "ODD 10.7.1"),
    sdg,
  );
  await loadSdg();
}

function exportControls(choice: HTMLSelectElement): HTMLElement[] {
  const status = h("p", { id: "data-result", role: "status" });
  const button = h("button", { id: "export" }, "Exporter (zip)");
  button.addEventListener("click", async () => {
    const survey = state.survey;
    try {
      const r = await call("POST", surveyPath(survey, `/export?version=${choice.value}`));
      download(`${survey}-${choice.value}.zip`, await r.blob());
      status.textContent = "Export prêt.";
    } catch (err) {
      show(err, status);
    }
  });
  return [h("p", {}, choice, " ", button), status];
}

function versionTable(versions: VersionMeta[]): HTMLTableElement {
  const t = table("version-table", [
    "Version",
    "Par",
    "Quand",
    "Pourquoi",
    "Modifiées",
    "Ajoutées",
    "Supprimées",
  ]);
  for (const v of versions) {
    addRow(
      t,
      h(
        "tr",
        {},
        td(String(v.number)),
        td(v.created_by),
        td(v.created_at),
        td(v.reason),
        num(v.changed),
        num(v.added),
        num(v.deleted),
      ),
    );
  }
  return t;
}

/** A zip in the export's layout, or its CSV files; the server accepts the whole batch or none of it. */
function batchUpload(): HTMLElement[] {
  const file = h("input", { type: "file", id: "batch-file", accept: ".zip,.csv", multiple: true });
  const reason = h("input", { id: "batch-reason", placeholder: "Motif", size: 40 });
  const send = h("button", { id: "batch-upload" }, "Envoyer le lot");
  const report = h("div", { id: "batch-report" });
  send.addEventListener("click", async () => {
    const files = Array.from(file.files ?? []);
    if (!files.length) return;
    const path = surveyPath(state.survey, "/batches");
    try {
      let r: Response;
      if (files.length === 1 && files[0].name.endsWith(".zip")) {
        const query = `?reason=${encodeURIComponent(reason.value)}`;
        r = await call("POST", path + query, await files[0].arrayBuffer(), "application/zip");
      } else {
        const list = await Promise.all(files.map(async (f) => ({ name: f.name, text: await f.text() })));
        r = await call("POST", path, { reason: reason.value, files: list });
      }
      report.replaceChildren(...accepted(await r.json()));
    } catch (err) {
      if (err instanceof ApiError && err.body.problems) {
        report.replaceChildren(...refused(err.message, err.body.problems, err.body.report_csv ?? ""));
      } else show(err, report);
    }
  });
  return [h("p", {}, file, reason, send), report];
}

/** The new version and its difference from the raw data, per variable. */
function accepted(d: BatchResult): HTMLElement[] {
  const t = table("diff-table", ["Niveau", "Variable", "Modifiées", "Ajoutées", "Supprimées"]);
  for (const v of d.variables) {
    addRow(
      t,
      h(
        "tr",
        { "data-variable": v.variable },
        td(v.level),
        td(v.variable),
        num(v.changed),
        num(v.added),
        num(v.deleted),
      ),
    );
  }
  const created = `Version ${d.version.number} créée (${d.version.interviews} entretiens).`;
  return [h("p", { class: "ok" }, created), t];
}

/** The problems of a refused batch, per file, row and column, with the report to download. */
function refused(message: string, problems: BatchProblem[], csv: string): HTMLElement[] {
  const t = table("problem-table", ["Fichier", "Ligne", "Colonne", "Valeur", "Problème"]);
  for (const p of problems) {
    addRow(t, h("tr", {}, td(p.file), num(p.row), td(p.column), td(h("bdi", {}, p.value)), td(p.problem)));
  }
  const button = h("button", { id: "report-csv" }, "Télécharger le rapport (CSV)");
  button.addEventListener("click", () => download("batch-report.csv", new Blob([csv], { type: "text/csv" })));
  return [h("p", { class: "error" }, message), button, t];
}

const ratio = (x: number | null) => (x === null || x === undefined ? "—" : x.toFixed(3));

/** The SDG 10.7.1 tables of the raw data or of cleaned version `version`, and their CSV. */
async function sdgTables(box: HTMLElement, version: string) {
  const survey = state.survey;
  const d = await json<{ data: string; rows: SdgRow[] }>(
    "GET",
    surveyPath(survey, `/sdg?version=${version}`),
  );
  const t = table("sdg-table", [
    "Variante",
    "Ventilation",
    "Groupe",
    "n",
    "Moyenne",
    "Médiane",
    "P80",
    "Revenu nul",
    "Revenu inconnu",
    "Sans taux",
  ]);
  for (const r of d.rows) {
    addRow(
      t,
      h(
        "tr",
        { "data-row": `${r.variant}/${r.breakdown}/${r.group}` },
        td(r.variant),
        td(r.breakdown),
        td(r.group),
        num(r.n),
        num(ratio(r.mean)),
        num(ratio(r.median)),
        num(ratio(r.p80)),
        num(r.zero_income),
        num(r.no_income),
        num(r.no_rate),
      ),
    );
  }
  const csv = h("button", { id: "sdg-csv" }, "CSV");
  csv.addEventListener("click", async () => {
    const r = await call("GET", surveyPath(survey, `/sdg?version=${version}&format=csv`));
    download(`${survey}-sdg-10-7-1.csv`, await r.blob());
  });
  const intro =
    `ODD 10.7.1 (${d.data}) : coût de recrutement / gains du premier mois, en mois de gains. ` +
    "Médiane et P80 par interpolation linéaire (définition 7 de Hyndman et Fan). ";
  box.replaceChildren(h("p", {}, intro, csv), t);
}
