// Accounts: administrators create, deactivate, reactivate and reset them; supervisors see their team's.

import { api, json, type Role, type User } from "../api";
import { $, addRow, h, num, table, td } from "../dom";
import { refresh, show, state } from "../state";

const ROLES: [Role, string][] = [
  ["enumerator", "Enquêteur"],
  ["supervisor", "Superviseur"],
  ["data_manager", "Gestionnaire de données"],
  ["admin", "Administrateur"],
];
const roleLabel = (role: string) => ROLES.find(([r]) => r === role)?.[1] ?? role;
/** Roles whose accounts belong to a team (the server refuses them without one). */
const TEAM_ROLES: string[] = ["enumerator", "supervisor"];

export async function usersPage(main: HTMLElement) {
  main.append(h("h1", {}, "Comptes"));
  const users = await json<User[]>("GET", api("/users"));
  const isAdmin = state.me?.user.role === "admin";
  const message = h("p", { id: "users-result", role: "status" });
  const t = table("user-table", ["id", "Compte", "Rôle", "Équipe", "Actif", isAdmin ? "Actions" : null]);
  for (const u of users) {
    const row = h(
      "tr",
      { "data-user": u.username, class: u.active ? "" : "inactive" },
      num(u.id),
      td(h("bdi", {}, u.username)),
      td(roleLabel(u.role)),
      td(h("bdi", {}, u.team ?? "")),
      h("td", { class: "active" }, u.active ? "oui" : "non"),
    );
    if (isAdmin) row.append(actions(u, message));
    addRow(t, row);
  }
  main.append(t);
  if (!isAdmin) {
    main.append(
      h("p", {}, "Lecture seule : les comptes de votre équipe. Un administrateur les crée et les modifie."),
      message,
    );
    return;
  }
  main.append(h("h2", {}, "Nouveau compte"), newUserForm(message), message);
}

/** Deactivate or reactivate (not one's own account), and set a new password. */
function actions(u: User, message: HTMLElement): HTMLElement {
  const cell = h("td", { class: "actions" });
  if (u.id !== state.me?.user.id) {
    const toggle = h(
      "button",
      { class: u.active ? "deactivate" : "activate" },
      u.active ? "Désactiver" : "Réactiver",
    );
    toggle.addEventListener("click", async () => {
      const question = `Désactiver ${u.username} ? Ses sessions et ses appareils sont coupés aussitôt.`;
      if (u.active && !confirm(question)) return;
      try {
        await json("POST", api(`/users/${u.id}/${u.active ? "deactivate" : "activate"}`));
        await refresh();
        $("#users-result").textContent = u.active ? `${u.username} désactivé.` : `${u.username} réactivé.`;
      } catch (err) {
        show(err, message);
      }
    });
    cell.append(toggle);
  }
  const password = h("input", {
    type: "password",
    class: "new-password",
    autocomplete: "new-password",
    placeholder: "Nouveau mot de passe",
    "aria-label": `Nouveau mot de passe de ${u.username}`,
    size: 18,
  });
  const reset = h("button", { class: "reset-password" }, "Réinitialiser");
  reset.addEventListener("click", async () => {
    try {
      await json("POST", api(`/users/${u.id}/password`), { password: password.value });
      password.value = "";
      message.textContent = `Mot de passe de ${u.username} changé ; ses sessions sont fermées.`;
    } catch (err) {
      show(err, message);
    }
  });
  cell.append(" ", password, reset);
  return cell;
}

function newUserForm(message: HTMLElement): HTMLFormElement {
  const username = h("input", { id: "new-user-name", autocomplete: "off", required: true, maxlength: 64 });
  const role = h("select", { id: "new-user-role" });
  for (const [r, label] of ROLES) role.append(h("option", { value: r }, label));
  const team = h("input", { id: "new-user-team", autocomplete: "off" });
  const password = h("input", {
    id: "new-user-password",
    type: "password",
    autocomplete: "new-password",
    minlength: 10,
    required: true,
  });
  const teamLabel = h("label", {}, "Équipe ", team);
  const syncTeam = () => {
    const needed = TEAM_ROLES.includes(role.value);
    teamLabel.hidden = !needed;
    team.required = needed;
  };
  role.addEventListener("change", syncTeam);
  syncTeam();
  const form = h(
    "form",
    { id: "new-user-form", class: "inline-form" },
    h("label", {}, "Compte ", username),
    h("label", {}, "Rôle ", role),
    teamLabel,
    h("label", {}, "Mot de passe initial (10 caractères au moins) ", password),
    h("button", { type: "submit", id: "create-user" }, "Créer le compte"),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const created = await json<User>("POST", api("/users"), {
        username: username.value.trim(),
        password: password.value,
        role: role.value,
        team: TEAM_ROLES.includes(role.value) ? team.value.trim() : null,
      });
      password.value = "";
      await refresh();
      $("#users-result").textContent = `Compte ${created.username} créé.`;
    } catch (err) {
      show(err, message);
    }
  });
  return form;
}
