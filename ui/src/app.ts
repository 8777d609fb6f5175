// The app controller: which screen is shown, the top bar (language, sync with progress, lock), the
// inactivity lock and automatic sync when the network comes back. State lives in Rust; this holds only
// what is on screen.

import { h, replace } from "./dom";
import { api, type CommandError } from "./ipc";
import { t, setLocale, locale, LOCALES, bundleFor, formatDateTime, type Locale } from "./i18n";
import type {
  HomeDto,
  HomeEntryDto,
  ReviewDto,
  ScreenDto,
  StatusDto,
  SyncProgressDto,
  SyncReportDto,
} from "./types";
import { enrolView, createPinView, unlockView } from "./views/start";
import { canScan, scanEnrolment, useNativeSensors } from "./device";
import { homeView } from "./views/home";
import { interviewView, reviewView, type InterviewHandlers } from "./views/interview";

export type View =
  | { kind: "loading" }
  | { kind: "enrol" }
  | { kind: "create-pin" }
  | { kind: "unlock" }
  | { kind: "home"; home: HomeDto }
  | { kind: "interview"; screen: ScreenDto }
  | { kind: "review"; review: ReviewDto };

/// The interface message for a command error, in the current language.
export function errorText(e: CommandError, args: Record<string, number> = {}): string {
  const key = `error-${e.code}`;
  if (!bundleFor(locale()).hasMessage(key)) return t("error-internal");
  if (e.code === "locked_out") {
    const seconds = Number(/(\d+)/.exec(e.message)?.[1] ?? 30);
    return t(key, { seconds });
  }
  if (e.code === "rejected_step" || e.code === "upload" || e.code === "server")
    return `${t(key)} (${e.message})`;
  return t(key, args);
}

export class App {
  view: View = { kind: "loading" };
  status: StatusDto | null = null;
  error: string | null = null;
  query = "";
  syncing = false;
  progress: SyncProgressDto | null = null;
  lastReport: SyncReportDto | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private root: HTMLElement) {}

  async start(): Promise<void> {
    setLocale(locale());
    await api
      .onSyncProgress((p) => {
        this.progress = p;
        this.renderBar();
      })
      .catch(() => undefined);
    for (const ev of ["pointerdown", "keydown"])
      window.addEventListener(ev, () => this.touch(), { passive: true });
    window.addEventListener("online", () => void this.autoSync());
    await this.refresh();
  }

  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const minutes = this.status?.lockAfterMinutes ?? 5;
    this.idleTimer = setTimeout(() => void this.lock(), minutes * 60_000);
  }

  async refresh(): Promise<void> {
    try {
      this.status = await api.status();
      const s = this.status;
      useNativeSensors(s.sensors);
      if (!s.unlocked) {
        this.view = { kind: s.hasProfile ? "unlock" : s.enrolled ? "create-pin" : "enrol" };
      } else {
        this.view = { kind: "home", home: await api.home(locale()) };
        this.touch();
      }
    } catch (e) {
      this.fail(e);
    }
    this.render();
  }

  private fail(e: unknown): void {
    this.error = errorText(e as CommandError);
  }

  private async run<T>(f: () => Promise<T>, then: (v: T) => void | Promise<void>): Promise<void> {
    this.error = null;
    try {
      await then(await f());
    } catch (e) {
      this.fail(e);
    }
    this.render();
  }

  async lock(): Promise<void> {
    await api.lock().catch(() => undefined);
    await this.refresh();
  }

  async setLanguage(l: Locale): Promise<void> {
    setLocale(l);
    if (this.view.kind === "interview") {
      await this.run(
        () => api.setLanguage(l),
        (s) => {
          if (s) this.view = { kind: "interview", screen: s };
        },
      );
    } else if (this.view.kind === "home") {
      await this.run(
        () => api.home(l),
        (home) => void (this.view = { kind: "home", home }),
      );
    } else {
      this.render();
    }
  }

  private async autoSync(): Promise<void> {
    if (this.status?.unlocked && this.status.enrolled && !this.syncing && this.view.kind === "home") {
      await this.sync();
    }
  }

  async sync(): Promise<void> {
    this.syncing = true;
    this.progress = { phase: "upload", done: 0, total: 0 };
    this.renderBar();
    await this.run(
      () => api.sync(),
      async (report) => {
        this.lastReport = report;
        if (report.errorCode) this.error = errorText({ code: report.errorCode, message: report.error ?? "" });
        this.status = await api.status();
        this.view = { kind: "home", home: await api.home(locale()) };
      },
    );
    this.syncing = false;
    this.progress = null;
    this.render();
  }

  private show = (s: ScreenDto) => {
    this.view = { kind: "interview", screen: s };
  };

  private interviewHandlers(): InterviewHandlers & { complete(): void } {
    return {
      answer: (path, value) => void this.run(() => api.answer(path, value), this.show),
      confirm: (path) => void this.run(() => api.confirmWarning(path), this.show),
      next: () => void this.run(() => api.navigate({ to: "next" }), this.show),
      previous: () => void this.run(() => api.navigate({ to: "previous" }), this.show),
      goTo: (path) => void this.run(() => api.navigate({ to: "path", path }), this.show),
      addRow: (roster) => void this.run(() => api.addRow(roster), this.show),
      removeRow: (row) => void this.run(() => api.removeRow(row), this.show),
      review: () =>
        void this.run(
          () => api.review(),
          (review) => void (this.view = { kind: "review", review }),
        ),
      home: () =>
        void this.run(
          () => api.closeInterview(),
          () => this.refresh(),
        ),
      complete: () =>
        void this.run(
          () => api.complete(),
          () => this.refresh(),
        ),
    };
  }

  private openEntry(e: HomeEntryDto): void {
    if (e.kind === "assignment") void this.run(() => api.startInterview(e.id, null), this.show);
    else void this.run(() => api.openInterview(e.id), this.show);
  }

  private topBar(): HTMLElement {
    const inInterview = this.view.kind === "interview" || this.view.kind === "review";
    const unlocked = this.status?.unlocked;
    return h(
      "header",
      { class: "topbar" },
      h("span", { class: "brand" }, t("app-title")),
      inInterview
        ? h(
            "button",
            {
              type: "button",
              class: "secondary",
              id: "nav-home",
              onclick: () => this.interviewHandlers().home(),
            },
            t("nav-home"),
          )
        : null,
      h("span", { class: "spacer" }),
      h(
        "div",
        { class: "langs", role: "group", "aria-label": t("lang-switch") },
        LOCALES.map((l) =>
          h(
            "button",
            {
              type: "button",
              class: `lang${l === locale() ? " selected" : ""}`,
              lang: l,
              "data-lang": l,
              "aria-pressed": l === locale() ? "true" : "false",
              onclick: () => void this.setLanguage(l),
            },
            bundleFor(l).getMessage("lang-name")?.value?.toString() ?? l,
          ),
        ),
      ),
      unlocked && this.status?.enrolled && !inInterview
        ? h(
            "button",
            {
              type: "button",
              class: "primary",
              id: "sync",
              disabled: this.syncing,
              onclick: () => void this.sync(),
            },
            this.syncing ? t("sync-running") : t("sync"),
          )
        : null,
      unlocked
        ? h(
            "button",
            { type: "button", class: "secondary", id: "lock", onclick: () => void this.lock() },
            t("lock"),
          )
        : null,
    );
  }

  private barHost: HTMLElement | null = null;

  private renderBar(): void {
    if (!this.barHost) return;
    const p = this.progress;
    if (!p) {
      this.barHost.replaceChildren();
      return;
    }
    const value = p.phase === "done" ? 1 : p.total ? p.done / p.total : 0;
    this.barHost.replaceChildren(
      h("progress", { id: "sync-progress", max: 1, value }),
      h(
        "span",
        { class: "small" },
        p.phase === "upload" ? t("sync-upload", { done: p.done, total: p.total }) : t("sync-download"),
      ),
    );
  }

  private reportView(): HTMLElement | null {
    const r = this.lastReport;
    if (!r || this.view.kind !== "home") return null;
    return h(
      "section",
      { class: "report", id: "sync-report", role: "status" },
      h("p", {}, t("sync-done", { sent: r.sent, rejected: r.rejected, assignments: r.assignments })),
      r.receipts.length
        ? h(
            "ul",
            { class: "receipts" },
            r.receipts.map((x) =>
              h(
                "li",
                { "data-receipt-for": x.interviewId },
                t("receipt", { sequence: x.sequence, when: x.receivedAt }),
                " ",
                h("bdi", { class: "small" }, x.interviewId.slice(-6)),
              ),
            ),
          )
        : null,
      h("p", { class: "small muted" }, formatDateTime(r.finishedMs)),
    );
  }

  render(): void {
    const handlers = {
      enrol: (server: string, code: string) =>
        void this.run(
          () => api.enrol(server, code),
          () => this.refresh(),
        ),
      scan: canScan()
        ? () =>
            void this.run(
              () => scanEnrolment().then((e) => api.enrol(e.server, e.code)),
              () => this.refresh(),
            )
        : undefined,
      training: (pin: string) =>
        void this.run(
          () => api.trainingProfile("", pin),
          () => this.refresh(),
        ),
      createPin: (pin: string) =>
        void this.run(
          () => api.createPin(pin),
          () => this.refresh(),
        ),
      unlock: (pin: string) =>
        void this.run(
          () => api.unlock(pin),
          () => this.refresh(),
        ),
    };
    let body: HTMLElement;
    switch (this.view.kind) {
      case "loading":
        body = h("main", { class: "card narrow", "aria-busy": "true" });
        break;
      case "enrol":
        body = enrolView(handlers, this.error);
        break;
      case "create-pin":
        body = createPinView(handlers, this.error);
        break;
      case "unlock":
        body = unlockView(
          this.status?.displayName ?? "",
          this.status?.lockAfterMinutes ?? 5,
          handlers,
          this.error,
        );
        break;
      case "home":
        body = homeView(
          this.view.home,
          this.query,
          {
            open: (e) => this.openEntry(e),
            startFree: (q) => void this.run(() => api.startInterview(null, q), this.show),
          },
          (q) => (this.query = q),
        );
        break;
      case "interview":
        body = interviewView(this.view.screen, this.interviewHandlers());
        break;
      case "review":
        body = reviewView(this.view.review, this.interviewHandlers());
        break;
    }
    this.barHost = h("div", { class: "progress-host", "aria-live": "polite" });
    const showError = this.error && !["enrol", "create-pin", "unlock"].includes(this.view.kind);
    replace(
      this.root,
      this.topBar(),
      this.barHost,
      showError ? h("p", { class: "banner error", role: "alert", id: "error" }, this.error) : null,
      this.reportView(),
      body,
    );
    this.renderBar();
  }
}
