// First run (enrolment, PIN choice) and later runs (unlock).

import { h } from "../dom";
import { t } from "../i18n";

export interface StartHandlers {
  enrol(server: string, code: string): void;
  scan?(): void;
  training(pin: string): void;
  createPin(pin: string): void;
  unlock(pin: string): void;
}

function pinInput(id: string, label: string): [HTMLElement, HTMLInputElement] {
  const input = h("input", {
    type: "password",
    inputmode: "numeric",
    autocomplete: "off",
    class: "field pin",
    id,
    dir: "ltr",
    maxlength: 12,
  });
  return [h("label", { for: id, class: "item-label" }, label), input];
}

export function enrolView(handlers: StartHandlers, error: string | null): HTMLElement {
  const server = h("input", {
    type: "url",
    id: "enrol-server",
    class: "field",
    dir: "ltr",
    autocomplete: "off",
    value: "https://",
  });
  const code = h("input", {
    type: "text",
    id: "enrol-code",
    class: "field",
    dir: "ltr",
    autocomplete: "off",
    autocapitalize: "characters",
  });
  const [trainingLabel, trainingPin] = pinInput("training-pin", t("pin-label"));
  return h(
    "main",
    { class: "card narrow", "data-screen": "enrol" },
    h("h1", {}, t("enrol-title")),
    h("p", {}, t("enrol-intro")),
    h("label", { for: "enrol-server", class: "item-label" }, t("enrol-server")),
    server,
    h("label", { for: "enrol-code", class: "item-label" }, t("enrol-code")),
    code,
    error ? h("p", { class: "issue error", role: "alert" }, error) : null,
    h(
      "div",
      { class: "actions" },
      handlers.scan
        ? h(
            "button",
            { type: "button", class: "secondary", id: "enrol-scan", onclick: () => handlers.scan?.() },
            t("enrol-scan"),
          )
        : null,
      h(
        "button",
        {
          type: "button",
          class: "primary",
          id: "enrol-submit",
          onclick: () => handlers.enrol(server.value, code.value),
        },
        t("enrol-submit"),
      ),
    ),
    h(
      "details",
      { class: "training" },
      h("summary", {}, t("enrol-training")),
      trainingLabel,
      trainingPin,
      h(
        "button",
        {
          type: "button",
          class: "secondary",
          id: "training-start",
          onclick: () => handlers.training(trainingPin.value),
        },
        t("start"),
      ),
    ),
  );
}

export function createPinView(handlers: StartHandlers, error: string | null): HTMLElement {
  const [l1, p1] = pinInput("pin-new", t("pin-label"));
  const [l2, p2] = pinInput("pin-repeat", t("pin-confirm"));
  const message = h("p", { class: "issue error", role: "alert", hidden: !error }, error ?? "");
  return h(
    "main",
    { class: "card narrow", "data-screen": "create-pin" },
    h("h1", {}, t("pin-create-title")),
    h("p", {}, t("pin-create-intro")),
    l1,
    p1,
    l2,
    p2,
    message,
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        {
          type: "button",
          class: "primary",
          id: "pin-save",
          onclick: () => {
            if (p1.value !== p2.value) {
              message.textContent = t("pin-mismatch");
              message.hidden = false;
              return;
            }
            handlers.createPin(p1.value);
          },
        },
        t("pin-create-submit"),
      ),
    ),
  );
}

export function unlockView(
  name: string,
  lockMinutes: number,
  handlers: StartHandlers,
  error: string | null,
): HTMLElement {
  const [label, pin] = pinInput("pin-unlock", t("pin-label"));
  pin.addEventListener("keydown", (e) => {
    if ((e as KeyboardEvent).key === "Enter") handlers.unlock(pin.value);
  });
  return h(
    "main",
    { class: "card narrow", "data-screen": "unlock" },
    h("h1", {}, t("pin-unlock-title", { name })),
    h("p", {}, t("pin-unlock-intro")),
    label,
    pin,
    error ? h("p", { class: "issue error", role: "alert" }, error) : null,
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        { type: "button", class: "primary", id: "pin-submit", onclick: () => handlers.unlock(pin.value) },
        t("pin-submit"),
      ),
    ),
    h("p", { class: "muted" }, t("locked-after", { minutes: lockMinutes })),
  );
}
