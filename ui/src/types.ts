// The IPC view models (mirrors of crates/daftar-app-core/src/dto.rs, camelCase).

export interface StatusDto {
  enrolled: boolean;
  hasProfile: boolean;
  unlocked: boolean;
  displayName: string | null;
  server: string | null;
  lastSyncMs: number | null;
  lockAfterMinutes: number;
  sensors: boolean;
}

export interface HomeEntryDto {
  kind: "assignment" | "interview";
  id: string;
  status: string;
  title: string;
  label: string;
  assignmentId: string | null;
  updatedMs: number | null;
  reviewNote: string | null;
  receipt: string | null;
  quantity: number | null;
  used: number | null;
}

export interface QuotaDto {
  quota: string;
  cell: string;
  target: number;
  fill: number;
  state: "open" | "nearly_full" | "full";
}

export interface HomeDto {
  entries: HomeEntryDto[];
  quotas: QuotaDto[];
  lastSyncMs: number | null;
  questionnaires: string[];
}

export interface ChoiceDto {
  code: string;
  label: string;
  altLabel: string | null;
}

export interface IssueDto {
  code: string;
  message: string;
  soft: boolean;
  confirmed: boolean;
}

export interface ItemDto {
  path: string;
  name: string;
  kind: string;
  appearance: string | null;
  label: string;
  hint: string | null;
  required: boolean;
  readOnly: boolean;
  value: unknown;
  choices: ChoiceDto[];
  currencies: ChoiceDto[];
  accuracy: number | null;
  issues: IssueDto[];
  comment: string | null;
}

export interface RosterRowDto {
  path: string;
  label: string;
  answered: number;
  questions: number;
}

export interface RosterDto {
  path: string;
  label: string;
  rows: RosterRowDto[];
  counted: boolean;
}

export interface SectionDto {
  path: string;
  label: string;
  questions: number;
  answered: number;
  missing: number;
  errors: number;
  warnings: number;
}

export interface ScreenDto {
  interviewId: string;
  title: string;
  language: string;
  languages: string[];
  anchor: string;
  groupLabel: string | null;
  items: ItemDto[];
  roster: RosterDto | null;
  position: number;
  screenCount: number;
  hasPrevious: boolean;
  hasNext: boolean;
  sections: SectionDto[];
  status: string;
  reviewNote: string | null;
}

export interface ReviewLineDto {
  path: string;
  label: string;
  kind: "unanswered" | "error" | "warning" | "comment";
  message: string;
}

export interface ReviewDto {
  interviewId: string;
  lines: ReviewLineDto[];
  canComplete: boolean;
  answered: number;
  questions: number;
}

export interface ReceiptDto {
  interviewId: string;
  revision: number;
  sequence: number;
  receivedAt: string;
}

export interface SyncReportDto {
  sent: number;
  conflicts: number;
  failed: number;
  assignments: number;
  rejected: number;
  errorCode: string | null;
  error: string | null;
  receipts: ReceiptDto[];
  finishedMs: number;
}

export interface SyncProgressDto {
  phase: "upload" | "download" | "done";
  done: number;
  total: number;
}

export type Nav = { to: "next" } | { to: "previous" } | { to: "path"; path: string };
