// The server's API as the console sees it: requests with the CSRF token, errors, and the shapes of the
// answers (as serialised by `sync-proto` and `sync-server/src/console`).

/** A request the server refused: its status and its JSON body (`{error: {code, message}}`, …). */
export class ApiError extends Error {
  constructor(
    public status: number,
    public body: ErrorBody,
  ) {
    super(body?.error?.message ?? `HTTP ${status}`);
  }
}

export interface ErrorBody {
  error?: { code?: string; message?: string };
  /** A refused cleaned batch: one line per cell in error. */
  problems?: BatchProblem[];
  /** The same problems as CSV, to download. */
  report_csv?: string;
}

/** The value of the CSRF cookie, echoed in `X-CSRF-Token` by every state-changing request. */
function csrf(): string {
  const cookie = document.cookie
    .split(";")
    .map((c) => c.trim())
    .find((c) => c.startsWith("daftar_csrf="));
  return cookie ? cookie.slice("daftar_csrf=".length) : "";
}

/**
 * Sends a request with the session cookie. A string, Blob or ArrayBuffer body goes as is with
 * `contentType`; anything else as JSON. Throws [`ApiError`] unless the status is 2xx.
 */
export async function call(
  method: string,
  url: string,
  body?: unknown,
  contentType?: string,
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (method !== "GET") headers["X-CSRF-Token"] = csrf();
  let payload: BodyInit | undefined;
  if (typeof body === "string" || body instanceof Blob || body instanceof ArrayBuffer) {
    payload = body;
    if (contentType) headers["Content-Type"] = contentType;
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["Content-Type"] = "application/json";
  }
  const response = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
  if (!response.ok) {
    let parsed: ErrorBody;
    try {
      parsed = await response.json();
    } catch {
      parsed = { error: { message: `HTTP ${response.status}` } };
    }
    throw new ApiError(response.status, parsed);
  }
  return response;
}

/** A JSON request; the parsed answer (`null` for 204). */
export async function json<T>(method: string, url: string, body?: unknown): Promise<T> {
  const r = await call(method, url, body);
  return r.status === 204 ? (null as T) : r.json();
}

/** A path of the JSON API, forwarded by the console with the session's token. */
export const api = (path: string) => `/console/api/v1${path}`;

/** A path of the console's own endpoints for survey `survey`. */
export const surveyPath = (survey: string, rest: string) =>
  `/console/surveys/${encodeURIComponent(survey)}${rest}`;

// ---- Shapes --------------------------------------------------------------------------------------

export type Role = "admin" | "supervisor" | "data_manager" | "enumerator";

export interface User {
  id: number;
  username: string;
  role: Role;
  team: string | null;
  active: boolean;
}

/** `GET /console/session`. */
export interface Session {
  user: User;
  csrf: string;
  /** The surveys whose key this session has unlocked. */
  unlocked: string[];
}

export interface SurveyInfo {
  id: string;
  title: string;
}

export type MonitoringValue = null | number | string | (number | string)[];

export type Status = "submitted" | "approved" | "rejected";

export interface InterviewSummary {
  interview_id: string;
  revision: number;
  status: Status;
  enumerator_id: number;
  monitoring: Record<string, MonitoringValue>;
}

export interface QuotaCell {
  quota: string;
  cell: Record<string, string>;
  target: number;
  fill: number;
  in_progress: number;
}

/** `GET /console/surveys/{id}/paradata` (survey key unlocked). */
export interface Paradata {
  enumerators: {
    enumerator_id: number;
    median_minutes: number | null;
    per_day: number;
    share_with_confirmed_warnings: number;
    shorter_than_threshold: number;
  }[];
  /** Interviews per day, `YYYY-MM-DD` → count. */
  days: Record<string, number>;
}

export interface LocatedPoint {
  interview: string;
  status: Status;
  lat: number;
  lon: number;
}

/** `GET /console/interviews/{id}/view` (survey key unlocked). */
export interface InterviewView {
  summary: InterviewSummary;
  reviews: { decision: string; revision: number; note: string | null }[];
  languages: string[];
  items: ViewItem[];
  events: { at: string; event: string; path?: string | null; detail?: string | null }[];
  complete: boolean;
}

export interface ViewItem {
  path: string;
  name: string;
  kind: string;
  depth: number;
  calculated: boolean;
  /** Per language. */
  label: Record<string, string>;
  /** Per language. */
  value: Record<string, string>;
  issues: { code: string; message: string; soft: boolean; confirmed: boolean }[];
}

export interface Assignment {
  id: number;
  enumerator_id: number;
  quantity: number | null;
  preload: Record<string, string>;
  /** Distinct interviews received for it. */
  used: number;
}

export interface Device {
  id: string;
  label: string;
  enumerator_id: number;
  enrolled_at: string;
  revoked_at: string | null;
}

export interface EnrolmentCode {
  code: string;
  expires_at: string;
  qr_svg: string;
}

/** A cleaned version: who, when, why, and its difference from the raw data in cells. */
export interface VersionMeta {
  number: number;
  created_by: string;
  created_at: string;
  reason: string;
  interviews: number;
  changed: number;
  added: number;
  deleted: number;
}

export interface VariableDiff {
  level: string;
  variable: string;
  changed: number;
  added: number;
  deleted: number;
}

/** An accepted cleaned batch. */
export interface BatchResult {
  version: VersionMeta;
  variables: VariableDiff[];
}

export interface BatchProblem {
  file: string;
  row: number;
  column: string;
  value: string;
  problem: string;
}

export interface SdgRow {
  variant: string;
  breakdown: string;
  group: string;
  n: number;
  mean: number | null;
  median: number | null;
  p80: number | null;
  zero_income: number;
  no_income: number;
  no_rate: number;
}
