// The commands of the Rust side, typed. The UI holds answers only in memory: every state comes from these
// calls and nothing is written to localStorage, IndexedDB or caches.

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { HomeDto, ReviewDto, ScreenDto, StatusDto, SyncProgressDto, SyncReportDto, Nav } from "./types";

/// The one error shape of every command.
export interface CommandError {
  code: string;
  message: string;
}

export function isCommandError(e: unknown): e is CommandError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  return invoke<T>(cmd, args).catch((e: unknown) => {
    throw isCommandError(e) ? e : { code: "internal", message: String(e) };
  });
}

export const api = {
  status: () => call<StatusDto>("app_status"),
  enrol: (server: string, code: string) => call<StatusDto>("enrol", { server, code }),
  createPin: (pin: string) => call<StatusDto>("create_pin", { pin }),
  trainingProfile: (name: string, pin: string) => call<StatusDto>("training_profile", { name, pin }),
  unlock: (pin: string) => call<StatusDto>("unlock", { pin }),
  lock: () => call<void>("lock"),
  home: (language: string) => call<HomeDto>("home", { language }),
  startInterview: (assignmentId: string | null, questionnaire: string | null) =>
    call<ScreenDto>("start_interview", { assignmentId, questionnaire }),
  openInterview: (id: string) => call<ScreenDto>("open_interview", { id }),
  answer: (path: string, value: unknown) => call<ScreenDto>("answer", { path, value }),
  confirmWarning: (path: string) => call<ScreenDto>("confirm_warning", { path }),
  addRow: (roster: string) => call<ScreenDto>("add_row", { roster }),
  removeRow: (row: string) => call<ScreenDto>("remove_row", { row }),
  navigate: (nav: Nav) => call<ScreenDto>("navigate", { nav }),
  setLanguage: (language: string) => call<ScreenDto | null>("set_language", { language }),
  review: () => call<ReviewDto>("review"),
  complete: () => call<void>("complete"),
  closeInterview: () => call<void>("close_interview"),
  sync: () => call<SyncReportDto>("sync"),
  onSyncProgress: (f: (p: SyncProgressDto) => void): Promise<UnlistenFn> =>
    listen<SyncProgressDto>("sync-progress", (e) => f(e.payload)),
};
