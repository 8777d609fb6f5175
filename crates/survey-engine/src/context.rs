//! The evaluator's view of an interview: how `${x}`, `.`, `position()`, `indexed-repeat()` and friends read
//! the session state, and the conversions between answers and expression values.

use std::sync::Arc;

use survey_expr::{Context, DateTimeValue, Slot, Value};
use survey_spec::model::{Choice, ChoiceList, Kind, NodeId};
use survey_spec::{Answer, value_text};

use crate::session::{Instance, Session};

/// An answer as expressions see it (the XPath string value for text-like answers).
pub(crate) fn answer_to_value(answer: &Answer) -> Value {
    match answer {
        Answer::Text(s) | Answer::Choice(s) => Value::Str(Arc::from(s.as_str())),
        Answer::Integer(i) => Value::Num(*i as f64),
        Answer::Decimal(f) => Value::Num(*f),
        Answer::Money { amount, .. } => Value::Num(*amount),
        Answer::Date(d) => Value::Date(*d),
        Answer::DateTime {
            millis,
            offset_minutes,
        } => Value::DateTime(DateTimeValue {
            millis: *millis,
            offset_minutes: *offset_minutes,
        }),
        other => Value::Str(Arc::from(value_text::to_text(other).as_str())),
    }
}

/// The result of a calculation stored as an answer of an item of `kind`; empty and NaN give no value.
pub(crate) fn value_to_answer(kind: Kind, value: Value) -> Option<Answer> {
    let value = match value {
        Value::Nodeset(mut values) => {
            if values.is_empty() {
                return None;
            }
            values.swap_remove(0)
        }
        v => v,
    };
    match (kind, value) {
        (_, Value::Num(f)) if !f.is_finite() => None,
        (Kind::Integer, v) => {
            let f = v.to_number();
            f.is_finite().then(|| Answer::Integer(f.round() as i64))
        }
        (Kind::Decimal | Kind::Calculate, Value::Num(f)) => Some(Answer::Decimal(f)),
        (Kind::Decimal, v) => {
            let f = v.to_number();
            f.is_finite().then_some(Answer::Decimal(f))
        }
        (Kind::Calculate | Kind::Date, Value::Date(d)) => Some(Answer::Date(d)),
        (Kind::Calculate | Kind::DateTime, Value::DateTime(dt)) => Some(Answer::DateTime {
            millis: dt.millis,
            offset_minutes: dt.offset_minutes,
        }),
        (Kind::Calculate, Value::Bool(b)) => {
            Some(Answer::Text(if b { "true" } else { "false" }.into()))
        }
        (kind, v) => {
            let text = v.to_string_value();
            if text.is_empty() {
                return None;
            }
            match kind {
                Kind::Calculate | Kind::Text => Some(Answer::Text(text)),
                _ => value_text::parse_literal(kind, &text).ok(),
            }
        }
    }
}

/// Evaluation context: an instance, and optionally the value being checked or the choice being filtered.
pub(crate) struct Ctx<'s> {
    session: &'s Session,
    inst: Instance,
    choice: Option<(&'s ChoiceList, &'s Choice)>,
}

impl<'s> Ctx<'s> {
    pub(crate) fn new(session: &'s Session, inst: Instance) -> Ctx<'s> {
        Ctx {
            session,
            inst,
            choice: None,
        }
    }

    pub(crate) fn with_choice(&self, list: &'s ChoiceList, choice: &'s Choice) -> Ctx<'s> {
        Ctx {
            session: self.session,
            inst: self.inst,
            choice: Some((list, choice)),
        }
    }

    fn node(&self, slot: Slot) -> Option<NodeId> {
        ((slot.0 as usize) < self.session.q.nodes.len()).then_some(slot.0)
    }
}

impl Context for Ctx<'_> {
    fn reference(&self, slot: Slot) -> Value {
        let Some(node) = self.node(slot) else {
            return Value::empty();
        };
        let s = self.session;
        if s.q.node(node).kind != Kind::Roster
            && let Some(scope) = s.scope_for(node, self.inst.scope)
        {
            return s.observed(Instance { node, scope });
        }
        let mut instances = Vec::new();
        s.instances_from(node, self.inst.scope, &mut instances);
        if s.q.node(node).kind == Kind::Roster {
            // A roster stands for its rows (for count()): one entry per row.
            let rows: Vec<Value> = instances
                .iter()
                .filter(|&&i| s.is_relevant(i))
                .flat_map(|&i| {
                    s.rows(i)
                        .iter()
                        .map(|&r| Value::Num(f64::from(s.row_position(r))))
                })
                .collect();
            return Value::Nodeset(rows);
        }
        Value::Nodeset(instances.into_iter().map(|i| s.observed(i)).collect())
    }

    fn current(&self) -> Value {
        self.session.observed(self.inst)
    }

    fn field(&self, name: &str) -> Value {
        match self.choice {
            Some((_, choice)) if name == "name" => Value::str(&choice.code),
            Some((list, choice)) => list
                .data(choice, name)
                .map(Value::str)
                .unwrap_or_else(Value::empty),
            None => Value::empty(),
        }
    }

    fn position(&self) -> Option<u32> {
        let s = self.session;
        let node = s.q.node(self.inst.node);
        // The row of the innermost roster around the item (a roster's own expressions sit in its parent).
        node.roster?;
        Some(s.row_position(self.inst.scope))
    }

    fn position_in(&self, roster: Slot) -> Option<u32> {
        let s = self.session;
        let mut scope = self.inst.scope;
        loop {
            let position = s.row_position(scope);
            if s.scope_roster(scope) == Some(roster.0) {
                return Some(position);
            }
            scope = s.scope_parent(scope)?;
        }
    }

    fn indexed(&self, item: Slot, roster: Slot, index: u32) -> Value {
        self.indexed_path(item, &[(roster, index)])
    }

    fn indexed_path(&self, item: Slot, path: &[(Slot, u32)]) -> Value {
        let s = self.session;
        let (Some(item), true) = (self.node(item), !path.is_empty()) else {
            return Value::empty();
        };
        let Some(first) = self.node(path[0].0) else {
            return Value::empty();
        };
        // Find the roster's instance seen from here, then follow the row indexes down.
        let mut rosters = Vec::new();
        s.instances_from(first, self.inst.scope, &mut rosters);
        let Some(&roster_inst) = rosters.first() else {
            return Value::empty();
        };
        let mut scope = roster_inst.scope;
        let mut current = roster_inst.node;
        for (i, &(slot, index)) in path.iter().enumerate() {
            let Some(roster) = self.node(slot) else {
                return Value::empty();
            };
            if i > 0 {
                match s.scope_for(roster, scope) {
                    Some(sc) => scope = sc,
                    None => return Value::empty(),
                }
                current = roster;
            }
            let rows = s.rows(Instance {
                node: current,
                scope,
            });
            match index.checked_sub(1).and_then(|i| rows.get(i as usize)) {
                Some(&row) => scope = row,
                None => return Value::empty(),
            }
        }
        match s.scope_for(item, scope) {
            Some(sc) => s.observed(Instance {
                node: item,
                scope: sc,
            }),
            None => {
                let mut found = Vec::new();
                s.instances_from(item, scope, &mut found);
                found
                    .first()
                    .map(|&i| s.observed(i))
                    .unwrap_or_else(Value::empty)
            }
        }
    }

    fn choice_label(&self, item: Slot, code: &str) -> Option<String> {
        let s = self.session;
        let list = s.q.choice_list_of(self.node(item)?)?;
        Some(list.get(code)?.label.get(s.language()).to_string())
    }

    fn pulldata(&self, table: &str, column: &str, key_column: &str, key: &str) -> Option<String> {
        self.session
            .q
            .tables
            .get(table)?
            .lookup(column, key_column, key)
            .map(str::to_string)
    }

    fn now(&self) -> DateTimeValue {
        self.session.env.now()
    }

    fn uuid(&self) -> String {
        self.session.env.uuid()
    }

    fn currency(&self, slot: Slot) -> Value {
        let s = self.session;
        let Some(node) = self.node(slot) else {
            return Value::empty();
        };
        let Some(scope) = s.scope_for(node, self.inst.scope) else {
            return Value::empty();
        };
        let inst = Instance { node, scope };
        match (s.is_relevant(inst), s.value(inst)) {
            (true, Some(Answer::Money { currency, .. })) => Value::str(currency),
            _ => Value::empty(),
        }
    }
}
