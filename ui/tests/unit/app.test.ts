// The app controller against a mocked Tauri IPC: which screen shows for which state, which commands are
// called with which arguments, and that nothing is written to web storage.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mockIPC, clearMocks } from "@tauri-apps/api/mocks";
import { App } from "../../src/app";
import { setLocale } from "../../src/i18n";
import { home, screen, status } from "../fixtures/screens";

type Call = { cmd: string; args: Record<string, unknown> };

function setup(handler: (cmd: string, args: Record<string, unknown>) => unknown) {
  const calls: Call[] = [];
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    if (cmd.startsWith("plugin:event|")) return 1;
    return handler(cmd, a);
  });
  const root = document.createElement("div");
  document.body.replaceChildren(root);
  return { calls, root, app: new App(root) };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => setLocale("fr"));
afterEach(() => clearMocks());

describe("app flow", () => {
  it("first run shows enrolment, then the PIN choice", async () => {
    let enrolled = false;
    const { root, app, calls } = setup((cmd) => {
      if (cmd === "app_status") return status({ enrolled, hasProfile: false, unlocked: false });
      if (cmd === "enrol") {
        enrolled = true;
        return status({ hasProfile: false, unlocked: false });
      }
      throw { code: "internal", message: cmd };
    });
    await app.start();
    expect(root.querySelector("[data-screen=enrol]")).not.toBeNull();
    (root.querySelector("#enrol-server") as HTMLInputElement).value = "http://127.0.0.1:8080";
    (root.querySelector("#enrol-code") as HTMLInputElement).value = "ABCD-EFGH";
    (root.querySelector("#enrol-submit") as HTMLButtonElement).click();
    await flush();
    await flush();
    expect(calls.find((c) => c.cmd === "enrol")?.args).toEqual({
      server: "http://127.0.0.1:8080",
      code: "ABCD-EFGH",
    });
    expect(root.querySelector("[data-screen=create-pin]")).not.toBeNull();
  });

  it("explains a wrong PIN in the enumerator’s language", async () => {
    const { root, app } = setup((cmd) => {
      if (cmd === "app_status") return status({ unlocked: false });
      if (cmd === "unlock") throw { code: "wrong_pin", message: "wrong PIN" };
      throw { code: "internal", message: cmd };
    });
    setLocale("ar");
    await app.start();
    (root.querySelector("#pin-unlock") as HTMLInputElement).value = "0000";
    (root.querySelector("#pin-submit") as HTMLButtonElement).click();
    await flush();
    expect(root.querySelector("[role=alert]")?.textContent).toBe("الرمز السري غير صحيح.");
  });

  it("opens an assignment, answers, and switches to Arabic with a mirrored layout", async () => {
    const { root, app, calls } = setup((cmd, args) => {
      switch (cmd) {
        case "app_status":
          return status();
        case "home":
          return home();
        case "start_interview":
          return screen("fr");
        case "answer":
          return screen("fr");
        case "set_language":
          return screen(args.language as "fr" | "ar");
        default:
          throw { code: "internal", message: cmd };
      }
    });
    await app.start();
    expect(root.querySelector("[data-screen=home]")).not.toBeNull();
    expect(root.querySelectorAll("[data-group]").length).toBe(4);
    (root.querySelector('[data-open="12"]') as HTMLButtonElement).click();
    await flush();
    expect(calls.find((c) => c.cmd === "start_interview")?.args).toEqual({
      assignmentId: "12",
      questionnaire: null,
    });
    expect(root.querySelector("[data-screen=interview]")).not.toBeNull();
    (root.querySelector('[data-path="hh_roster[1].m_sex"][data-code="2"]') as HTMLButtonElement).click();
    await flush();
    expect(calls.filter((c) => c.cmd === "answer").at(-1)?.args).toEqual({
      path: "hh_roster[1].m_sex",
      value: "2",
    });
    (root.querySelector("[data-lang=ar]") as HTMLButtonElement).click();
    await flush();
    expect(document.documentElement.dir).toBe("rtl");
    expect(root.querySelector(".group-label")?.textContent).toContain("معلومات");
  });

  it("keeps answers out of web storage", async () => {
    const { app } = setup((cmd) => {
      if (cmd === "app_status") return status();
      if (cmd === "home") return home();
      if (cmd === "open_interview" || cmd === "answer") return screen();
      throw { code: "internal", message: cmd };
    });
    await app.start();
    expect(localStorage.length).toBe(0);
    expect(sessionStorage.length).toBe(0);
  });

  it("shows sync progress, receipts and a translated network error", async () => {
    const { root, app } = setup((cmd) => {
      switch (cmd) {
        case "app_status":
          return status();
        case "home":
          return home();
        case "sync":
          return {
            sent: 1,
            conflicts: 0,
            failed: 0,
            assignments: 2,
            rejected: 0,
            errorCode: null,
            error: null,
            receipts: [
              {
                interviewId: "019a0000-0000-7000-8000-00000000a001",
                revision: 3,
                sequence: 42,
                receivedAt: "2026-11-23T10:00:00Z",
              },
            ],
            finishedMs: 1_763_900_000_000,
          };
        default:
          throw { code: "internal", message: cmd };
      }
    });
    await app.start();
    (root.querySelector("#sync") as HTMLButtonElement).click();
    await flush();
    await flush();
    expect(root.querySelector("#sync-report")?.textContent).toContain("42");
    clearMocks();
    const second = setup((cmd) => {
      switch (cmd) {
        case "app_status":
          return status();
        case "home":
          return home();
        case "sync":
          return {
            sent: 0,
            conflicts: 0,
            failed: 0,
            assignments: 0,
            rejected: 0,
            errorCode: "network",
            error: "connection refused",
            receipts: [],
            finishedMs: 1,
          };
        default:
          throw { code: "internal", message: cmd };
      }
    });
    await second.app.start();
    (second.root.querySelector("#sync") as HTMLButtonElement).click();
    await flush();
    await flush();
    expect(second.root.querySelector("#error")?.textContent).toContain("Pas de connexion");
  });
});
