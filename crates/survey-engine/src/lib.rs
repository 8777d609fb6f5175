//! The interview engine of Daftar: a session over a compiled questionnaire.
//!
//! It applies answers and roster changes, keeps relevance, calculations, checks and completeness up to date
//! incrementally, navigates screens and sections, and records paradata. It does no IO: time and identifiers
//! come from an [`Environment`].
//!
//! ```
//! use std::sync::Arc;
//! use survey_engine::{FixedEnvironment, Session, Step};
//! use survey_expr::DateTimeValue;
//! use survey_spec::{Answer, NoFiles};
//!
//! let text = r#"
//! daftar: 1
//! id: demo
//! version: "1"
//! items:
//!   - {name: age, type: integer, label: Age}
//!   - {name: works, type: yes_no, label: Works?, relevant: "${age} >= 15"}
//! "#;
//! let (q, diagnostics) = survey_spec::load(text, "demo.yaml", &NoFiles);
//! assert!(diagnostics.is_empty(), "{diagnostics:?}");
//! let env = FixedEnvironment::new(DateTimeValue { millis: 0, offset_minutes: 0 });
//! let mut session = Session::new(q.unwrap(), Box::new(env));
//! let works = session.resolve("works").unwrap();
//! assert!(!session.is_relevant(works));
//! session.apply(&Step::Set { path: "age".into(), value: Answer::Integer(30) }).unwrap();
//! assert!(session.is_relevant(works));
//! ```
#![deny(missing_docs)]

mod context;
mod event;
mod navigation;
mod path;
mod quota;
mod render;
mod session;

pub use event::{Event, EventKind};
pub use navigation::{Screen, SectionState};
pub use path::{Path, PathError, Segment};
pub use quota::{QuotaUnit, monitoring_answer, quota_units};
pub use render::display_value;
pub use session::{
    Delta, Environment, FixedEnvironment, Instance, Issue, Rejection, ScopeId, Session, Step,
};
