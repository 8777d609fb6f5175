// What the page knows between navigations: the signed-in user, the chosen survey, and which survey keys
// this session has unlocked. Nothing of an interview is kept here.

import { json, surveyPath, type Session, type SurveyInfo } from "./api";
import { h } from "./dom";

export const state = {
  me: null as Session | null,
  surveys: [] as SurveyInfo[],
  /** The chosen survey's id ("" when there is none). */
  survey: "",
};

let rerender: () => Promise<void> = async () => {};

/** Sets what [`refresh`] runs: the router's rendering of the current page. */
export function onRefresh(render: () => Promise<void>) {
  rerender = render;
}

/** Renders the current page again (after a change the page shows). */
export const refresh = () => rerender();

/** Whether the chosen survey's key is unlocked for this session. */
export const unlocked = () => !!state.me && state.me.unlocked.includes(state.survey);

/** Writes an error's message into `where`. */
export function show(error: unknown, where: HTMLElement) {
  where.textContent = error instanceof Error ? error.message : String(error);
}

/**
 * The form that unlocks the chosen survey's key with its passphrase. The server keeps the key for this
 * session only; the passphrase field is cleared at once.
 */
export function unlockForm(): HTMLElement {
  const input = h("input", {
    type: "password",
    id: "passphrase",
    autocomplete: "off",
    "aria-label": "Phrase secrète",
  });
  const error = h("span", { class: "error", role: "alert" });
  const form = h(
    "form",
    { class: "unlock", id: "unlock-form" },
    h("span", {}, `Clé de l'enquête ${state.survey} verrouillée. `),
    input,
    h("button", { type: "submit", id: "unlock" }, "Déverrouiller"),
    error,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const r = await json<{ unlocked: string[] }>("POST", surveyPath(state.survey, "/unlock"), {
        passphrase: input.value,
      });
      input.value = "";
      if (state.me) state.me.unlocked = r.unlocked;
      await refresh();
    } catch (err) {
      show(err, error);
    }
  });
  return form;
}

/** The text of a monitoring value (a list's items joined by spaces). */
export function monitoringText(v: unknown): string {
  if (v === null || v === undefined) return "";
  return Array.isArray(v) ? v.join(" ") : String(v);
}
