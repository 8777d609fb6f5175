//! Diagnostic codes of the XLSForm importer.
//!
//! `XLS0xx` are errors in the workbook itself (pyxform rejects the same inputs), `XLS1xx` are XLSForm
//! features Daftar does not support (errors; listed with reasons in the crate README), `XLS2xx` are
//! warnings. Each code has a triggering input in `tests/it/main.rs`.

/// The bytes are not a readable workbook.
pub const UNREADABLE: &str = "XLS001";
/// No `survey` sheet.
pub const NO_SURVEY_SHEET: &str = "XLS002";
/// A required column (`type` on `survey`, `list_name`/`name` on `choices`) is missing.
pub const MISSING_COLUMN: &str = "XLS003";
/// The same column appears twice (possibly under two aliases).
pub const DUPLICATE_COLUMN: &str = "XLS004";
/// A `type` that XLSForm does not define.
pub const UNKNOWN_TYPE: &str = "XLS005";
/// A row with a name or label but no type.
pub const MISSING_TYPE: &str = "XLS006";
/// `end group`/`end repeat` without a matching `begin`.
pub const UNMATCHED_END: &str = "XLS007";
/// `begin group`/`begin repeat` never closed.
pub const UNCLOSED_BEGIN: &str = "XLS008";
/// `calculate` without a calculation.
pub const MISSING_CALCULATION: &str = "XLS009";
/// A choice without a name.
pub const MISSING_CHOICE_NAME: &str = "XLS010";
/// A cell whose content cannot be parsed (`parameters`, `daftar_checks`).
pub const BAD_CELL: &str = "XLS011";
/// A shown question with neither label nor hint.
pub const NO_LABEL: &str = "XLS012";
/// An `audit` row with another name, or parameters ODK does not understand.
pub const BAD_AUDIT: &str = "XLS013";

/// A question type Daftar does not collect (media, barcode, geotrace, rank, external selects…).
pub const UNSUPPORTED_TYPE: &str = "XLS101";
/// A default that is an expression.
pub const DYNAMIC_DEFAULT: &str = "XLS102";
/// `${last-saved#name}`: values of the previous interview on the device.
pub const LAST_SAVED: &str = "XLS103";

/// A column, sheet, setting or row type that has no effect in Daftar and is ignored.
pub const IGNORED: &str = "XLS201";
/// A language written without a code; the code was guessed.
pub const LANGUAGE_GUESSED: &str = "XLS202";
/// A text lacks a translation; another language's text is used.
pub const MISSING_TRANSLATION: &str = "XLS203";
/// `form_id` was changed to fit Daftar's id rules.
pub const ID_CHANGED: &str = "XLS204";
/// A `select_*_from_file` CSV is not next to the form.
pub const MISSING_ATTACHMENT: &str = "XLS205";
/// A choice list was renamed to a native list name (`yes_no`, names with `-` or `.`).
pub const RENAMED: &str = "XLS206";
/// Typographic quotes in an expression were read as straight quotes.
pub const SMART_QUOTES: &str = "XLS208";
/// A question or choice without a label is labelled with its hint or its name.
pub const MISSING_LABEL: &str = "XLS207";
