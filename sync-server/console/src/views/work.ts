// Assignments (create one, upload a CSV with preloaded fields, reassign, quantity used) and devices
// (enrolment code with its QR code, revocation).

import { api, call, json, type Assignment, type Device, type EnrolmentCode } from "../api";
import { addRow, h, num, pairs, table, td } from "../dom";
import { refresh, show, state } from "../state";

export async function workPage(main: HTMLElement) {
  main.append(h("h1", {}, "Affectations et appareils"));
  const message = h("p", { id: "work-result", role: "status" });
  main.append(...(await assignments(message)), ...(await devices(message)), message);
}

/** More interviews came for the assignment than its quantity (the server keeps them, flagged). */
const over = (a: Assignment) => a.quantity !== null && a.used > a.quantity;

/** Used/quantity as the server counts it (distinct interviews received), with a bar; ∞ when unlimited. */
function usedCell(a: Assignment): HTMLElement {
  if (a.quantity === null) return num(`${a.used} / ∞`, "used");
  const room = Math.max(a.quantity, 1);
  const bar = h("progress", { max: room, value: Math.min(a.used, room), "aria-label": "Quantité utilisée" });
  const cell = h(
    "td",
    { class: "used-cell" },
    bar,
    " ",
    h("span", { class: "used" }, `${a.used} / ${a.quantity}`),
  );
  if (over(a)) cell.append(" ", h("strong", { class: "over-note" }, `dépassée de ${a.used - a.quantity}`));
  return cell;
}

async function assignments(message: HTMLElement): Promise<HTMLElement[]> {
  const survey = state.survey;
  // Data managers may read assignments; a refusal leaves the table empty.
  const list = await json<{ assignments: Assignment[] }>(
    "GET",
    api(`/assignments?survey_id=${encodeURIComponent(survey)}`),
  ).catch(() => null);
  const t = table("assignment-table", ["#", "Enquêteur", "Quantité utilisée", "Préchargement", "Réaffecter"]);
  for (const a of list?.assignments ?? []) {
    const to = h("input", { size: 4, "aria-label": "Nouvel enquêteur" });
    const go = h("button", {}, "OK");
    go.addEventListener("click", async () => {
      try {
        await json("POST", api(`/assignments/${a.id}/reassign`), { enumerator_id: Number(to.value) });
        await refresh();
      } catch (err) {
        show(err, message);
      }
    });
    const row = h(
      "tr",
      { "data-assignment": a.id, class: over(a) ? "over-quantity" : "" },
      td(String(a.id)),
      td(String(a.enumerator_id)),
      usedCell(a),
      td(pairs(a.preload)),
      td(to, go),
    );
    addRow(t, row);
  }

  const enumerator = h("input", { id: "new-assignment-enumerator", size: 4, placeholder: "id" });
  const quantity = h("input", { id: "new-assignment-quantity", size: 4, placeholder: "qté" });
  const create = h("button", { id: "create-assignment" }, "Créer");
  create.addEventListener("click", async () => {
    try {
      await json("POST", api("/assignments"), {
        survey_id: survey,
        enumerator_id: Number(enumerator.value),
        quantity: quantity.value ? Number(quantity.value) : null,
        preload: {},
      });
      await refresh();
    } catch (err) {
      show(err, message);
    }
  });
  const csv = h("input", { type: "file", accept: ".csv", id: "assignment-csv" });
  csv.addEventListener("change", async () => {
    const file = csv.files?.[0];
    if (!file) return;
    try {
      const path = api(`/surveys/${encodeURIComponent(survey)}/assignments/csv`);
      await call("POST", path, await file.text(), "text/csv");
      await refresh();
    } catch (err) {
      show(err, message);
    }
  });
  return [
    h("h2", {}, "Affectations"),
    t,
    h(
      "p",
      {},
      "Nouvelle : ",
      enumerator,
      quantity,
      create,
      " CSV (colonnes enumerator, quantity, préchargement…) : ",
      csv,
    ),
  ];
}

async function devices(message: HTMLElement): Promise<HTMLElement[]> {
  const list = await json<Device[]>("GET", api("/devices")).catch((): Device[] => []);
  const t = table("device-table", ["Appareil", "Enquêteur", "Enrôlé", "Révoqué", ""]);
  for (const d of list) {
    const revoke = h("button", {}, "Révoquer");
    revoke.addEventListener("click", async () => {
      if (!confirm(`Révoquer ${d.label} ?`)) return;
      try {
        await json("POST", api(`/devices/${d.id}/revoke`));
        await refresh();
      } catch (err) {
        show(err, message);
      }
    });
    addRow(
      t,
      h(
        "tr",
        {},
        td(d.label),
        td(String(d.enumerator_id)),
        td(d.enrolled_at),
        td(d.revoked_at ?? ""),
        td(d.revoked_at ? "" : revoke),
      ),
    );
  }

  const enrolFor = h("input", { id: "enrol-enumerator", size: 4, placeholder: "id" });
  const enrol = h("button", { id: "enrol" }, "Code d'enrôlement");
  const code = h("div", { id: "enrolment-code" });
  enrol.addEventListener("click", async () => {
    try {
      const c = await json<EnrolmentCode>("POST", api("/enrolment-codes"), {
        enumerator_id: Number(enrolFor.value),
      });
      const qr = URL.createObjectURL(new Blob([c.qr_svg], { type: "image/svg+xml" }));
      code.replaceChildren(
        h("p", {}, h("strong", {}, c.code), ` (expire ${c.expires_at})`),
        h("img", { alt: `QR ${c.code}`, src: qr, width: 180 }),
      );
    } catch (err) {
      show(err, message);
    }
  });
  return [h("h2", {}, "Appareils"), t, h("p", {}, "Enrôler pour l'enquêteur ", enrolFor, enrol), code];
}
