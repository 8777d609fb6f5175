//! The interview session: state, steps, and incremental re-evaluation.
//!
//! # State
//! The interview is a tree of *scopes*: the top level is scope 0, and every roster row is a scope of its own.
//! A scope holds one [`Cell`] per node that lives directly in it (indexed by `Node::local`); a roster's cell,
//! in the enclosing scope, holds the ids of its row scopes. Reading `${x}` from a row walks up the scope chain
//! to the scope that holds `x` — at most the roster depth, never a name lookup.
//!
//! # Incremental evaluation
//! The questionnaire's dependency graph says which nodes read which. After a change, the instances that
//! depend on it are re-evaluated in topological rank order (a heap keyed by rank), each at most once; only
//! those whose observable value (relevance, value, row count) changed push their own dependents further.
//! Checks, `required`, `read_only` and choice filters feed nothing, so they are re-evaluated in a second
//! phase for the instances whose inputs changed. [`Session::recompute_all`] evaluates everything from
//! scratch; a property test asserts both give the same state.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::sync::Arc;

use survey_expr::{DateTimeValue, Value};
use survey_spec::model::{Aspect, Condition, Kind, NodeId, Questionnaire};
use survey_spec::{Answer, value_text};

use crate::context::{Ctx, answer_to_value, value_to_answer};
use crate::event::{Event, EventKind};
use crate::path::{Path, Segment};

/// The index of a scope: 0 is the top level, others are roster rows.
pub type ScopeId = u32;

/// One node in one scope: the unit the engine evaluates and reports on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Instance {
    /// The node.
    pub node: NodeId,
    /// The scope (top level or roster row) it is in.
    pub scope: ScopeId,
}

/// What the world gives the engine: time, identifiers and who is interviewing. Injected so that the engine
/// does no IO and tests are reproducible.
pub trait Environment: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTimeValue;
    /// A fresh UUID (text).
    fn uuid(&self) -> String;
    /// The device id for `deviceid` items.
    fn device_id(&self) -> String {
        String::new()
    }
    /// The enumerator's user name for `username` items.
    fn username(&self) -> String {
        String::new()
    }
}

/// An environment with a fixed clock and deterministic UUIDs, for the CLI and tests.
#[derive(Debug)]
pub struct FixedEnvironment {
    /// The instant `now()` returns.
    pub now: DateTimeValue,
    /// Device id.
    pub device_id: String,
    /// User name.
    pub username: String,
    counter: std::sync::atomic::AtomicU64,
}

impl Clone for FixedEnvironment {
    fn clone(&self) -> FixedEnvironment {
        FixedEnvironment {
            now: self.now,
            device_id: self.device_id.clone(),
            username: self.username.clone(),
            counter: std::sync::atomic::AtomicU64::new(
                self.counter.load(std::sync::atomic::Ordering::Relaxed),
            ),
        }
    }
}

impl FixedEnvironment {
    /// A fixed clock at `now`.
    pub fn new(now: DateTimeValue) -> FixedEnvironment {
        FixedEnvironment {
            now,
            device_id: String::new(),
            username: String::new(),
            counter: std::sync::atomic::AtomicU64::new(0),
        }
    }
}

impl Environment for FixedEnvironment {
    fn now(&self) -> DateTimeValue {
        self.now
    }
    fn uuid(&self) -> String {
        let n = self
            .counter
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        format!("00000000-0000-4000-8000-{n:012x}")
    }
    fn device_id(&self) -> String {
        self.device_id.clone()
    }
    fn username(&self) -> String {
        self.username.clone()
    }
}

/// The state of one node in one scope.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Cell {
    pub(crate) value: Option<Answer>,
    pub(crate) relevant: bool,
    /// Row scopes of a roster, in order.
    pub(crate) rows: Vec<ScopeId>,
    /// Bit i set: check i fails.
    pub(crate) failing: u64,
    /// Bit i set: soft check i was confirmed by the enumerator for the current value.
    pub(crate) confirmed: u64,
    pub(crate) required_missing: bool,
    pub(crate) choice_unavailable: bool,
    pub(crate) read_only: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct ScopeData {
    pub(crate) roster: Option<NodeId>,
    pub(crate) parent: Option<ScopeId>,
    pub(crate) position: u32,
    pub(crate) cells: Vec<Cell>,
    pub(crate) alive: bool,
}

/// One step of a scripted or interactive interview (the `daftar play` script format).
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Give an answer.
    Set {
        /// Path of the item.
        path: String,
        /// The answer.
        value: Answer,
    },
    /// Remove an answer.
    Clear {
        /// Path of the item.
        path: String,
    },
    /// Add a row at the end of a roster.
    Add {
        /// Path of the roster (`hh_roster`, `hh_roster[1].mig_episode`).
        roster: String,
    },
    /// Remove a roster row.
    Remove {
        /// Path of the row (`hh_roster[2]`).
        row: String,
    },
    /// Confirm the soft warnings on an item.
    Confirm {
        /// Path of the item.
        path: String,
    },
}

/// Why a step could not be applied. The session is unchanged.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// A stable code.
    pub code: &'static str,
    /// What was wrong, naming the path.
    pub message: String,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

fn reject(code: &'static str, message: String) -> Rejection {
    Rejection { code, message }
}

/// What a step changed, for a UI to update only those parts of the screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Delta {
    /// Instances whose relevance changed, with the new relevance.
    pub relevance: Vec<(Instance, bool)>,
    /// Instances whose value changed (answers and calculations).
    pub values: Vec<Instance>,
    /// Instances whose errors or warnings changed.
    pub issues: Vec<Instance>,
    /// Rosters whose rows changed (the roster's instance).
    pub rows: Vec<Instance>,
}

/// A problem on an item.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// `required`, `constraint`, `warning`, `check1`…, `choice`.
    pub code: String,
    /// The message in the session's language.
    pub message: String,
    /// A soft warning rather than a hard error.
    pub soft: bool,
    /// For a warning: whether the enumerator confirmed it.
    pub confirmed: bool,
}

/// Rows created and instances removed while evaluating a roster's row count.
#[derive(Default)]
struct Structural {
    rows: Vec<ScopeId>,
    removed: Vec<Instance>,
}

/// An interview in progress over a compiled questionnaire. Cloning is cheap for the questionnaire (shared)
/// and copies the answers.
#[derive(Clone)]
pub struct Session {
    pub(crate) q: Arc<Questionnaire>,
    pub(crate) env: Arc<dyn Environment>,
    pub(crate) scopes: Vec<ScopeData>,
    /// Per node: the rosters enclosing its cell's scope, outermost first.
    pub(crate) chains: Arc<Vec<Vec<NodeId>>>,
    pub(crate) language: usize,
    events: Vec<Event>,
}

impl Session {
    /// Starts an interview: applies defaults and metadata and evaluates everything once.
    pub fn new(q: Arc<Questionnaire>, env: Box<dyn Environment>) -> Session {
        Session::with_preload(q, env, &[])
    }

    /// Starts an interview with preloaded assignment values (`(preload key, text value)`).
    pub fn with_preload(
        q: Arc<Questionnaire>,
        env: Box<dyn Environment>,
        preload: &[(String, String)],
    ) -> Session {
        let chains = Arc::new(
            (0..q.nodes.len() as NodeId)
                .map(|id| q.roster_chain(id))
                .collect(),
        );
        let language = q.default_language;
        let top = ScopeData {
            roster: None,
            parent: None,
            position: 0,
            cells: vec![Cell::default(); q.top_width as usize],
            alive: true,
        };
        let mut session = Session {
            q,
            env: Arc::from(env),
            scopes: vec![top],
            chains,
            language,
            events: Vec::new(),
        };
        session.initialise_scope(0, preload);
        session.recompute_all();
        let now = session.env.now();
        session.events.push(Event {
            at: now,
            kind: EventKind::Started,
        });
        session
    }

    /// The questionnaire.
    pub fn questionnaire(&self) -> &Arc<Questionnaire> {
        &self.q
    }

    /// Sets defaults, metadata and preloads on the cells of a new scope.
    fn initialise_scope(&mut self, scope: ScopeId, preload: &[(String, String)]) {
        let roster = self.scopes[scope as usize].roster;
        let now = self.env.now();
        let members: Vec<NodeId> = self.members(roster);
        for id in members {
            let node = self.q.node(id);
            let value = match node.kind {
                Kind::MetaStart => Some(Answer::DateTime {
                    millis: now.millis,
                    offset_minutes: now.offset_minutes,
                }),
                Kind::MetaToday => Some(Answer::Date(now.local_date())),
                Kind::MetaDeviceId => Some(Answer::Text(self.env.device_id())),
                Kind::MetaUsername => Some(Answer::Text(self.env.username())),
                _ => {
                    let preloaded = node.preload.as_ref().and_then(|key| {
                        preload
                            .iter()
                            .find(|(k, _)| k == key)
                            .and_then(|(_, v)| value_text::parse_literal(node.kind, v).ok())
                    });
                    preloaded.or_else(|| node.default.clone())
                }
            };
            let local = node.local as usize;
            self.scopes[scope as usize].cells[local].value = value;
        }
    }

    /// The nodes whose cells live directly in a scope of `roster` (or the top level).
    fn members(&self, roster: Option<NodeId>) -> Vec<NodeId> {
        self.q
            .nodes
            .iter()
            .filter(|n| n.roster == roster)
            .map(|n| n.id)
            .collect()
    }

    pub(crate) fn cell(&self, inst: Instance) -> &Cell {
        &self.scopes[inst.scope as usize].cells[self.q.node(inst.node).local as usize]
    }

    fn cell_mut(&mut self, inst: Instance) -> &mut Cell {
        let local = self.q.node(inst.node).local as usize;
        &mut self.scopes[inst.scope as usize].cells[local]
    }

    /// The value as expressions see it: empty when not relevant.
    pub(crate) fn observed(&self, inst: Instance) -> Value {
        let cell = self.cell(inst);
        match (&cell.value, cell.relevant) {
            (Some(a), true) => answer_to_value(a),
            _ => Value::empty(),
        }
    }

    /// The scope holding `node`'s cell, seen from `scope`, when there is exactly one.
    pub(crate) fn scope_for(&self, node: NodeId, mut scope: ScopeId) -> Option<ScopeId> {
        let target = self.q.node(node).roster;
        loop {
            let s = &self.scopes[scope as usize];
            if s.roster == target {
                return Some(scope);
            }
            scope = s.parent?;
        }
    }

    /// Every instance of `node` reachable from `scope`: the one in scope or an ancestor, or else all rows
    /// below the nearest ancestor scope they share.
    pub(crate) fn instances_from(&self, node: NodeId, scope: ScopeId, out: &mut Vec<Instance>) {
        let chain = &self.chains[node as usize];
        let mut s = scope;
        // Walk up to the deepest scope whose roster encloses the node (or the top).
        let depth = loop {
            let data = &self.scopes[s as usize];
            match data.roster {
                None => break 0,
                Some(r) => {
                    if let Some(i) = chain.iter().position(|&c| c == r) {
                        break i + 1;
                    }
                }
            }
            match data.parent {
                Some(p) => s = p,
                None => break 0,
            }
        };
        self.collect_down(s, &chain[depth..], node, out);
    }

    fn collect_down(&self, scope: ScopeId, rest: &[NodeId], node: NodeId, out: &mut Vec<Instance>) {
        match rest.split_first() {
            None => out.push(Instance { node, scope }),
            Some((&roster, tail)) => {
                let rows = &self
                    .cell(Instance {
                        node: roster,
                        scope,
                    })
                    .rows;
                for &row in rows {
                    self.collect_down(row, tail, node, out);
                }
            }
        }
    }

    /// Every live instance of `node`.
    pub(crate) fn all_instances(&self, node: NodeId) -> Vec<Instance> {
        let mut out = Vec::new();
        self.collect_down(0, &self.chains[node as usize], node, &mut out);
        out
    }

    // ---- Steps -------------------------------------------------------------------------------------

    /// Applies one step. On rejection nothing changes.
    pub fn apply(&mut self, step: &Step) -> Result<Delta, Rejection> {
        match step {
            Step::Set { path, value } => self.set(path, value.clone()),
            Step::Clear { path } => self.clear(path),
            Step::Add { roster } => self.add_row(roster),
            Step::Remove { row } => self.remove_row(row),
            Step::Confirm { path } => self.confirm(path),
        }
    }

    /// Resolves a path to an instance.
    pub fn resolve(&self, path: &str) -> Result<Instance, Rejection> {
        let parsed = Path::parse(path).map_err(|e| reject("path", e.0))?;
        self.resolve_path(&parsed, path)
    }

    fn resolve_path(&self, parsed: &Path, text: &str) -> Result<Instance, Rejection> {
        let mut scope: ScopeId = 0;
        let count = parsed.segments.len();
        for (i, Segment { name, row }) in parsed.segments.iter().enumerate() {
            let node = self.q.node_by_name(name).ok_or_else(|| {
                reject(
                    "unknown-item",
                    format!("`{name}` in `{text}` is not an item of this questionnaire"),
                )
            })?;
            if node.roster != self.scopes[scope as usize].roster {
                let expected = match node.roster {
                    Some(r) => format!("inside a row of `{}`", self.q.node(r).name),
                    None => "at the top level".to_string(),
                };
                return Err(reject(
                    "bad-path",
                    format!("`{name}` is {expected}; the path `{text}` does not lead there"),
                ));
            }
            let inst = Instance {
                node: node.id,
                scope,
            };
            match row {
                Some(r) => {
                    if node.kind != Kind::Roster {
                        return Err(reject(
                            "bad-path",
                            format!("`{name}` in `{text}` is not a roster and has no rows"),
                        ));
                    }
                    let rows = &self.cell(inst).rows;
                    scope = *rows.get(*r as usize - 1).ok_or_else(|| {
                        reject(
                            "no-row",
                            format!(
                                "`{name}` has {} row(s); there is no row {r} in `{text}`",
                                rows.len()
                            ),
                        )
                    })?;
                    if i + 1 == count {
                        return Ok(Instance {
                            node: node.id,
                            scope,
                        });
                    }
                }
                None => {
                    if i + 1 != count {
                        return Err(reject(
                            "bad-path",
                            format!("`{name}` in `{text}` needs a row number, like `{name}[1]`"),
                        ));
                    }
                    return Ok(inst);
                }
            }
        }
        Err(reject(
            "bad-path",
            format!("`{text}` does not name an item"),
        ))
    }

    fn answerable(&self, path: &str) -> Result<Instance, Rejection> {
        let inst = self.resolve(path)?;
        let node = self.q.node(inst.node);
        if !node.kind.is_question() {
            return Err(reject(
                "not-a-question",
                format!(
                    "`{path}` is {} and is not answered",
                    with_article(node.kind.name())
                ),
            ));
        }
        if self.scopes[inst.scope as usize].roster != node.roster {
            return Err(reject(
                "bad-path",
                format!("`{path}` names a row, not an item"),
            ));
        }
        if node.calculation.is_some() {
            return Err(reject(
                "calculated",
                format!("`{path}` is calculated and cannot be answered"),
            ));
        }
        let cell = self.cell(inst);
        if !cell.relevant {
            return Err(reject(
                "not-relevant",
                format!("`{path}` is not relevant (skipped) with the answers given so far"),
            ));
        }
        if cell.read_only {
            return Err(reject("read-only", format!("`{path}` is read-only")));
        }
        Ok(inst)
    }

    fn set(&mut self, path: &str, value: Answer) -> Result<Delta, Rejection> {
        let inst = self.answerable(path)?;
        self.validate_answer(inst, &value, path)?;
        let cell = self.cell_mut(inst);
        if cell.value.as_ref() == Some(&value) {
            return Ok(Delta::default());
        }
        cell.value = Some(value);
        cell.confirmed = 0;
        self.record(EventKind::AnswerSet {
            path: path.to_string(),
        });
        Ok(self.propagate(vec![inst], Vec::new()))
    }

    fn validate_answer(&self, inst: Instance, value: &Answer, path: &str) -> Result<(), Rejection> {
        let node = self.q.node(inst.node);
        let fits = matches!(
            (node.kind, value),
            (Kind::Text, Answer::Text(_))
                | (Kind::Integer, Answer::Integer(_))
                | (Kind::Decimal, Answer::Decimal(_) | Answer::Integer(_))
                | (Kind::Single | Kind::YesNo, Answer::Choice(_))
                | (Kind::Multiple, Answer::Choices(_))
                | (Kind::Date, Answer::Date(_))
                | (Kind::Time, Answer::Time(_))
                | (Kind::DateTime, Answer::DateTime { .. })
                | (Kind::Geopoint, Answer::Geo(_))
                | (Kind::Money, Answer::Money { .. })
                | (Kind::Acknowledge, Answer::Acknowledged)
        );
        if !fits {
            return Err(reject(
                "wrong-type",
                format!(
                    "`{path}` is {} question and cannot take {}",
                    with_article(node.kind.name()),
                    describe(value)
                ),
            ));
        }
        if let Some(list) = self.q.choice_list_of(inst.node) {
            let codes: Vec<&str> = match value {
                Answer::Choice(c) => vec![c],
                Answer::Choices(cs) => cs.iter().map(String::as_str).collect(),
                _ => Vec::new(),
            };
            for code in codes {
                if list.get(code).is_none() {
                    return Err(reject(
                        "unknown-code",
                        format!(
                            "`{code}` is not a choice of `{path}` (list `{}`)",
                            list.name
                        ),
                    ));
                }
            }
        }
        if let (Some(list), Answer::Money { currency, .. }) = (
            node.currencies.map(|l| &self.q.choice_lists[l as usize]),
            value,
        ) && list.get(currency).is_none()
        {
            return Err(reject(
                "unknown-code",
                format!(
                    "currency `{currency}` is not allowed for `{path}` (list `{}`)",
                    list.name
                ),
            ));
        }
        Ok(())
    }

    fn clear(&mut self, path: &str) -> Result<Delta, Rejection> {
        let inst = self.answerable(path)?;
        let cell = self.cell_mut(inst);
        if cell.value.is_none() {
            return Ok(Delta::default());
        }
        cell.value = None;
        cell.confirmed = 0;
        self.record(EventKind::AnswerCleared {
            path: path.to_string(),
        });
        Ok(self.propagate(vec![inst], Vec::new()))
    }

    fn roster_at(&self, path: &str) -> Result<Instance, Rejection> {
        let inst = self.resolve(path)?;
        let node = self.q.node(inst.node);
        if node.kind != Kind::Roster || self.scopes[inst.scope as usize].roster != node.roster {
            return Err(reject("not-a-roster", format!("`{path}` is not a roster")));
        }
        Ok(inst)
    }

    fn add_row(&mut self, path: &str) -> Result<Delta, Rejection> {
        let inst = self.roster_at(path)?;
        let node = self.q.node(inst.node);
        if node.repeat_count.is_some() {
            return Err(reject(
                "fixed-rows",
                format!("the rows of `{path}` follow its row count; they cannot be added by hand"),
            ));
        }
        let cell = self.cell(inst);
        if !cell.relevant {
            return Err(reject(
                "not-relevant",
                format!("`{path}` is not relevant (skipped) with the answers given so far"),
            ));
        }
        if cell.rows.len() as u32 >= node.max_rows {
            return Err(reject(
                "too-many-rows",
                format!("`{path}` already has its maximum of {} rows", node.max_rows),
            ));
        }
        let row = self.push_row(inst);
        self.record(EventKind::RowAdded {
            path: self.path(Instance {
                node: inst.node,
                scope: row,
            }),
        });
        Ok(self.propagate(vec![inst], vec![row]))
    }

    /// Creates a row at the end of a roster, initialised but not yet evaluated.
    fn push_row(&mut self, roster: Instance) -> ScopeId {
        let position = self.cell(roster).rows.len() as u32 + 1;
        let width = self.q.row_width[roster.node as usize] as usize;
        let id = self.scopes.len() as ScopeId;
        self.scopes.push(ScopeData {
            roster: Some(roster.node),
            parent: Some(roster.scope),
            position,
            cells: vec![Cell::default(); width],
            alive: true,
        });
        self.cell_mut(roster).rows.push(id);
        self.initialise_scope(id, &[]);
        id
    }

    fn remove_row(&mut self, path: &str) -> Result<Delta, Rejection> {
        let parsed = Path::parse(path).map_err(|e| reject("path", e.0))?;
        if parsed.segments.last().and_then(|s| s.row).is_none() {
            return Err(reject(
                "not-a-row",
                format!("`{path}` is not a roster row; write it like `roster[2]`"),
            ));
        }
        let row_inst = self.resolve_path(&parsed, path)?;
        let row = row_inst.scope;
        let roster = Instance {
            node: row_inst.node,
            scope: self.scopes[row as usize].parent.unwrap_or(0),
        };
        if self.q.node(roster.node).repeat_count.is_some() {
            return Err(reject(
                "fixed-rows",
                format!(
                    "the rows of `{path}` follow its row count; they cannot be removed by hand"
                ),
            ));
        }
        if !self.cell(roster).relevant {
            return Err(reject(
                "not-relevant",
                format!("`{path}` is not relevant (skipped) with the answers given so far"),
            ));
        }
        self.record(EventKind::RowRemoved {
            path: path.to_string(),
        });
        let mut seeds = vec![roster];
        self.drop_row(roster, row, &mut seeds);
        Ok(self.propagate(seeds, Vec::new()))
    }

    /// Removes a row and renumbers the rows after it. `seeds` receives the instances in the removed rows,
    /// whose dependents outside the row must be re-evaluated.
    fn drop_row(&mut self, roster: Instance, row: ScopeId, seeds: &mut Vec<Instance>) {
        let mut stack = vec![row];
        while let Some(s) = stack.pop() {
            let roster_of = self.scopes[s as usize].roster;
            for id in self.members(roster_of) {
                let inst = Instance { node: id, scope: s };
                stack.extend(self.cell(inst).rows.iter().copied());
                seeds.push(inst);
            }
            self.scopes[s as usize].alive = false;
        }
        let rows = &mut self.cell_mut(roster).rows;
        rows.retain(|&r| r != row);
        let rows = rows.clone();
        for (i, r) in rows.into_iter().enumerate() {
            self.scopes[r as usize].position = i as u32 + 1;
        }
    }

    fn confirm(&mut self, path: &str) -> Result<Delta, Rejection> {
        let inst = self.resolve(path)?;
        let node = self.q.node(inst.node);
        let cell = self.cell(inst);
        let soft: u64 = node
            .checks
            .iter()
            .enumerate()
            .filter(|(_, c)| c.soft)
            .fold(0, |m, (i, _)| m | 1 << i);
        let pending = cell.failing & soft & !cell.confirmed;
        if !cell.relevant || pending == 0 {
            return Err(reject(
                "no-warning",
                format!("`{path}` has no warning to confirm"),
            ));
        }
        self.cell_mut(inst).confirmed |= pending;
        self.record(EventKind::WarningConfirmed {
            path: path.to_string(),
        });
        Ok(Delta {
            issues: vec![inst],
            ..Delta::default()
        })
    }

    /// Switches the language of messages, labels and `jr:choice-name()`.
    pub fn set_language(&mut self, code: &str) -> Result<(), Rejection> {
        let i = self.q.language_index(code).ok_or_else(|| {
            reject(
                "unknown-language",
                if self.q.languages.iter().all(String::is_empty) {
                    format!(
                        "the questionnaire declares no languages, so it cannot be shown in `{code}`"
                    )
                } else {
                    format!(
                        "the questionnaire has no language `{code}` (it has {})",
                        self.q.languages.join(", ")
                    )
                },
            )
        })?;
        if i != self.language {
            self.language = i;
            self.record(EventKind::LanguageChanged {
                language: code.to_string(),
            });
            // Expressions that read choice labels depend on the language.
            let seeds: Vec<Instance> = self
                .q
                .nodes
                .iter()
                .filter(|n| {
                    n.calculation
                        .as_ref()
                        .is_some_and(|e| survey_expr::usage(e).language)
                })
                .flat_map(|n| self.all_instances(n.id))
                .collect();
            let mut delta = Delta::default();
            for inst in seeds {
                self.recompute_value(inst, &mut Structural::default(), &mut delta);
            }
        }
        Ok(())
    }

    /// The current language index.
    pub fn language(&self) -> usize {
        self.language
    }

    /// Records a navigation event (the UI calls this when the enumerator moves).
    pub fn record_navigation(&mut self, path: &str) {
        self.record(EventKind::Navigated {
            path: path.to_string(),
        });
    }

    fn record(&mut self, kind: EventKind) {
        if self.q.paradata {
            let at = self.env.now();
            self.events.push(Event { at, kind });
        }
    }

    /// The paradata events recorded since the last call.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    // ---- Evaluation --------------------------------------------------------------------------------

    /// Re-evaluates what depends on `seeds` (instances whose value or rows changed) and on the new rows.
    fn propagate(&mut self, seeds: Vec<Instance>, new_rows: Vec<ScopeId>) -> Delta {
        let mut delta = Delta::default();
        let mut heap: BinaryHeap<Reverse<(u32, NodeId, ScopeId)>> = BinaryHeap::new();
        let mut queued: HashSet<Instance> = HashSet::new();
        let mut changed: Vec<Instance> = Vec::new();
        let mut scratch = Vec::new();
        for &seed in &seeds {
            if !self.scopes[seed.scope as usize].alive {
                // An instance of a removed row: nothing to report, but its readers must be updated.
            } else if self.q.node(seed.node).kind == Kind::Roster {
                delta.rows.push(seed);
            } else {
                delta.values.push(seed);
            }
            changed.push(seed);
            self.enqueue_dependents(seed, false, &mut heap, &mut queued, &mut scratch);
        }
        for row in new_rows {
            self.enqueue_scope(row, &mut heap, &mut queued);
        }
        while let Some(Reverse((_, node, scope))) = heap.pop() {
            let inst = Instance { node, scope };
            queued.remove(&inst);
            if !self.scopes[scope as usize].alive {
                continue;
            }
            let mut created = Structural::default();
            let (relevance_changed, value_changed) =
                self.recompute_value(inst, &mut created, &mut delta);
            for row in created.rows {
                self.enqueue_scope(row, &mut heap, &mut queued);
            }
            for gone in created.removed {
                // What read the removed rows (aggregates outside) must see them gone.
                self.enqueue_dependents(gone, true, &mut heap, &mut queued, &mut scratch);
            }
            if relevance_changed || value_changed {
                changed.push(inst);
                self.enqueue_dependents(
                    inst,
                    relevance_changed,
                    &mut heap,
                    &mut queued,
                    &mut scratch,
                );
            }
        }
        // Phase 2: checks, required, read-only and choice filters of everything that read a change.
        let mut states: HashSet<Instance> = HashSet::new();
        for inst in changed {
            if self.scopes[inst.scope as usize].alive {
                states.insert(inst);
            }
            for &(dependent, aspect) in &self.q.dependents[inst.node as usize] {
                if aspect == Aspect::Parent {
                    continue;
                }
                scratch.clear();
                self.instances_from(dependent, inst.scope, &mut scratch);
                states.extend(
                    scratch
                        .iter()
                        .copied()
                        .filter(|i| self.scopes[i.scope as usize].alive),
                );
            }
        }
        let mut states: Vec<Instance> = states.into_iter().collect();
        states.sort_unstable();
        for inst in states {
            if self.recompute_state(inst) {
                delta.issues.push(inst);
            }
        }
        delta
    }

    fn enqueue(
        &self,
        inst: Instance,
        heap: &mut BinaryHeap<Reverse<(u32, NodeId, ScopeId)>>,
        queued: &mut HashSet<Instance>,
    ) {
        if queued.insert(inst) {
            heap.push(Reverse((
                self.q.rank[inst.node as usize],
                inst.node,
                inst.scope,
            )));
        }
    }

    fn enqueue_scope(
        &self,
        scope: ScopeId,
        heap: &mut BinaryHeap<Reverse<(u32, NodeId, ScopeId)>>,
        queued: &mut HashSet<Instance>,
    ) {
        let roster = self.scopes[scope as usize].roster;
        for node in self.q.nodes.iter().filter(|n| n.roster == roster) {
            self.enqueue(
                Instance {
                    node: node.id,
                    scope,
                },
                heap,
                queued,
            );
        }
    }

    fn enqueue_dependents(
        &self,
        inst: Instance,
        relevance_changed: bool,
        heap: &mut BinaryHeap<Reverse<(u32, NodeId, ScopeId)>>,
        queued: &mut HashSet<Instance>,
        scratch: &mut Vec<Instance>,
    ) {
        for &(dependent, aspect) in &self.q.dependents[inst.node as usize] {
            match aspect {
                Aspect::State => continue,
                // A container's children read only its relevance.
                Aspect::Parent if !relevance_changed => continue,
                _ => {}
            }
            scratch.clear();
            self.instances_from(dependent, inst.scope, scratch);
            for &d in scratch.iter() {
                self.enqueue(d, heap, queued);
            }
        }
    }

    fn parent_relevant(&self, inst: Instance) -> bool {
        let node = self.q.node(inst.node);
        match node.parent {
            None => true,
            Some(p) => {
                let parent = self.q.node(p);
                let scope = if parent.kind == Kind::Roster && node.roster == Some(p) {
                    match self.scopes[inst.scope as usize].parent {
                        Some(s) => s,
                        None => return false,
                    }
                } else {
                    inst.scope
                };
                self.cell(Instance { node: p, scope }).relevant
            }
        }
    }

    /// Evaluates relevance, calculation and row count of one instance. Returns (relevance changed, value or
    /// rows changed); new row scopes are appended to `created`.
    fn recompute_value(
        &mut self,
        inst: Instance,
        created: &mut Structural,
        delta: &mut Delta,
    ) -> (bool, bool) {
        let q = self.q.clone();
        let node = q.node(inst.node);
        let old_relevant = self.cell(inst).relevant;
        let relevant = self.parent_relevant(inst)
            && match &node.relevant {
                Some(e) => survey_expr::eval(e, &Ctx::new(self, inst)).to_bool(),
                None => true,
            };
        self.cell_mut(inst).relevant = relevant;
        let relevance_changed = relevant != old_relevant;
        if relevance_changed {
            delta.relevance.push((inst, relevant));
        }
        let mut value_changed = false;
        if let Some(calc) = &node.calculation {
            let new = if relevant {
                let v = survey_expr::eval(calc, &Ctx::new(self, inst));
                value_to_answer(node.kind, v)
            } else {
                None
            };
            if self.cell(inst).value != new {
                self.cell_mut(inst).value = new;
                value_changed = true;
                delta.values.push(inst);
            }
        }
        if node.kind == Kind::Roster
            && let Some(count) = &node.repeat_count
            && relevant
        {
            let n = survey_expr::eval(count, &Ctx::new(self, inst)).to_number();
            let wanted = if n.is_finite() && n > 0.0 {
                (n as u32).min(node.max_rows.max(1000))
            } else {
                0
            };
            let current = self.cell(inst).rows.len() as u32;
            if wanted != current {
                value_changed = true;
                delta.rows.push(inst);
                for _ in current..wanted {
                    let row = self.push_row(inst);
                    created.rows.push(row);
                }
                for _ in wanted..current {
                    let last = *self.cell(inst).rows.last().unwrap_or(&0);
                    self.drop_row(inst, last, &mut created.removed);
                }
            }
        }
        (relevance_changed, value_changed)
    }

    /// Evaluates the checks, `required`, `read_only` and choice filter of one instance. Returns whether its
    /// issues changed.
    fn recompute_state(&mut self, inst: Instance) -> bool {
        let q = self.q.clone();
        let node = q.node(inst.node);
        let before = self.cell(inst).clone();
        let mut failing = 0u64;
        let mut required_missing = false;
        let mut choice_unavailable = false;
        let mut read_only = false;
        if before.relevant && node.kind.has_value() {
            let ctx = Ctx::new(self, inst);
            if before.value.is_some() {
                for (i, check) in node.checks.iter().enumerate().take(64) {
                    if !survey_expr::eval(&check.expr, &ctx).to_bool() {
                        failing |= 1 << i;
                    }
                }
            } else if node.kind.is_question() && node.calculation.is_none() {
                required_missing = match &node.required {
                    Condition::Always(b) => *b,
                    Condition::When(e) => survey_expr::eval(e, &ctx).to_bool(),
                };
            }
            read_only = match &node.read_only {
                Condition::Always(b) => *b,
                Condition::When(e) => survey_expr::eval(e, &ctx).to_bool(),
            };
            if let (Some(filter), Some(value)) = (&node.choice_filter, &before.value)
                && let Some(list) = q.choice_list_of(inst.node)
            {
                let codes: Vec<&str> = match value {
                    Answer::Choice(c) => vec![c.as_str()],
                    Answer::Choices(cs) => cs.iter().map(String::as_str).collect(),
                    _ => Vec::new(),
                };
                choice_unavailable = codes.iter().any(|code| match list.get(code) {
                    Some(choice) => {
                        !survey_expr::eval(filter, &ctx.with_choice(list, choice)).to_bool()
                    }
                    None => true,
                });
            }
        }
        let cell = self.cell_mut(inst);
        cell.failing = failing;
        cell.confirmed &= failing;
        cell.required_missing = required_missing;
        cell.choice_unavailable = choice_unavailable;
        cell.read_only = read_only;
        let after = &*cell;
        before.failing != after.failing
            || before.confirmed != after.confirmed
            || before.required_missing != after.required_missing
            || before.choice_unavailable != after.choice_unavailable
    }

    /// Re-evaluates the whole interview from the answers, as a fresh load would. The incremental path must
    /// always reach the same state (see the property test).
    pub fn recompute_all(&mut self) {
        let q = self.q.clone();
        let mut delta = Delta::default();
        for &id in &q.order {
            // Rows of a roster exist once the roster itself has been evaluated (it ranks before its children).
            for inst in self.all_instances(id) {
                self.recompute_value(inst, &mut Structural::default(), &mut delta);
            }
        }
        for id in 0..q.nodes.len() as NodeId {
            for inst in self.all_instances(id) {
                self.recompute_state(inst);
            }
        }
    }

    /// A comparable image of the whole state (for the differential test): every live instance in
    /// questionnaire order with its path and cell.
    pub fn state_image(&self) -> Vec<(String, String)> {
        self.walk()
            .into_iter()
            .map(|inst| {
                let c = self.cell(inst);
                let state = format!(
                    "rel={} val={:?} rows={} fail={:b} conf={:b} req={} choice={} ro={}",
                    c.relevant,
                    c.value,
                    c.rows.len(),
                    c.failing,
                    c.confirmed,
                    c.required_missing,
                    c.choice_unavailable,
                    c.read_only
                );
                (self.path(inst), state)
            })
            .collect()
    }

    // ---- Reading the state -------------------------------------------------------------------------

    /// Every live instance in questionnaire order (containers before their contents, rows in order).
    pub fn walk(&self) -> Vec<Instance> {
        let mut out = Vec::new();
        for &id in &self.q.top {
            self.walk_node(id, 0, &mut out);
        }
        out
    }

    fn walk_node(&self, id: NodeId, scope: ScopeId, out: &mut Vec<Instance>) {
        let inst = Instance { node: id, scope };
        out.push(inst);
        let node = self.q.node(id);
        if node.kind == Kind::Roster {
            for &row in &self.cell(inst).rows {
                for &child in &node.children {
                    self.walk_node(child, row, out);
                }
            }
        } else {
            for &child in &node.children {
                self.walk_node(child, scope, out);
            }
        }
    }

    /// The path of an instance, e.g. `hh_roster[2].m_age`.
    pub fn path(&self, inst: Instance) -> String {
        let mut parts = vec![self.q.node(inst.node).name.clone()];
        let mut scope = inst.scope;
        // A roster's own instance lives in its parent's scope; its rows' items in the rows.
        while let Some(roster) = self.scopes[scope as usize].roster {
            let data = &self.scopes[scope as usize];
            parts.push(format!("{}[{}]", self.q.node(roster).name, data.position));
            scope = data.parent.unwrap_or(0);
        }
        parts.reverse();
        parts.join(".")
    }

    /// The path of a roster row scope, e.g. `hh_roster[2]`.
    pub fn row_path(&self, scope: ScopeId) -> String {
        let mut parts = Vec::new();
        let mut s = scope;
        while let Some(roster) = self.scopes[s as usize].roster {
            let data = &self.scopes[s as usize];
            parts.push(format!("{}[{}]", self.q.node(roster).name, data.position));
            s = data.parent.unwrap_or(0);
        }
        parts.reverse();
        parts.join(".")
    }

    /// Evaluates an expression (checked for the node of `inst`, see `survey_spec::compile_expression`) in the
    /// context of `inst`.
    pub fn evaluate(&self, expr: &survey_expr::Expr, inst: Instance) -> Value {
        survey_expr::eval(expr, &Ctx::new(self, inst))
    }

    /// The choices offered for a choice item now: its list, filtered by its `choice_filter` in this row.
    pub fn choices(&self, inst: Instance) -> Vec<&survey_spec::model::Choice> {
        let q: &Questionnaire = &self.q;
        let Some(list) = q.choice_list_of(inst.node) else {
            return Vec::new();
        };
        match &q.node(inst.node).choice_filter {
            None => list.choices.iter().collect(),
            Some(filter) => {
                let ctx = Ctx::new(self, inst);
                list.choices
                    .iter()
                    .filter(|c| survey_expr::eval(filter, &ctx.with_choice(list, c)).to_bool())
                    .collect()
            }
        }
    }

    /// The stored value (kept even when not relevant).
    pub fn value(&self, inst: Instance) -> Option<&Answer> {
        self.cell(inst).value.as_ref()
    }

    /// Whether the instance is relevant.
    pub fn is_relevant(&self, inst: Instance) -> bool {
        self.cell(inst).relevant
    }

    /// Whether the instance is read-only now.
    pub fn is_read_only(&self, inst: Instance) -> bool {
        self.cell(inst).read_only || self.q.node(inst.node).calculation.is_some()
    }

    /// The row scopes of a roster instance.
    pub fn rows(&self, inst: Instance) -> &[ScopeId] {
        &self.cell(inst).rows
    }

    /// The roster whose row `scope` is (`None` for the top level).
    pub fn scope_roster(&self, scope: ScopeId) -> Option<NodeId> {
        self.scopes[scope as usize].roster
    }

    /// The scope enclosing a row scope.
    pub fn scope_parent(&self, scope: ScopeId) -> Option<ScopeId> {
        self.scopes[scope as usize].parent
    }

    /// The 1-based position of a row scope.
    pub fn row_position(&self, scope: ScopeId) -> u32 {
        self.scopes[scope as usize].position
    }

    /// The problems on an instance, with messages in the session's language.
    pub fn issues(&self, inst: Instance) -> Vec<Issue> {
        let cell = self.cell(inst);
        let node = self.q.node(inst.node);
        let mut out = Vec::new();
        if !cell.relevant {
            return out;
        }
        if cell.required_missing {
            let message = node
                .required_message
                .as_ref()
                .map(|t| self.render(t, inst))
                .unwrap_or_else(|| messages::required(self.language_code()).to_string());
            out.push(Issue {
                code: "required".into(),
                message,
                soft: false,
                confirmed: false,
            });
        }
        for (i, check) in node.checks.iter().enumerate() {
            if cell.failing & (1 << i) != 0 {
                let message = check
                    .message
                    .as_ref()
                    .map(|t| self.render(t, inst))
                    .unwrap_or_else(|| {
                        messages::invalid(self.language_code(), check.soft).to_string()
                    });
                out.push(Issue {
                    code: check.code.clone(),
                    message,
                    soft: check.soft,
                    confirmed: cell.confirmed & (1 << i) != 0,
                });
            }
        }
        if cell.choice_unavailable {
            out.push(Issue {
                code: "choice".into(),
                message: messages::choice_unavailable(self.language_code()).to_string(),
                soft: false,
                confirmed: false,
            });
        }
        out
    }

    fn language_code(&self) -> &str {
        &self.q.languages[self.language]
    }

    /// Whether the interview can be completed: no required answer missing, no hard error, every warning
    /// confirmed, among relevant items.
    pub fn is_complete(&self) -> bool {
        self.walk().into_iter().all(|inst| {
            let c = self.cell(inst);
            !c.relevant
                || (!c.required_missing
                    && !c.choice_unavailable
                    && self.unresolved_checks(inst) == 0)
        })
    }

    fn unresolved_checks(&self, inst: Instance) -> u64 {
        let node = self.q.node(inst.node);
        let c = self.cell(inst);
        let soft: u64 = node
            .checks
            .iter()
            .enumerate()
            .filter(|(_, ch)| ch.soft)
            .fold(0, |m, (i, _)| m | 1 << i);
        (c.failing & !soft) | (c.failing & soft & !c.confirmed)
    }

    /// Renders a text with piped values in the session's language.
    pub fn render(&self, text: &survey_spec::model::Text, inst: Instance) -> String {
        crate::render::render(self, text, inst)
    }

    /// Every stored answer (relevant or not) with its path, for saving; calculations are left out since a
    /// load recomputes them.
    pub fn answers(&self) -> Vec<(String, Answer)> {
        self.walk()
            .into_iter()
            .filter(|&inst| self.q.node(inst.node).calculation.is_none())
            .filter_map(|inst| self.value(inst).map(|v| (self.path(inst), v.clone())))
            .collect()
    }

    /// Paths of items whose warnings were confirmed.
    pub fn confirmed_warnings(&self) -> Vec<String> {
        self.walk()
            .into_iter()
            .filter(|&i| self.cell(i).confirmed != 0)
            .map(|i| self.path(i))
            .collect()
    }

    /// Row counts of rosters (`(roster path, rows)`), for saving. Counted rosters are included: when one
    /// becomes non-relevant its rows and their answers are kept, as every non-relevant answer is.
    pub fn roster_rows(&self) -> Vec<(String, u32)> {
        self.walk()
            .into_iter()
            .filter(|&i| self.q.node(i.node).kind == Kind::Roster)
            .filter(|&i| !self.cell(i).rows.is_empty())
            .map(|i| (self.path(i), self.cell(i).rows.len() as u32))
            .collect()
    }

    /// Rebuilds a saved interview: rows first (outer before inner), then answers, then confirmations,
    /// then one full evaluation. Entries that no longer fit the questionnaire are returned, not dropped
    /// silently.
    pub fn restore(
        q: Arc<Questionnaire>,
        env: Box<dyn Environment>,
        rows: &[(String, u32)],
        answers: &[(String, Answer)],
        confirmed: &[String],
    ) -> (Session, Vec<Rejection>) {
        let mut session = Session::new(q, env);
        session.events.clear();
        // Rows of counted rosters appear only once the answers they count are in, and a user roster can
        // sit inside them: apply what resolves, evaluate, and repeat until nothing more applies.
        let mut pending_rows: Vec<&(String, u32)> = rows.iter().collect();
        let mut pending_answers: Vec<&(String, Answer)> = answers.iter().collect();
        loop {
            let before = pending_rows.len() + pending_answers.len();
            pending_rows.retain(|(path, count)| match session.roster_at(path) {
                Ok(inst) => {
                    for _ in session.cell(inst).rows.len() as u32..*count {
                        session.push_row(inst);
                    }
                    false
                }
                Err(_) => true,
            });
            pending_answers.retain(|(path, value)| match session.resolve(path) {
                Ok(inst) if session.q.node(inst.node).kind.has_value() => {
                    session.cell_mut(inst).value = Some(value.clone());
                    false
                }
                _ => true,
            });
            session.recompute_all();
            if pending_rows.len() + pending_answers.len() == before {
                break;
            }
        }
        let mut problems: Vec<Rejection> = Vec::new();
        for (path, _) in pending_rows {
            problems.extend(session.roster_at(path).err());
        }
        for (path, _) in pending_answers {
            match session.resolve(path) {
                Ok(_) => {
                    problems.push(reject("not-a-question", format!("`{path}` holds no value")))
                }
                Err(e) => problems.push(e),
            }
        }
        for path in confirmed {
            if let Ok(inst) = session.resolve(path) {
                let failing = session.cell(inst).failing;
                session.cell_mut(inst).confirmed = failing;
            }
        }
        (session, problems)
    }

    /// Marks the end of the interview: fills `end` items and records the event.
    pub fn finish(&mut self) {
        let now = self.env.now();
        let ends: Vec<NodeId> = self
            .q
            .nodes
            .iter()
            .filter(|n| n.kind == Kind::MetaEnd)
            .map(|n| n.id)
            .collect();
        for id in ends {
            for inst in self.all_instances(id) {
                self.cell_mut(inst).value = Some(Answer::DateTime {
                    millis: now.millis,
                    offset_minutes: now.offset_minutes,
                });
            }
        }
        self.record(EventKind::Finished);
    }
}

/// Default messages when the questionnaire gives none.
pub(crate) mod messages {
    pub(crate) fn required(lang: &str) -> &'static str {
        match lang {
            "fr" => "Réponse obligatoire.",
            "ar" => "الإجابة مطلوبة.",
            _ => "An answer is required.",
        }
    }

    pub(crate) fn invalid(lang: &str, soft: bool) -> &'static str {
        match (lang, soft) {
            ("fr", false) => "Valeur non valide.",
            ("fr", true) => "Valeur inhabituelle : vérifiez puis confirmez.",
            ("ar", false) => "قيمة غير صالحة.",
            ("ar", true) => "قيمة غير معتادة: تحقق منها ثم أكّدها.",
            (_, false) => "Invalid value.",
            (_, true) => "Unusual value: check it, then confirm.",
        }
    }

    pub(crate) fn choice_unavailable(lang: &str) -> &'static str {
        match lang {
            "fr" => "Ce choix n'est plus disponible avec les réponses données.",
            "ar" => "هذا الاختيار لم يعد متاحاً مع الإجابات المقدمة.",
            _ => "This choice is no longer available with the answers given.",
        }
    }
}

/// "an integer", "a text".
fn with_article(word: &str) -> String {
    let article = if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {word}")
}

/// What kind of value an answer is, for messages.
fn describe(answer: &Answer) -> &'static str {
    match answer {
        Answer::Text(_) => "a text",
        Answer::Integer(_) => "a whole number",
        Answer::Decimal(_) => "a decimal number",
        Answer::Choice(_) => "a choice code",
        Answer::Choices(_) => "a list of choice codes",
        Answer::Date(_) => "a date",
        Answer::Time(_) => "a time",
        Answer::DateTime { .. } => "a date-time",
        Answer::Geo(_) => "a position",
        Answer::Money { .. } => "an amount of money",
        Answer::Acknowledged => "an acknowledgement",
    }
}
