//! Paradata: what happened during the interview and when, from the injected clock.

use survey_expr::DateTimeValue;

/// One paradata event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// When it happened.
    pub at: DateTimeValue,
    /// What happened.
    pub kind: EventKind,
}

/// The kinds of paradata events. Answers themselves are not copied into events: the event log says that
/// and when an item was answered, the interview holds what.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// The interview was opened for the first time.
    Started,
    /// An answer was given or changed.
    AnswerSet {
        /// Path of the item.
        path: String,
    },
    /// An answer was removed.
    AnswerCleared {
        /// Path of the item.
        path: String,
    },
    /// A roster row was added.
    RowAdded {
        /// Path of the new row.
        path: String,
    },
    /// A roster row was removed.
    RowRemoved {
        /// Path of the row, before removal.
        path: String,
    },
    /// The enumerator confirmed the warnings on an item.
    WarningConfirmed {
        /// Path of the item.
        path: String,
    },
    /// The interview language changed.
    LanguageChanged {
        /// The new language code.
        language: String,
    },
    /// The enumerator moved to an item or page.
    Navigated {
        /// Path of the item or group shown.
        path: String,
    },
    /// The interview was marked complete.
    Finished,
}

impl EventKind {
    /// A short stable name for the event kind.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Started => "started",
            EventKind::AnswerSet { .. } => "answer_set",
            EventKind::AnswerCleared { .. } => "answer_cleared",
            EventKind::RowAdded { .. } => "row_added",
            EventKind::RowRemoved { .. } => "row_removed",
            EventKind::WarningConfirmed { .. } => "warning_confirmed",
            EventKind::LanguageChanged { .. } => "language_changed",
            EventKind::Navigated { .. } => "navigated",
            EventKind::Finished => "finished",
        }
    }

    /// The path the event is about, if any.
    pub fn path(&self) -> Option<&str> {
        match self {
            EventKind::AnswerSet { path }
            | EventKind::AnswerCleared { path }
            | EventKind::RowAdded { path }
            | EventKind::RowRemoved { path }
            | EventKind::WarningConfirmed { path }
            | EventKind::Navigated { path } => Some(path),
            _ => None,
        }
    }
}
