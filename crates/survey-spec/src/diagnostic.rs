//! Locations and diagnostics.
//!
//! A questionnaire comes from a text file (YAML/JSON, located by line and column) or from a workbook (XLSForm,
//! located by sheet and cell). Every diagnostic names its file, its location and a stable code, so that
//! `daftar spec check` can print `FILE:LINE:COL: error[CODE]: message` or `FILE:survey!C12: error[CODE]: ...`.

use std::fmt;
use std::sync::Arc;

/// Where something is in its source file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Loc {
    /// No precise location (for example a problem with the whole file).
    #[default]
    Unknown,
    /// A position in a text file, both 1-based.
    Text {
        /// Line, 1-based.
        line: u32,
        /// Column in characters, 1-based.
        col: u32,
    },
    /// A cell of a workbook, both 1-based.
    Cell {
        /// Sheet name, e.g. `survey`.
        sheet: Arc<str>,
        /// Row, 1-based (row 1 is the header).
        row: u32,
        /// Column, 1-based (1 is `A`).
        col: u32,
    },
}

impl Loc {
    /// A text location.
    pub fn text(line: u32, col: u32) -> Loc {
        Loc::Text { line, col }
    }

    /// This location moved right by `chars` characters (used to point inside an expression).
    pub fn shifted(&self, chars: u32) -> Loc {
        match self {
            Loc::Text { line, col } => Loc::Text {
                line: *line,
                col: col + chars,
            },
            other => other.clone(),
        }
    }

    /// The line and column for the JSON output; a cell reports its row and column.
    pub fn line_col(&self) -> (u32, u32) {
        match self {
            Loc::Unknown => (0, 0),
            Loc::Text { line, col } => (*line, *col),
            Loc::Cell { row, col, .. } => (*row, *col),
        }
    }
}

/// Spreadsheet column letters for a 1-based column number (1 → `A`, 27 → `AA`).
pub fn column_letters(mut col: u32) -> String {
    let mut letters = Vec::new();
    while col > 0 {
        let rem = (col - 1) % 26;
        letters.push(b'A' + rem as u8);
        col = (col - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Loc::Unknown => f.write_str("1:1"),
            Loc::Text { line, col } => write!(f, "{line}:{col}"),
            Loc::Cell { sheet, row, col } => write!(f, "{sheet}!{}{row}", column_letters(*col)),
        }
    }
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The questionnaire is usable but something looks wrong.
    Warning,
    /// The questionnaire cannot be used as it is.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One problem found in a questionnaire.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The file the problem is in, as the user named it.
    pub file: Arc<str>,
    /// Where in the file.
    pub loc: Loc,
    /// Error or warning.
    pub severity: Severity,
    /// A stable code, documented in `docs/diagnostics.md`.
    pub code: &'static str,
    /// What is wrong, for a questionnaire designer.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}[{}]: {}",
            self.file, self.loc, self.severity, self.code, self.message
        )
    }
}

/// Collects diagnostics for one file.
#[derive(Debug, Default)]
pub struct Diagnostics {
    file: Arc<str>,
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty collection for `file`.
    pub fn new(file: impl Into<Arc<str>>) -> Diagnostics {
        Diagnostics {
            file: file.into(),
            items: Vec::new(),
        }
    }

    /// The file these diagnostics are about.
    pub fn file(&self) -> &Arc<str> {
        &self.file
    }

    /// Records an error.
    pub fn error(&mut self, loc: &Loc, code: &'static str, message: impl Into<String>) {
        self.push(loc, Severity::Error, code, message);
    }

    /// Records a warning.
    pub fn warning(&mut self, loc: &Loc, code: &'static str, message: impl Into<String>) {
        self.push(loc, Severity::Warning, code, message);
    }

    /// Records a diagnostic of the given severity.
    pub fn push(
        &mut self,
        loc: &Loc,
        severity: Severity,
        code: &'static str,
        message: impl Into<String>,
    ) {
        self.items.push(Diagnostic {
            file: self.file.clone(),
            loc: loc.clone(),
            severity,
            code,
            message: message.into(),
        });
    }

    /// Whether any error was recorded.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Appends diagnostics gathered elsewhere.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    /// The diagnostics, in the order found.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }

    /// The diagnostics so far.
    pub fn as_slice(&self) -> &[Diagnostic] {
        &self.items
    }
}
