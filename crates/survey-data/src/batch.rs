//! Cleaned batches: a dataset in the export's layout, validated cell by cell against the questionnaire and
//! compared with the raw data.
//!
//! Validation, in order: every file is a level of the questionnaire (other files of an export zip, such as
//! the codebook or the paradata, are ignored); the header starts with the level's keys and names only the
//! level's variables, with every question column present (calculated and app-filled columns may be
//! left out: they are recomputed); keys are well-formed, unique, and each roster row has its parent row and
//! its row numbers run 1…n; question cells parse as their type and choice codes are in their list. Then each
//! interview is rebuilt with the engine from its cleaned rows (keeping the raw interview's confirmed
//! warnings) and every answer must be relevant (skip logic) and the interview must not have a hard error or
//! a missing required answer that its raw version did not already have. Any problem refuses the whole batch.
//!
//! A valid batch's dataset is laid out again from the rebuilt interviews, so its calculated columns are the
//! engine's, whatever the batch said.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use survey_spec::model::{Kind, Questionnaire};
use survey_spec::value_text;

use crate::dataset::{Dataset, Level, RowKey, Table, levels};
use crate::record::InterviewRecord;

/// One problem in a batch.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// The file (`hh_roster.csv`).
    pub file: String,
    /// The 1-based line of the CSV (1 is the header); 0 for the whole file.
    pub row: usize,
    /// The column, if one.
    pub column: String,
    /// The cell's value.
    pub value: String,
    /// What is wrong.
    pub problem: String,
}

/// Every problem of a refused batch.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchReport {
    /// The problems, by file, row and column.
    pub problems: Vec<Problem>,
}

impl BatchReport {
    /// The report as CSV: `file,row,column,value,problem`.
    pub fn to_csv(&self) -> Vec<u8> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        let _ = writer.write_record(["file", "row", "column", "value", "problem"]);
        for p in &self.problems {
            let _ = writer.write_record([
                p.file.as_str(),
                &p.row.to_string(),
                &p.column,
                &p.value,
                &p.problem,
            ]);
        }
        writer.into_inner().unwrap_or_default()
    }
}

/// A validated batch.
#[derive(Debug, Clone)]
pub struct CleanBatch {
    /// The dataset, laid out from the rebuilt interviews.
    pub dataset: Dataset,
    /// The rebuilt interviews.
    pub records: Vec<InterviewRecord>,
}

/// Where a cell came from, to report engine problems at their row and column.
#[derive(Clone)]
struct Origin {
    file: String,
    row: usize,
    column: String,
    value: String,
}

/// The file name without folders, as a batch may zip its CSVs in a folder.
fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// Validates a batch given as files (name, bytes) against the questionnaire and the raw interviews.
pub fn validate(
    q: &Arc<Questionnaire>,
    raw: &[InterviewRecord],
    files: &[(String, Vec<u8>)],
) -> Result<CleanBatch, BatchReport> {
    let mut problems = Vec::new();
    let all_levels = levels(q);
    let mut tables: BTreeMap<String, (Table, BTreeMap<RowKey, usize>)> = BTreeMap::new();
    let mut origins: HashMap<(String, String), Origin> = HashMap::new();
    let mut answers: BTreeMap<String, Vec<(String, survey_spec::Answer)>> = BTreeMap::new();
    let mut rows: BTreeMap<String, Vec<(String, u32)>> = BTreeMap::new();

    for (name, bytes) in files {
        let file = base_name(name).to_string();
        if !file.ends_with(".csv") || file == "paradata.csv" || file.starts_with("sdg_") {
            continue;
        }
        let Some(level) = all_levels.iter().find(|l| l.file_name() == file) else {
            problems.push(Problem {
                file: file.clone(),
                row: 0,
                column: String::new(),
                value: String::new(),
                problem: format!(
                    "not a file of this questionnaire's layout (expected one of {})",
                    all_levels
                        .iter()
                        .map(Level::file_name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
            continue;
        };
        if tables.contains_key(&level.name) {
            problems.push(problem(
                &file,
                0,
                "",
                "",
                "the file appears twice in the batch",
            ));
            continue;
        }
        let table = read_table(q, level, &file, bytes, &mut problems, &mut origins);
        tables.insert(level.name.clone(), table);
    }
    for level in &all_levels {
        if !tables.contains_key(&level.name) {
            problems.push(problem(
                &level.file_name(),
                0,
                "",
                "",
                "missing from the batch (send every level, even with no rows)",
            ));
        }
    }
    if !problems.is_empty() {
        return Err(report(problems));
    }

    // Keys: parents exist, row numbers run 1…n.
    let main_ids: BTreeSet<String> = tables["main"]
        .0
        .rows
        .keys()
        .map(|k| k.interview.clone())
        .collect();
    for level in all_levels.iter().skip(1) {
        let (table, lines) = &tables[&level.name];
        let parent_level = &level.chain[..level.chain.len() - 1];
        let mut counts: BTreeMap<RowKey, u32> = BTreeMap::new();
        for key in table.rows.keys() {
            let line = lines[key];
            let parent_key = RowKey {
                interview: key.interview.clone(),
                index: key.index[..key.index.len() - 1].to_vec(),
            };
            let parent_exists = if parent_level.is_empty() {
                main_ids.contains(&key.interview)
            } else {
                tables[parent_level.last().map(String::as_str).unwrap_or("main")]
                    .0
                    .rows
                    .contains_key(&parent_key)
            };
            if !parent_exists {
                problems.push(problem(
                    &level.file_name(),
                    line,
                    "interview_id",
                    &key.interview,
                    &format!(
                        "no parent row {} in the batch",
                        describe(&parent_key, parent_level)
                    ),
                ));
                continue;
            }
            let count = counts.entry(parent_key).or_insert(0);
            let position = *key.index.last().unwrap_or(&0);
            if position != *count + 1 {
                problems.push(problem(
                    &level.file_name(),
                    line,
                    &format!("{}_row", level.name),
                    &position.to_string(),
                    &format!(
                        "row numbers must run 1, 2, 3… without gaps; expected {}",
                        *count + 1
                    ),
                ));
            }
            *count = position;
        }
        for (parent, count) in counts {
            let prefix = parent.row_path(parent_level);
            let roster_path = if prefix.is_empty() {
                level.name.clone()
            } else {
                format!("{prefix}.{}", level.name)
            };
            rows.entry(parent.interview.clone())
                .or_default()
                .push((roster_path, count));
        }
    }
    if !problems.is_empty() {
        return Err(report(problems));
    }

    // Answers by interview, with their origin.
    for level in &all_levels {
        let (table, _) = &tables[&level.name];
        for (key, cells) in &table.rows {
            let prefix = key.row_path(&level.chain);
            for (i, column) in table.columns.iter().enumerate() {
                let Some(node) = q.node_by_name(column) else {
                    continue;
                };
                if !is_stored(node.kind) {
                    continue;
                }
                let text = &cells[i];
                if text.is_empty() {
                    continue;
                }
                let path = if prefix.is_empty() {
                    column.clone()
                } else {
                    format!("{prefix}.{column}")
                };
                if let Ok(answer) = value_text::parse_literal(node.kind, text) {
                    answers
                        .entry(key.interview.clone())
                        .or_default()
                        .push((path, answer));
                }
            }
        }
    }

    // Rebuild each interview and compare its problems with the raw interview's.
    let raw_by_id: HashMap<&str, &InterviewRecord> =
        raw.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut records = Vec::new();
    for id in &main_ids {
        let raw_record = raw_by_id.get(id.as_str());
        let mut record = InterviewRecord {
            id: id.clone(),
            rows: rows.remove(id).unwrap_or_default(),
            answers: answers.remove(id).unwrap_or_default(),
            confirmed: raw_record.map(|r| r.confirmed.clone()).unwrap_or_default(),
            language: raw_record.and_then(|r| r.language.clone()),
            events: raw_record.map(|r| r.events.clone()).unwrap_or_default(),
        };
        // Rows sorted outer before inner, as `Session::restore` expects.
        record
            .rows
            .sort_by_key(|(path, _)| path.matches('.').count());
        let raw_issues: HashSet<(String, String)> = raw_record
            .map(|r| hard_issues(q, r).into_iter().collect())
            .unwrap_or_default();
        let (session, rejections) = record.restore(q);
        for rejection in rejections {
            problems.push(problem(
                "main.csv",
                0,
                "",
                id,
                &format!("interview {id}: {}", rejection.message),
            ));
        }
        let main_origin = origins.get(&(id.clone(), String::new())).cloned();
        for inst in session.walk() {
            let node = q.node(inst.node);
            if !node.kind.is_question() {
                continue;
            }
            let path = session.path(inst);
            let origin = origins.get(&(id.clone(), path.clone()));
            if session.value(inst).is_some() && !session.is_relevant(inst) {
                if let Some(o) = origin {
                    problems.push(Problem {
                        file: o.file.clone(),
                        row: o.row,
                        column: o.column.clone(),
                        value: o.value.clone(),
                        problem: format!(
                            "not relevant here (skip logic: {}); leave it empty",
                            relevance_text(q, node.id)
                        ),
                    });
                }
                continue;
            }
            for issue in session.issues(inst) {
                if issue.soft || raw_issues.contains(&(path.clone(), issue.code.clone())) {
                    continue;
                }
                let o = origin
                    .cloned()
                    .or_else(|| main_origin.clone())
                    .unwrap_or(Origin {
                        file: "main.csv".into(),
                        row: 0,
                        column: String::new(),
                        value: String::new(),
                    });
                let column = if origin.is_some() {
                    o.column.clone()
                } else {
                    node.name.clone()
                };
                problems.push(Problem {
                    file: o.file,
                    row: o.row,
                    column,
                    value: o.value,
                    problem: format!("{path}: {} ({})", issue.message, issue.code),
                });
            }
        }
        records.push(record);
    }
    if !problems.is_empty() {
        return Err(report(problems));
    }
    let dataset = Dataset::from_records(q, &records);
    Ok(CleanBatch { dataset, records })
}

fn hard_issues(q: &Arc<Questionnaire>, record: &InterviewRecord) -> Vec<(String, String)> {
    let (session, _) = record.restore(q);
    session
        .walk()
        .into_iter()
        .flat_map(|inst| {
            let path = session.path(inst);
            session
                .issues(inst)
                .into_iter()
                .filter(|i| !i.soft)
                .map(move |i| (path.clone(), i.code))
        })
        .collect()
}

fn relevance_text(q: &Questionnaire, mut id: u32) -> String {
    loop {
        let node = q.node(id);
        if let Some(expr) = &node.relevant {
            return format!("relevant when {expr}");
        }
        match node.parent {
            Some(p) => id = p,
            None => return "not relevant".into(),
        }
    }
}

fn describe(key: &RowKey, chain: &[String]) -> String {
    let path = key.row_path(chain);
    if path.is_empty() {
        format!("(interview {} in main.csv)", key.interview)
    } else {
        format!("{path} of interview {}", key.interview)
    }
}

fn problem(file: &str, row: usize, column: &str, value: &str, what: &str) -> Problem {
    Problem {
        file: file.to_string(),
        row,
        column: column.to_string(),
        value: value.to_string(),
        problem: what.to_string(),
    }
}

fn report(mut problems: Vec<Problem>) -> BatchReport {
    problems.sort();
    problems.dedup();
    BatchReport { problems }
}

/// Reads one CSV into a table, checking the header, keys and cells.
fn read_table(
    q: &Questionnaire,
    level: &Level,
    file: &str,
    bytes: &[u8],
    problems: &mut Vec<Problem>,
    origins: &mut HashMap<(String, String), Origin>,
) -> (Table, BTreeMap<RowKey, usize>) {
    let mut table = Table::new(q, level.clone());
    let mut lines = BTreeMap::new();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h.iter().map(|c| c.trim().to_string()).collect(),
        Some(Err(e)) => {
            problems.push(problem(file, 1, "", "", &format!("unreadable CSV: {e}")));
            return (table, lines);
        }
        None => {
            problems.push(problem(
                file,
                0,
                "",
                "",
                "empty file (the header is missing)",
            ));
            return (table, lines);
        }
    };
    let keys = level.key_columns();
    if header.len() < keys.len() || header[..keys.len()] != keys[..] {
        problems.push(problem(
            file,
            1,
            "",
            &header.join(","),
            &format!("the header must start with the keys {}", keys.join(",")),
        ));
        return (table, lines);
    }
    // Column positions in the file → column index in the table.
    let mut map: Vec<Option<usize>> = Vec::new();
    let mut seen = HashSet::new();
    for name in &header[keys.len()..] {
        match table.column(name) {
            Some(i) if seen.insert(i) => map.push(Some(i)),
            Some(_) => {
                problems.push(problem(file, 1, name, name, "column appears twice"));
                map.push(None);
            }
            None => {
                let elsewhere = q
                    .node_by_name(name)
                    .map(|_| " (it belongs to another level's file)")
                    .unwrap_or("");
                problems.push(problem(
                    file,
                    1,
                    name,
                    name,
                    &format!("not a variable of {}{elsewhere}", level.file_name()),
                ));
                map.push(None);
            }
        }
    }
    for &id in &level.variables {
        let node = q.node(id);
        if node.kind.is_question()
            && !seen.contains(&table.column(&node.name).unwrap_or(usize::MAX))
        {
            problems.push(problem(
                file,
                1,
                &node.name,
                "",
                "question column missing from the header",
            ));
        }
    }
    let width = table.columns.len();
    for (n, record) in records.enumerate() {
        let line = n + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(problem(
                    file,
                    line,
                    "",
                    "",
                    &format!("unreadable CSV line: {e}"),
                ));
                continue;
            }
        };
        if record.len() != header.len() {
            problems.push(problem(
                file,
                line,
                "",
                "",
                &format!("{} cells, the header has {}", record.len(), header.len()),
            ));
            continue;
        }
        let interview = record[0].trim().to_string();
        if interview.is_empty() {
            problems.push(problem(file, line, "interview_id", "", "empty key"));
            continue;
        }
        let mut index = Vec::new();
        let mut bad_key = false;
        for (k, name) in keys.iter().enumerate().skip(1) {
            match record[k].trim().parse::<u32>() {
                Ok(i) if i >= 1 => index.push(i),
                _ => {
                    problems.push(problem(
                        file,
                        line,
                        name,
                        &record[k],
                        "a row number must be a whole number from 1",
                    ));
                    bad_key = true;
                }
            }
        }
        if bad_key {
            continue;
        }
        let key = RowKey { interview, index };
        if let Some(first) = lines.get(&key) {
            problems.push(problem(
                file,
                line,
                "interview_id",
                &key.interview,
                &format!("duplicate key (also on line {first})"),
            ));
            continue;
        }
        let prefix = key.row_path(&level.chain);
        let mut cells = vec![String::new(); width];
        for (position, target) in map.iter().enumerate() {
            let Some(column) = *target else { continue };
            let text = record[keys.len() + position].trim().to_string();
            let node = q.node(level.variables[column]);
            if !text.is_empty() && is_stored(node.kind) {
                if let Some(message) = check_cell(q, node.id, &text) {
                    problems.push(problem(file, line, &node.name, &text, &message));
                }
                let path = if prefix.is_empty() {
                    node.name.clone()
                } else {
                    format!("{prefix}.{}", node.name)
                };
                origins.insert(
                    (key.interview.clone(), path),
                    Origin {
                        file: file.to_string(),
                        row: line,
                        column: node.name.clone(),
                        value: text.clone(),
                    },
                );
            }
            cells[column] = text;
        }
        if level.roster.is_none() {
            origins.insert(
                (key.interview.clone(), String::new()),
                Origin {
                    file: file.to_string(),
                    row: line,
                    column: String::new(),
                    value: String::new(),
                },
            );
        }
        lines.insert(key.clone(), line);
        table.rows.insert(key, cells);
    }
    (table, lines)
}

/// Whether a column holds stored answers (questions and app-filled metadata), not calculations.
fn is_stored(kind: Kind) -> bool {
    kind.has_value() && kind != Kind::Calculate
}

/// The type and code check of one cell, or why it fails.
fn check_cell(q: &Questionnaire, id: u32, text: &str) -> Option<String> {
    let node = q.node(id);
    let answer = match value_text::parse_literal(node.kind, text) {
        Ok(a) => a,
        Err(e) => return Some(format!("not a valid {}: {e}", node.kind.name())),
    };
    if node.kind.has_choices()
        && let Some(list) = q.choice_list_of(id)
    {
        let codes: Vec<String> = match &answer {
            survey_spec::Answer::Choice(c) => vec![c.clone()],
            survey_spec::Answer::Choices(c) => c.clone(),
            _ => Vec::new(),
        };
        for code in codes {
            if list.get(&code).is_none() {
                return Some(format!(
                    "`{code}` is not a code of the list `{}`",
                    list.name
                ));
            }
        }
    }
    if node.kind == Kind::Integer && text.contains('.') {
        return Some("not a whole number".into());
    }
    None
}

/// Cells changed, added and deleted for one variable.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VariableDiff {
    /// The level.
    pub level: String,
    /// The variable.
    pub variable: String,
    /// Cells with a different value.
    pub changed: usize,
    /// Cells empty (or absent) in the base and filled in the other.
    pub added: usize,
    /// Cells filled in the base and empty (or absent) in the other.
    pub deleted: usize,
}

/// One changed cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellChange {
    /// The level.
    pub level: String,
    /// The row.
    pub key: RowKey,
    /// The variable.
    pub variable: String,
    /// The value in the base (empty if none).
    pub before: String,
    /// The value in the other (empty if none).
    pub after: String,
}

/// The differences between two datasets of the same questionnaire.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Diff {
    /// Per variable with at least one difference.
    pub variables: Vec<VariableDiff>,
    /// Rows only in the other, per level.
    pub rows_added: BTreeMap<String, usize>,
    /// Rows only in the base, per level.
    pub rows_deleted: BTreeMap<String, usize>,
    /// Every changed cell.
    pub cells: Vec<CellChange>,
}

/// Compares `other` with `base`, cell by cell.
pub fn diff(base: &Dataset, other: &Dataset) -> Diff {
    let mut out = Diff::default();
    for table in &base.tables {
        let Some(theirs) = other.table(&table.level.name) else {
            continue;
        };
        let mut per_variable: Vec<VariableDiff> = table
            .columns
            .iter()
            .map(|c| VariableDiff {
                level: table.level.name.clone(),
                variable: c.clone(),
                ..Default::default()
            })
            .collect();
        let keys: BTreeSet<&RowKey> = table.rows.keys().chain(theirs.rows.keys()).collect();
        let empty = vec![String::new(); table.columns.len()];
        for key in keys {
            let a = table.rows.get(key);
            let b = theirs.rows.get(key);
            match (a, b) {
                (Some(_), None) => {
                    *out.rows_deleted
                        .entry(table.level.name.clone())
                        .or_default() += 1
                }
                (None, Some(_)) => {
                    *out.rows_added.entry(table.level.name.clone()).or_default() += 1
                }
                _ => {}
            }
            let a = a.unwrap_or(&empty);
            let b = b.unwrap_or(&empty);
            for (i, column) in table.columns.iter().enumerate() {
                let before = &a[i];
                let after = theirs
                    .column(column)
                    .and_then(|j| b.get(j))
                    .unwrap_or(&empty[i]);
                if before == after {
                    continue;
                }
                let v = &mut per_variable[i];
                match (before.is_empty(), after.is_empty()) {
                    (true, false) => v.added += 1,
                    (false, true) => v.deleted += 1,
                    _ => v.changed += 1,
                }
                out.cells.push(CellChange {
                    level: table.level.name.clone(),
                    key: key.clone(),
                    variable: column.clone(),
                    before: before.clone(),
                    after: after.clone(),
                });
            }
        }
        out.variables.extend(
            per_variable
                .into_iter()
                .filter(|v| v.changed + v.added + v.deleted > 0),
        );
    }
    out
}
