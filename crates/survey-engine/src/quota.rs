//! Monitoring fields and quota units.
//!
//! Only the questionnaire's monitoring fields travel in clear. The tablet sends them with their paths
//! (`a_region`, `hh_roster[2].m_sex`); the server, which cannot open the rest, counts quota units from them
//! alone: one unit per row of the quota's deepest roster (or one per interview) whose `when` holds, in the
//! cell given by its `by` fields as seen from that row.

use std::collections::BTreeMap;

use survey_expr::{Context, DateTimeValue, Slot, Value};
use survey_spec::model::{Kind, NodeId, Questionnaire};
use survey_spec::{Answer, value_text};

use crate::context::answer_to_value;
use crate::path::Path;
use crate::session::Session;

impl Session {
    /// The monitoring fields of the interview: every relevant instance of a monitoring item that has a
    /// value, with its path, in questionnaire order.
    pub fn monitoring(&self) -> Vec<(String, Answer)> {
        let q = self.questionnaire();
        self.walk()
            .into_iter()
            .filter(|i| q.monitoring.contains(&i.node) && self.is_relevant(*i))
            .filter_map(|i| self.value(i).map(|v| (self.path(i), v.clone())))
            .collect()
    }
}

/// One unit counted towards a quota.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct QuotaUnit {
    /// The quota's name.
    pub quota: String,
    /// The cell: each `by` field's name and its value as text.
    pub cell: BTreeMap<String, String>,
}

/// Reads monitoring values in a row: `${x}` is the value of `x` in that row or an enclosing one.
struct RowValues<'a> {
    q: &'a Questionnaire,
    values: &'a BTreeMap<String, Answer>,
    /// The row's path prefix, e.g. `hh_roster[2].` (empty at the top level), and its ancestors' prefixes.
    prefixes: Vec<String>,
}

impl RowValues<'_> {
    fn get(&self, node: NodeId) -> Option<&Answer> {
        let name = &self.q.node(node).name;
        let depth = self.q.node(node).roster_depth as usize;
        let prefix = self.prefixes.get(depth)?;
        self.values.get(&format!("{prefix}{name}"))
    }
}

impl Context for RowValues<'_> {
    fn reference(&self, slot: Slot) -> Value {
        self.get(slot.0)
            .map(answer_to_value)
            .unwrap_or_else(Value::empty)
    }
    fn current(&self) -> Value {
        Value::empty()
    }
    fn field(&self, _: &str) -> Value {
        Value::empty()
    }
    fn position(&self) -> Option<u32> {
        None
    }
    fn indexed(&self, _: Slot, _: Slot, _: u32) -> Value {
        Value::empty()
    }
    fn choice_label(&self, _: Slot, _: &str) -> Option<String> {
        None
    }
    fn pulldata(&self, table: &str, column: &str, key_column: &str, key: &str) -> Option<String> {
        self.q
            .tables
            .get(table)?
            .lookup(column, key_column, key)
            .map(str::to_string)
    }
    fn now(&self) -> DateTimeValue {
        DateTimeValue {
            millis: 0,
            offset_minutes: 0,
        }
    }
    fn uuid(&self) -> String {
        String::new()
    }
}

/// The rows (as path prefixes from the top, e.g. `["", "hh_roster[2]."]`) that the given paths mention for
/// the roster chain `chain`.
fn rows_of(
    q: &Questionnaire,
    chain: &[NodeId],
    values: &BTreeMap<String, Answer>,
) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = vec![vec![String::new()]];
    for &roster in chain {
        let name = &q.node(roster).name;
        let mut next = Vec::new();
        for row in &rows {
            let prefix = row.last().cloned().unwrap_or_default();
            let mut indexes: Vec<u32> = values
                .keys()
                .filter_map(|path| path.strip_prefix(prefix.as_str()))
                .filter_map(|rest| Path::parse(rest).ok())
                .filter_map(|p| match p.segments.first() {
                    Some(first) if first.name == *name => first.row,
                    _ => None,
                })
                .collect();
            indexes.sort_unstable();
            indexes.dedup();
            for i in indexes {
                let mut extended = row.clone();
                extended.push(format!("{prefix}{name}[{i}]."));
                next.push(extended);
            }
        }
        rows = next;
    }
    rows
}

/// The quota units of one interview from its monitoring fields alone (`path → answer`). A unit whose cell
/// misses a value (a `by` field unanswered or skipped) is not counted.
pub fn quota_units(q: &Questionnaire, values: &BTreeMap<String, Answer>) -> Vec<QuotaUnit> {
    let mut units = Vec::new();
    for quota in &q.quotas {
        let chain = match quota.unit {
            Some(roster) => {
                let mut chain = q.roster_chain(roster);
                chain.push(roster);
                chain
            }
            None => Vec::new(),
        };
        for prefixes in rows_of(q, &chain, values) {
            let row = RowValues {
                q,
                values,
                prefixes,
            };
            if let Some(when) = &quota.when
                && !survey_expr::eval(when, &row).to_bool()
            {
                continue;
            }
            let cell: Option<BTreeMap<String, String>> = quota
                .by
                .iter()
                .map(|&field| {
                    row.get(field)
                        .map(|a| (q.node(field).name.clone(), value_text::to_text(a)))
                })
                .collect();
            if let Some(cell) = cell {
                units.push(QuotaUnit {
                    quota: quota.name.clone(),
                    cell,
                });
            }
        }
    }
    units
}

/// Reads a monitoring value sent as text (a path and its text form) back as an answer of the item's kind;
/// `None` when the path names no monitoring item or the text does not fit.
pub fn monitoring_answer(q: &Questionnaire, path: &str, text: &str) -> Option<Answer> {
    let name = Path::parse(path).ok()?.segments.last()?.name.clone();
    let node = q.node_by_name(&name)?;
    if !q.monitoring.contains(&node.id) {
        return None;
    }
    match node.kind {
        Kind::Calculate => Some(match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Answer::Decimal(f),
            _ => Answer::Text(text.to_string()),
        }),
        kind => value_text::parse_literal(kind, text).ok(),
    }
}
