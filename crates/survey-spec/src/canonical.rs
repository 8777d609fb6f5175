//! A canonical text dump of a compiled questionnaire.
//!
//! Two sources that mean the same questionnaire (a native YAML file and the XLSForm exported from it) give the
//! same dump, whatever their layout, comments or cell positions: locations are left out, expressions are
//! printed in canonical form. The content hash is the SHA-256 of this dump.

use std::fmt::Write;

use crate::model::{Condition, Questionnaire, Text};

fn text(out: &mut String, key: &str, t: &Option<Text>) {
    if let Some(t) = t {
        let _ = writeln!(out, "  {key}: {:?}", t.by_language);
    }
}

/// The canonical dump.
pub fn dump(q: &Questionnaire) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "id: {}\nversion: {}\nlanguages: {:?}\ndefault: {}",
        q.id, q.version, q.languages, q.default_language
    );
    let _ = writeln!(
        out,
        "title: {:?}\nparadata: {}",
        q.title.by_language, q.paradata
    );
    if let Some(e) = &q.instance_name {
        let _ = writeln!(out, "instance_name: {e}");
    }
    for node in &q.nodes {
        let parent = node.parent.map(|p| q.node(p).name.as_str()).unwrap_or("");
        let _ = writeln!(out, "node {} {} in {parent}", node.name, node.kind.name());
        text(&mut out, "label", &node.label);
        text(&mut out, "hint", &node.hint);
        if let Some(e) = &node.relevant {
            let _ = writeln!(out, "  relevant: {e}");
        }
        for (key, c) in [("required", &node.required), ("read_only", &node.read_only)] {
            match c {
                Condition::Always(false) => {}
                Condition::Always(true) => {
                    let _ = writeln!(out, "  {key}: true");
                }
                Condition::When(e) => {
                    let _ = writeln!(out, "  {key}: {e}");
                }
            }
        }
        text(&mut out, "required_message", &node.required_message);
        for check in &node.checks {
            let _ = writeln!(
                out,
                "  check {} soft={}: {}",
                check.code, check.soft, check.expr
            );
            text(&mut out, "message", &check.message);
        }
        if let Some(e) = &node.calculation {
            let _ = writeln!(out, "  calculation: {e}");
        }
        if let Some(d) = &node.default {
            let _ = writeln!(out, "  default: {}", crate::value_text::to_text(d));
        }
        if let Some(l) = node.choices {
            let _ = writeln!(out, "  choices: {}", q.choice_lists[l as usize].name);
        }
        if let Some(e) = &node.choice_filter {
            let _ = writeln!(out, "  choice_filter: {e}");
        }
        for (key, v) in [("preload", &node.preload), ("appearance", &node.appearance)] {
            if let Some(v) = v {
                let _ = writeln!(out, "  {key}: {v}");
            }
        }
        for (k, v) in &node.parameters {
            let _ = writeln!(out, "  parameter {k}: {v}");
        }
        if let Some(e) = &node.repeat_count {
            let _ = writeln!(out, "  repeat_count: {e}");
        }
        if node.kind == crate::model::Kind::Roster {
            let _ = writeln!(out, "  max_rows: {}", node.max_rows);
        }
        text(&mut out, "row_label", &node.row_label);
    }
    for list in &q.choice_lists {
        let _ = writeln!(out, "list {} columns {:?}", list.name, list.columns);
        for c in &list.choices {
            let _ = writeln!(out, "  {} {:?} {:?}", c.code, c.label.by_language, c.data);
        }
    }
    let mut tables: Vec<_> = q.tables.iter().collect();
    tables.sort_by_key(|(name, _)| name.as_str());
    for (name, table) in tables {
        let _ = writeln!(
            out,
            "table {name} {:?} rows {}",
            table.columns,
            table.rows.len()
        );
        for row in &table.rows {
            let _ = writeln!(out, "  {row:?}");
        }
    }
    let names = |ids: &[u32]| {
        ids.iter()
            .map(|&i| q.node(i).name.clone())
            .collect::<Vec<_>>()
    };
    let _ = writeln!(out, "monitoring: {:?}", names(&q.monitoring));
    for quota in &q.quotas {
        let _ = writeln!(out, "quota {} by {:?}", quota.name, names(&quota.by));
        if let Some(e) = &quota.when {
            let _ = writeln!(out, "  when: {e}");
        }
    }
    out
}
