// The Daftar web console: one page, no external resources. Every state-changing request echoes the
// CSRF cookie in `X-CSRF-Token`; the session cookie itself is HttpOnly and never seen here.

import { ApiError, api, call, json, type Session, type SurveyInfo } from "./api";
import { $, h } from "./dom";
import { onRefresh, show, state } from "./state";
import { dashboardPage } from "./views/dashboard";
import { dataPage } from "./views/data";
import { interviewPage, reviewPage } from "./views/review";
import { usersPage } from "./views/users";
import { workPage } from "./views/work";

async function boot() {
  $("#logout").addEventListener("click", async () => {
    await call("POST", "/console/logout");
    location.reload();
  });
  state.me = await json<Session>("GET", "/console/session").catch(() => null);
  if (!state.me) {
    loginForm();
    return;
  }
  const { user } = state.me;
  $("#who").textContent = `${user.username} (${user.role}${user.team ? ", " + user.team : ""})`;
  $("#logout").hidden = false;
  state.surveys = await json<SurveyInfo[]>("GET", api("/surveys"));
  // The chosen survey survives a reload (an id, never data).
  const remembered = sessionStorage.getItem("daftar-survey");
  state.survey = state.surveys.find((sv) => sv.id === remembered)?.id ?? state.surveys[0]?.id ?? "";
  const nav = $("#nav");
  nav.hidden = false;
  nav.append(surveyChoice());
  const pages = [
    ["dashboard", "Tableau de bord"],
    ["review", "Contrôle"],
    ["work", "Affectations"],
    ["data", "Données"],
  ];
  // Accounts: administrators manage them, supervisors see their team's; data managers have no access.
  if (user.role === "admin" || user.role === "supervisor") pages.push(["users", "Comptes"]);
  for (const [hash, label] of pages) nav.append(h("a", { href: `#${hash}`, id: `nav-${hash}` }, label));
  onRefresh(route);
  window.addEventListener("hashchange", route);
  await route();
}

function loginForm() {
  $("#login-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const username = $<HTMLInputElement>("#username").value;
    const password = $<HTMLInputElement>("#password").value;
    try {
      await json("POST", "/console/login", { username, password });
      location.reload();
    } catch (err) {
      if (err instanceof ApiError && err.body.error?.code === "account_deactivated") {
        $("#login-error").textContent =
          "Ce compte est désactivé ; demandez à un administrateur de le réactiver.";
      } else show(err, $("#login-error"));
    }
  });
}

function surveyChoice(): HTMLSelectElement {
  const select = h("select", { id: "survey", "aria-label": "Enquête" });
  for (const sv of state.surveys) select.append(h("option", { value: sv.id }, `${sv.id} — ${sv.title}`));
  select.value = state.survey;
  select.addEventListener("change", () => {
    state.survey = select.value;
    sessionStorage.setItem("daftar-survey", state.survey);
    route();
  });
  return select;
}

async function route() {
  // Each navigation renders into a fresh container. A page still loading when the next navigation
  // starts (a survey switch right after login) goes on filling its own container, now detached,
  // instead of appending a second copy of itself below the new page.
  const [page, arg] = location.hash.slice(1).split("/");
  const name = page === "review" && arg ? "interview" : page || "dashboard";
  // `data-page` tells which page the container is for (browser tests wait for it after a navigation).
  const main = h("div", { class: "view", "data-page": name });
  $("#main").replaceChildren(main);
  try {
    if (page === "review" && arg) await interviewPage(main, arg);
    else if (page === "review") await reviewPage(main);
    else if (page === "work") await workPage(main);
    else if (page === "data") await dataPage(main);
    else if (page === "users") await usersPage(main);
    else await dashboardPage(main);
  } catch (err) {
    main.append(h("p", { class: "error", role: "alert" }, err instanceof Error ? err.message : String(err)));
  }
}

boot();
