//! Expected outcomes of scripted interviews (`NN-name.expect.json` next to `NN-name.json`).
//!
//! ```json
//! { "description": "...", "now": "2026-10-15T10:00:00+01:00", "complete": true,
//!   "values": {"path": value}, "absent": ["path"], "relevant": ["path"], "not_relevant": ["path"],
//!   "errors": [{"path": "...", "code": "..."}], "warnings": [{"path": "..."}], "rejected": 0 }
//! ```
//! Every key is optional. `values` must match exactly (numbers within 1e-6 relative); `errors` and
//! `warnings`, when given, must list exactly the paths reported (codes compared when given).

use serde_json::Value as Json;

fn numbers_close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1e-9)
}

fn same(expected: &Json, actual: &Json) -> bool {
    match (expected, actual) {
        (Json::Number(e), Json::Number(a)) => match (e.as_f64(), a.as_f64()) {
            (Some(e), Some(a)) => numbers_close(e, a),
            _ => false,
        },
        (Json::Array(e), Json::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(e, a)| same(e, a))
        }
        (Json::Object(e), Json::Object(a)) => {
            e.len() == a.len()
                && e.iter()
                    .all(|(k, v)| a.get(k).is_some_and(|av| same(v, av)))
        }
        _ => expected == actual,
    }
}

fn paths(list: &Json) -> Vec<&str> {
    list.as_array()
        .map(|a| a.iter().filter_map(Json::as_str).collect())
        .unwrap_or_default()
}

fn issue_set(report: &Json, key: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = report[key]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| {
                    (
                        i["path"].as_str().unwrap_or("").to_string(),
                        i["code"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Compares a `play` report with expectations; returns one line per mismatch.
pub fn compare(expect: &Json, report: &Json) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(complete) = expect.get("complete").and_then(Json::as_bool)
        && report["complete"].as_bool() != Some(complete)
    {
        problems.push(format!(
            "complete: expected {complete}, got {}",
            report["complete"]
        ));
    }
    if let Some(values) = expect.get("values").and_then(Json::as_object) {
        for (path, expected) in values {
            match report["values"].get(path) {
                None => problems.push(format!("value {path}: expected {expected}, but it has no value (not relevant or unanswered)")),
                Some(actual) if !same(expected, actual) => problems.push(format!("value {path}: expected {expected}, got {actual}")),
                _ => {}
            }
        }
    }
    for path in paths(&expect["absent"]) {
        if let Some(actual) = report["values"].get(path) {
            problems.push(format!("value {path}: expected no value, got {actual}"));
        }
    }
    let relevant = paths(&report["relevant"]);
    for path in paths(&expect["relevant"]) {
        if !relevant.contains(&path) {
            problems.push(format!(
                "relevant: expected {path} to be relevant, it is not"
            ));
        }
    }
    for path in paths(&expect["not_relevant"]) {
        if relevant.contains(&path) {
            problems.push(format!(
                "relevant: expected {path} not to be relevant, it is"
            ));
        }
    }
    for key in ["errors", "warnings"] {
        let Some(expected) = expect.get(key).and_then(Json::as_array) else {
            continue;
        };
        let actual = issue_set(report, key);
        let mut wanted: Vec<(String, Option<String>)> = expected
            .iter()
            .map(|i| {
                (
                    i["path"].as_str().unwrap_or("").to_string(),
                    i.get("code").and_then(Json::as_str).map(str::to_string),
                )
            })
            .collect();
        wanted.sort();
        let matches = wanted.len() == actual.len()
            && wanted
                .iter()
                .zip(&actual)
                .all(|((wp, wc), (ap, ac))| wp == ap && wc.as_ref().is_none_or(|c| c == ac));
        if !matches {
            problems.push(format!("{key}: expected {wanted:?}, got {actual:?}"));
        }
    }
    if let Some(n) = expect.get("rejected").and_then(Json::as_u64) {
        let got = report["rejected"].as_array().map(Vec::len).unwrap_or(0) as u64;
        if got != n {
            problems.push(format!(
                "rejected: expected {n} rejected step(s), got {got}: {}",
                report["rejected"]
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_matching_report_has_no_problems_and_each_mismatch_is_named() {
        let report = json!({"values": {"a": 2.0000000001, "b": "x"}, "relevant": ["a", "b"], "errors": [],
            "warnings": [{"path": "a", "code": "warning"}], "rejected": [], "complete": true});
        let good = json!({"complete": true, "values": {"a": 2}, "relevant": ["a"], "not_relevant": ["c"],
            "warnings": [{"path": "a"}], "errors": [], "rejected": 0, "absent": ["c"]});
        assert_eq!(compare(&good, &report), Vec::<String>::new());
        let bad = json!({"complete": false, "values": {"a": 3, "c": 1}, "absent": ["b"], "not_relevant": ["a"],
            "warnings": [], "rejected": 1});
        assert_eq!(
            compare(&bad, &report),
            vec![
                "complete: expected false, got true",
                "value a: expected 3, got 2.0000000001",
                "value c: expected 1, but it has no value (not relevant or unanswered)",
                "value b: expected no value, got \"x\"",
                "relevant: expected a not to be relevant, it is",
                "warnings: expected [], got [(\"a\", \"warning\")]",
                "rejected: expected 1 rejected step(s), got 0: []",
            ]
        );
    }
}
