//! Document → [`Questionnaire`]: names, types, choice lists, expressions, dependency graph.
//!
//! The compiler keeps going after a problem so that one run reports all of them. A questionnaire is returned
//! only when there is no error.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use survey_expr::{CheckOptions, Expr, Multiplicity, RefInfo, Scope, Slot, ValueType};

use crate::answer::Answer;
use crate::diagnostic::{Diagnostic, Diagnostics, Loc};
use crate::document::{self, ChoiceSource, Document, ItemDoc, Located, Texts};
use crate::model::{
    Aspect, Check, Choice, ChoiceList, Condition, Kind, Node, NodeId, Questionnaire, Quota, Table,
    Text, TextPiece,
};
use crate::native::suggest;
use crate::{SourceLoader, value_text};

/// A CSV row with its 1-based line number.
type CsvRow = (u32, Vec<String>);

/// Names longer than this do not survive Stata and SPSS exports.
pub const MAX_NAME_LEN: usize = 32;

/// Compiles a document. `file_name` names the source in diagnostics; `files` reads CSV lists and tables.
pub fn compile(
    doc: &Document,
    file_name: &str,
    files: &dyn SourceLoader,
) -> (Option<Arc<Questionnaire>>, Vec<Diagnostic>) {
    let mut c = Compiler {
        d: Diagnostics::new(file_name),
        files,
        languages: Vec::new(),
        nodes: Vec::new(),
        docs: Vec::new(),
        by_name: HashMap::new(),
        choice_lists: Vec::new(),
        list_index: HashMap::new(),
        tables: HashMap::new(),
    };
    let q = c.run(doc);
    let Compiler { d, .. } = c;
    let has_errors = d.has_errors();
    let mut diagnostics = d.into_vec();
    diagnostics.sort_by_key(|d| d.loc.line_col());
    if has_errors {
        (None, diagnostics)
    } else {
        (q.map(Arc::new), diagnostics)
    }
}

struct Compiler<'a> {
    d: Diagnostics,
    files: &'a dyn SourceLoader,
    languages: Vec<String>,
    nodes: Vec<Node>,
    docs: Vec<&'a ItemDoc>,
    by_name: HashMap<String, NodeId>,
    choice_lists: Vec<ChoiceList>,
    list_index: HashMap<String, u32>,
    tables: HashMap<String, Table>,
}

const YES_NO_LIST: &str = "yes_no";

fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl<'a> Compiler<'a> {
    fn run(&mut self, doc: &'a Document) -> Option<Questionnaire> {
        let top_loc = Loc::text(1, 1);
        match &doc.format {
            None => self.d.error(&top_loc, "Q001", "the file must start with `daftar: 1` (the format version)"),
            Some(f) if f.value != "1" => self.d.error(
                &f.loc,
                "Q002",
                format!("format version `{}` is not supported; this version of Daftar reads `daftar: 1`", f.value),
            ),
            _ => {}
        }
        let id = match &doc.id {
            Some(id)
                if !id.value.is_empty()
                    && id.value.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
                    }) =>
            {
                id.value.clone()
            }
            Some(id) => {
                self.d.error(
                    &id.loc,
                    "Q003",
                    format!(
                        "questionnaire id `{}` may use only lowercase letters, digits, `-` and `_`",
                        id.value
                    ),
                );
                id.value.clone()
            }
            None => {
                self.d
                    .error(&top_loc, "Q003", "the questionnaire needs an `id`");
                String::new()
            }
        };
        let version = doc
            .version
            .as_ref()
            .map(|v| v.value.clone())
            .unwrap_or_else(|| {
                self.d
                    .error(&top_loc, "Q004", "the questionnaire needs a `version`");
                String::new()
            });
        let mut seen = HashSet::new();
        for lang in &doc.languages {
            if !seen.insert(lang.value.clone()) {
                self.d.error(
                    &lang.loc,
                    "Q005",
                    format!("language `{}` is declared twice", lang.value),
                );
            } else {
                self.languages.push(lang.value.clone());
            }
        }
        if self.languages.is_empty() {
            // A single-language questionnaire written with plain strings.
            self.languages.push(String::new());
        }
        let default_language = match &doc.default_language {
            Some(l) => self
                .languages
                .iter()
                .position(|x| *x == l.value)
                .unwrap_or_else(|| {
                    self.d.error(
                        &l.loc,
                        "Q006",
                        format!(
                            "default language `{}` is not among the declared languages ({})",
                            l.value,
                            self.languages.join(", ")
                        ),
                    );
                    0
                }),
            None => 0,
        };
        let title = match &doc.title {
            Some(t) => self.text(t, &|| "the title".to_string()),
            None => Text {
                by_language: vec![id.clone(); self.languages.len()],
                pieces: Vec::new(),
            },
        };

        self.builtin_yes_no();
        for list in &doc.choice_lists {
            self.choice_list(list);
        }
        for table in &doc.tables {
            if self.tables.contains_key(&table.name.value) {
                self.d.error(
                    &table.name.loc,
                    "Q010",
                    format!("table `{}` is declared twice", table.name.value),
                );
                continue;
            }
            if let Some((columns, rows)) = self.read_csv(&table.file) {
                let t = build_table(columns, rows.into_iter().map(|(_, r)| r).collect());
                self.tables.insert(table.name.value.clone(), t);
            }
        }

        // Pass 1: the tree, names and kinds.
        let mut top = Vec::new();
        let mut top_width = 0u32;
        let mut row_width: HashMap<NodeId, u32> = HashMap::new();
        for item in &doc.items {
            if let Some(id) =
                self.declare(item, None, None, 0, true, &mut top_width, &mut row_width)
            {
                top.push(id);
            }
        }
        if doc.items.is_empty() && !self.d.has_errors() {
            // A form of metadata only (start, end, audit) is valid in ODK; it is just unusual.
            self.d.warning(
                &top_loc,
                "Q020",
                "the questionnaire has no items; interviews will record only their metadata",
            );
        }

        // Pass 2: everything that refers to names.
        for id in 0..self.nodes.len() {
            self.resolve(id as NodeId);
        }
        let instance_name = doc
            .instance_name
            .as_ref()
            .and_then(|e| self.expr(e, &[], false, false));

        let monitoring: Vec<NodeId> = doc
            .monitoring
            .iter()
            .filter_map(|m| {
                let id = self.name_ref(m)?;
                if !self.nodes[id as usize].kind.has_value() {
                    self.d.error(
                        &m.loc,
                        "Q060",
                        format!("monitoring field `{}` has no value to monitor", m.value),
                    );
                    return None;
                }
                Some(id)
            })
            .collect();
        let quotas = doc
            .quotas
            .iter()
            .filter_map(|qd| self.quota(qd, &monitoring))
            .collect();

        let (dependents, rank, order) = self.graph();

        let row_width_vec = (0..self.nodes.len() as NodeId)
            .map(|i| row_width.get(&i).copied().unwrap_or(0))
            .collect();
        let q = Questionnaire {
            id,
            version,
            hash: std::sync::OnceLock::new(),
            title,
            languages: self.languages.clone(),
            default_language,
            metadata: doc.metadata.clone(),
            paradata: doc.paradata.as_ref().map(|p| p.value).unwrap_or(true),
            instance_name,
            nodes: std::mem::take(&mut self.nodes),
            top,
            top_width,
            row_width: row_width_vec,
            choice_lists: std::mem::take(&mut self.choice_lists),
            tables: std::mem::take(&mut self.tables),
            monitoring,
            quotas,
            by_name: std::mem::take(&mut self.by_name),
            dependents,
            rank,
            order,
        };
        Some(q)
    }

    fn builtin_yes_no(&mut self) {
        let label = |fr: &str, ar: &str, en: &str, langs: &[String]| Text {
            by_language: langs
                .iter()
                .map(|l| {
                    match l.as_str() {
                        "fr" => fr,
                        "ar" => ar,
                        _ => en,
                    }
                    .to_string()
                })
                .collect(),
            pieces: Vec::new(),
        };
        let choices = vec![
            Choice {
                code: "yes".into(),
                label: label("Oui", "نعم", "Yes", &self.languages),
                data: Vec::new(),
            },
            Choice {
                code: "no".into(),
                label: label("Non", "لا", "No", &self.languages),
                data: Vec::new(),
            },
        ];
        self.add_list(YES_NO_LIST.to_string(), choices, Vec::new());
    }

    fn add_list(&mut self, name: String, choices: Vec<Choice>, columns: Vec<String>) -> u32 {
        let index = choices
            .iter()
            .enumerate()
            .map(|(i, c)| (c.code.clone(), i as u32))
            .collect();
        let id = self.choice_lists.len() as u32;
        self.list_index.insert(name.clone(), id);
        self.choice_lists.push(ChoiceList {
            name,
            choices,
            columns,
            index,
        });
        id
    }

    fn choice_list(&mut self, list: &document::ChoiceListDoc) {
        let name = &list.name;
        if !is_valid_name(&name.value) {
            self.d.error(
                &name.loc,
                "Q011",
                format!(
                    "choice list name `{}` must be letters, digits and `_`",
                    name.value
                ),
            );
        }
        if self.list_index.contains_key(&name.value) {
            let what = if name.value == YES_NO_LIST {
                " (it is the built-in yes/no list)"
            } else {
                ""
            };
            self.d.error(
                &name.loc,
                "Q012",
                format!("choice list `{}` is declared twice{what}", name.value),
            );
            return;
        }
        let (choices, columns) = match &list.source {
            ChoiceSource::Inline(items) => {
                let mut columns: Vec<String> = Vec::new();
                for c in items {
                    for (k, _) in &c.data {
                        if !columns.contains(k) {
                            columns.push(k.clone());
                        }
                    }
                }
                let mut seen: HashMap<&str, &Loc> = HashMap::new();
                let mut choices = Vec::new();
                for c in items {
                    if c.code.value.is_empty() {
                        self.d.error(
                            &c.code.loc,
                            "Q013",
                            format!("a choice in list `{}` has an empty code", name.value),
                        );
                        continue;
                    }
                    if c.code.value.contains(' ') {
                        self.d.error(&c.code.loc, "Q014", format!("choice code `{}` in list `{}` contains a space; codes of multiple choices are separated by spaces", c.code.value, name.value));
                    }
                    if let Some(first) = seen.insert(&c.code.value, &c.code.loc) {
                        self.d.error(
                            &c.code.loc,
                            "Q015",
                            format!(
                                "choice code `{}` appears twice in list `{}` (first at {first})",
                                c.code.value, name.value
                            ),
                        );
                        continue;
                    }
                    let label = match &c.label {
                        Some(t) => self.text(t, &|| {
                            format!(
                                "the label of choice `{}` in list `{}`",
                                c.code.value, name.value
                            )
                        }),
                        None => {
                            self.d.error(
                                &c.loc,
                                "Q016",
                                format!(
                                    "choice `{}` in list `{}` has no label",
                                    c.code.value, name.value
                                ),
                            );
                            Text::default()
                        }
                    };
                    let data = columns
                        .iter()
                        .map(|col| {
                            c.data
                                .iter()
                                .find(|(k, _)| k == col)
                                .map(|(_, v)| v.value.clone())
                                .unwrap_or_default()
                        })
                        .collect();
                    choices.push(Choice {
                        code: c.code.value.clone(),
                        label,
                        data,
                    });
                }
                (choices, columns)
            }
            ChoiceSource::File(file) => match self.read_csv(file) {
                Some((header, rows)) => self.csv_choices(&name.value, file, header, rows),
                None => (Vec::new(), Vec::new()),
            },
        };
        if choices.is_empty() {
            self.d.error(
                &name.loc,
                "Q017",
                format!("choice list `{}` has no choices", name.value),
            );
        }
        let id = self.add_list(name.value.clone(), choices.clone(), columns.clone());
        if let ChoiceSource::File(_) = &list.source {
            // A CSV list doubles as a pulldata() table under its name, with its full header.
            let mut cols = vec!["name".to_string()];
            let mut label_cols = Vec::new();
            for (i, l) in self.languages.iter().enumerate() {
                label_cols.push(i);
                cols.push(if l.is_empty() {
                    "label".to_string()
                } else {
                    format!("label::{l}")
                });
            }
            cols.extend(columns.iter().cloned());
            let rows = self.choice_lists[id as usize]
                .choices
                .iter()
                .map(|c| {
                    let mut row = vec![c.code.clone()];
                    row.extend(
                        label_cols
                            .iter()
                            .map(|&i| c.label.by_language.get(i).cloned().unwrap_or_default()),
                    );
                    row.extend(c.data.iter().cloned());
                    row
                })
                .collect();
            self.tables
                .entry(name.value.clone())
                .or_insert_with(|| build_table(cols, rows));
        }
    }

    fn csv_choices(
        &mut self,
        list: &str,
        file: &Located<String>,
        header: Vec<String>,
        rows: Vec<CsvRow>,
    ) -> (Vec<Choice>, Vec<String>) {
        let Some(code_col) = header.iter().position(|h| h == "name") else {
            self.d.error(
                &file.loc,
                "Q018",
                format!(
                    "`{}` needs a `name` column holding the choice codes (columns found: {})",
                    file.value,
                    header.join(", ")
                ),
            );
            return (Vec::new(), Vec::new());
        };
        let mut label_cols = Vec::new();
        for lang in self.languages.clone() {
            let wanted = if lang.is_empty() {
                "label".to_string()
            } else {
                format!("label::{lang}")
            };
            // XLSForm writes a language column as `label::Français (fr)`; the code in parentheses decides.
            let xlsform_style = |h: &str| {
                !lang.is_empty() && h.starts_with("label::") && h.ends_with(&format!("({lang})"))
            };
            match header.iter().position(|h| *h == wanted || xlsform_style(h)) {
                Some(i) => label_cols.push(Some(i)),
                None => {
                    self.d.error(&file.loc, "Q019", format!("`{}` has no `{wanted}` column; every declared language needs its labels", file.value));
                    label_cols.push(None);
                }
            }
        }
        let data_cols: Vec<usize> = (0..header.len())
            .filter(|i| *i != code_col && !label_cols.contains(&Some(*i)))
            .collect();
        let columns = data_cols.iter().map(|&i| header[i].clone()).collect();
        let mut seen = HashSet::new();
        let mut choices = Vec::new();
        for (line, row) in rows {
            let cell = |i: usize| row.get(i).cloned().unwrap_or_default();
            let code = cell(code_col);
            let loc = Loc::text(line, 1);
            if code.is_empty() {
                self.d.push(
                    &loc,
                    crate::Severity::Error,
                    "Q013",
                    format!(
                        "{}:{line}: a choice in list `{list}` has an empty code",
                        file.value
                    ),
                );
                continue;
            }
            if !seen.insert(code.clone()) {
                self.d.push(
                    &loc,
                    crate::Severity::Error,
                    "Q015",
                    format!(
                        "{}:{line}: choice code `{code}` appears twice in list `{list}`",
                        file.value
                    ),
                );
                continue;
            }
            let by_language: Vec<String> = label_cols
                .iter()
                .map(|c| c.map(cell).unwrap_or_default())
                .collect();
            for (i, t) in by_language.iter().enumerate() {
                if t.is_empty() && label_cols[i].is_some() {
                    self.d.error(
                        &loc,
                        "Q016",
                        format!(
                            "{}:{line}: choice `{code}` has no label in `{}`",
                            file.value, self.languages[i]
                        ),
                    );
                }
            }
            let data = data_cols.iter().map(|&i| cell(i)).collect();
            choices.push(Choice {
                code,
                label: Text {
                    by_language,
                    pieces: Vec::new(),
                },
                data,
            });
        }
        (choices, columns)
    }

    /// Reads a CSV side file: header and rows with their 1-based line numbers.
    fn read_csv(&mut self, file: &Located<String>) -> Option<(Vec<String>, Vec<CsvRow>)> {
        let bytes = match self.files.read(&file.value) {
            Ok(b) => b,
            Err(e) => {
                self.d.error(
                    &file.loc,
                    "Q030",
                    format!("cannot read `{}`: {e}", file.value),
                );
                return None;
            }
        };
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(bytes);
        let header: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
            Err(e) => {
                self.d.error(
                    &file.loc,
                    "Q031",
                    format!("`{}` is not a valid CSV file: {e}", file.value),
                );
                return None;
            }
        };
        let mut rows = Vec::new();
        for record in reader.records() {
            match record {
                Ok(r) => {
                    let line = r.position().map(|p| p.line() as u32).unwrap_or(0);
                    rows.push((line, r.iter().map(|s| s.trim().to_string()).collect()));
                }
                Err(e) => {
                    self.d.error(
                        &file.loc,
                        "Q031",
                        format!("`{}` is not a valid CSV file: {e}", file.value),
                    );
                    return None;
                }
            }
        }
        Some((header, rows))
    }

    fn text(&mut self, texts: &Texts, what: &dyn Fn() -> String) -> Text {
        let mut by_language = vec![String::new(); self.languages.len()];
        for (lang, t) in &texts.entries {
            match self.languages.iter().position(|l| *l == lang.value) {
                Some(i) => by_language[i] = t.value.clone(),
                None if lang.value.is_empty() => {
                    if self.languages.len() == 1 {
                        by_language[0] = t.value.clone();
                    } else {
                        self.d.error(&texts.loc, "Q040", format!("{} is a plain string, but the questionnaire declares {} languages; give `{{{}: ...}}`", what(), self.languages.len(), self.languages.join(": ..., ")));
                        return Text {
                            by_language: vec![t.value.clone(); self.languages.len()],
                            pieces: Vec::new(),
                        };
                    }
                }
                None => self.d.error(
                    &lang.loc,
                    "Q041",
                    format!(
                        "{} is given in `{}`, which is not a declared language ({})",
                        what(),
                        lang.value,
                        self.languages.join(", ")
                    ),
                ),
            }
        }
        for (i, t) in by_language.iter().enumerate() {
            if t.is_empty() && !self.languages[i].is_empty() {
                self.d.error(
                    &texts.loc,
                    "Q042",
                    format!("{} has no `{}` translation", what(), self.languages[i]),
                );
            }
        }
        Text {
            by_language,
            pieces: Vec::new(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn declare(
        &mut self,
        item: &'a ItemDoc,
        parent: Option<NodeId>,
        roster: Option<NodeId>,
        roster_depth: u32,
        at_top: bool,
        width: &mut u32,
        row_width: &mut HashMap<NodeId, u32>,
    ) -> Option<NodeId> {
        let Some(name) = &item.name else {
            self.d.error(&item.loc, "Q021", "an item needs a `name`");
            return None;
        };
        let Some(kind_text) = &item.kind else {
            self.d.error(
                &item.loc,
                "Q022",
                format!("item `{}` needs a `type`", name.value),
            );
            return None;
        };
        let Some(kind) = Kind::from_name(&kind_text.value) else {
            let known = [
                "section",
                "group",
                "roster",
                "text",
                "integer",
                "decimal",
                "date",
                "time",
                "datetime",
                "single",
                "multiple",
                "yes_no",
                "note",
                "acknowledge",
                "calculate",
                "geopoint",
                "money",
                "start",
                "end",
                "today",
                "deviceid",
                "username",
            ];
            let hint = suggest(&kind_text.value, known)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            self.d.error(
                &kind_text.loc,
                "Q023",
                format!(
                    "item `{}` has unknown type `{}`{hint}",
                    name.value, kind_text.value
                ),
            );
            return None;
        };
        if !is_valid_name(&name.value) {
            self.d.error(
                &name.loc,
                "Q024",
                format!(
                    "`{}` is not a valid name: use letters, digits and `_`, starting with a letter",
                    name.value
                ),
            );
        } else if name.value.len() > MAX_NAME_LEN {
            self.d.error(&name.loc, "Q025", format!("`{}` is longer than {MAX_NAME_LEN} characters, which Stata and SPSS exports cannot hold", name.value));
        }
        if let Some(&first) = self.by_name.get(&name.value) {
            let first_loc = self.nodes[first as usize].loc.clone();
            self.d.error(
                &name.loc,
                "Q026",
                format!(
                    "the name `{}` is already used at {first_loc}; every item needs its own name",
                    name.value
                ),
            );
            return None;
        }
        if kind == Kind::Section && !at_top {
            self.d.error(
                &kind_text.loc,
                "Q027",
                format!(
                    "section `{}` must be at the top level; use a `group` inside other containers",
                    name.value
                ),
            );
        }
        if kind.is_container() && item.items.is_empty() {
            self.d.warning(
                &item.loc,
                "Q028",
                format!("{} `{}` has no items", kind.name(), name.value),
            );
        }
        if !kind.is_container() && !item.items.is_empty() {
            self.d.error(
                &item.loc,
                "Q029",
                format!(
                    "`{}` is {} and cannot hold `items`; use a group or roster",
                    name.value,
                    with_article(kind.name())
                ),
            );
        }
        let id = self.nodes.len() as NodeId;
        let local = *width;
        *width += 1;
        self.by_name.insert(name.value.clone(), id);
        self.nodes.push(Node {
            id,
            name: name.value.clone(),
            kind,
            parent,
            children: Vec::new(),
            roster,
            local,
            roster_depth,
            label: None,
            hint: None,
            relevant: None,
            required: Condition::Always(false),
            required_message: None,
            checks: Vec::new(),
            calculation: None,
            default: None,
            choices: None,
            choice_filter: None,
            read_only: Condition::Always(false),
            preload: None,
            appearance: item.appearance.as_ref().map(|a| a.value.clone()),
            parameters: item
                .parameters
                .iter()
                .map(|(k, v)| (k.clone(), v.value.clone()))
                .collect(),
            currencies: None,
            repeat_count: None,
            max_rows: 50,
            row_label: None,
            trigger: None,
            loc: name.loc.clone(),
        });
        self.docs.push(item);
        let mut children = Vec::new();
        if kind == Kind::Roster {
            let mut inner = 0u32;
            for child in &item.items {
                if let Some(c) = self.declare(
                    child,
                    Some(id),
                    Some(id),
                    roster_depth + 1,
                    false,
                    &mut inner,
                    row_width,
                ) {
                    children.push(c);
                }
            }
            row_width.insert(id, inner);
        } else {
            for child in &item.items {
                if let Some(c) = self.declare(
                    child,
                    Some(id),
                    roster,
                    roster_depth,
                    false,
                    width,
                    row_width,
                ) {
                    children.push(c);
                }
            }
        }
        self.nodes[id as usize].children = children;
        Some(id)
    }

    /// Rosters enclosing the context where an expression of `id` is evaluated.
    fn context_chain(&self, id: NodeId, inside: bool) -> Vec<NodeId> {
        let mut chain = Vec::new();
        if inside {
            chain.push(id);
        }
        let mut current = self.nodes[id as usize].roster;
        while let Some(r) = current {
            chain.push(r);
            current = self.nodes[r as usize].roster;
        }
        chain.reverse();
        chain
    }

    fn name_ref(&mut self, name: &Located<String>) -> Option<NodeId> {
        match self.by_name.get(&name.value) {
            Some(&id) => Some(id),
            None => {
                let hint = suggest(&name.value, self.by_name.keys().map(String::as_str))
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                self.d.error(
                    &name.loc,
                    "Q050",
                    format!(
                        "`{}` is not an item of this questionnaire{hint}",
                        name.value
                    ),
                );
                None
            }
        }
    }

    fn expr(
        &mut self,
        src: &Located<String>,
        chain: &[NodeId],
        allow_current: bool,
        allow_fields: bool,
    ) -> Option<Expr> {
        let (parsed, syntax) = survey_expr::parse(&src.value);
        let mut ok = true;
        for diag in syntax {
            ok &= diag.severity != survey_expr::Severity::Error;
            self.expr_diag(src, diag);
        }
        let mut expr = parsed?;
        let scope = ContextScope {
            nodes: &self.nodes,
            by_name: &self.by_name,
            chain,
        };
        let (_, diags) = survey_expr::check(
            &mut expr,
            &scope,
            &CheckOptions {
                allow_fields,
                allow_current,
            },
        );
        for diag in diags {
            ok &= diag.severity != survey_expr::Severity::Error;
            self.expr_diag(src, diag);
        }
        ok.then_some(expr)
    }

    fn expr_diag(&mut self, src: &Located<String>, diag: survey_expr::Diagnostic) {
        let start = (diag.span.start as usize).min(src.value.len());
        let chars = src
            .value
            .get(..start)
            .map(|s| s.chars().count())
            .unwrap_or(0) as u32;
        let loc = src.loc.shifted(chars);
        let severity = match diag.severity {
            survey_expr::Severity::Error => crate::Severity::Error,
            survey_expr::Severity::Warning => crate::Severity::Warning,
        };
        self.d.push(&loc, severity, diag.code, diag.message);
    }

    fn condition(&mut self, c: &Located<document::Condition>, chain: &[NodeId]) -> Condition {
        match &c.value {
            document::Condition::Always(b) => Condition::Always(*b),
            document::Condition::When(e) => {
                let src = Located::new(e.clone(), c.loc.clone());
                self.expr(&src, chain, true, false)
                    .map(Condition::When)
                    .unwrap_or(Condition::Always(false))
            }
        }
    }

    /// Splits a text into literal pieces and `${name}` references.
    fn piped(&mut self, text: &mut Text, loc: &Loc) {
        let mut pieces = Vec::new();
        for t in &text.by_language {
            let mut parts = Vec::new();
            let mut rest = t.as_str();
            while let Some(start) = rest.find("${") {
                let Some(len) = rest[start + 2..].find('}') else {
                    break;
                };
                let name = &rest[start + 2..start + 2 + len];
                if start > 0 {
                    parts.push(TextPiece::Literal(rest[..start].to_string()));
                }
                match self.by_name.get(name) {
                    Some(&id) => parts.push(TextPiece::Value(id)),
                    None => {
                        let hint = suggest(name, self.by_name.keys().map(String::as_str))
                            .map(|s| format!("; did you mean `{s}`?"))
                            .unwrap_or_default();
                        self.d.error(
                            loc,
                            "Q051",
                            format!("the text shows `${{{name}}}`, which is not an item{hint}"),
                        );
                        parts.push(TextPiece::Literal(rest[start..start + 3 + len].to_string()));
                    }
                }
                rest = &rest[start + 3 + len..];
            }
            if !rest.is_empty() {
                parts.push(TextPiece::Literal(rest.to_string()));
            }
            pieces.push(parts);
        }
        text.pieces = pieces;
    }

    /// Compiles an optional text; `what` names it in diagnostics and is only called when there is one.
    fn opt_text(&mut self, t: &Option<Texts>, what: impl Fn() -> String) -> Option<Text> {
        let texts = t.as_ref()?;
        let mut text = self.text(texts, &what);
        self.piped(&mut text, &texts.loc);
        Some(text)
    }

    fn resolve(&mut self, id: NodeId) {
        let doc = self.docs[id as usize];
        let (kind, name) = {
            let n = &self.nodes[id as usize];
            (n.kind, n.name.clone())
        };
        let row_chain = self.context_chain(id, false);

        let label = self.opt_text(&doc.label, || format!("the label of `{name}`"));
        let shown = kind != Kind::Calculate && !kind.is_meta();
        if label.is_none() && shown && kind != Kind::Group && kind != Kind::Roster {
            self.d.error(
                &self.nodes[id as usize].loc.clone(),
                "Q043",
                format!("`{name}` is shown to the enumerator and needs a `label`"),
            );
        }
        let hint = self.opt_text(&doc.hint, || format!("the hint of `{name}`"));
        let relevant = doc
            .relevant
            .as_ref()
            .and_then(|e| self.expr(e, &row_chain, true, false));
        let required = doc
            .required
            .as_ref()
            .map(|c| self.condition(c, &row_chain))
            .unwrap_or(Condition::Always(false));
        let required_message = self.opt_text(&doc.required_message, || {
            format!("the required message of `{name}`")
        });
        let read_only = doc
            .read_only
            .as_ref()
            .map(|c| self.condition(c, &row_chain))
            .unwrap_or(Condition::Always(false));

        let mut checks = Vec::new();
        let mut add_check = |this: &mut Self,
                             src: &Located<String>,
                             soft: bool,
                             msg: &Option<Texts>,
                             code: String| {
            if let Some(expr) = this.expr(src, &row_chain, true, false) {
                let message =
                    this.opt_text(msg, || format!("the message of check `{code}` on `{name}`"));
                checks.push(Check {
                    expr,
                    soft,
                    message,
                    code,
                });
            }
        };
        if let Some(c) = &doc.constraint {
            add_check(self, c, false, &doc.constraint_message, "constraint".into());
        } else if doc.constraint_message.is_some() {
            self.d.warning(
                &doc.loc,
                "Q044",
                format!("`{name}` has a `constraint_message` but no `constraint`"),
            );
        }
        if let Some(w) = &doc.warning {
            add_check(self, w, true, &doc.warning_message, "warning".into());
        } else if doc.warning_message.is_some() {
            self.d.warning(
                &doc.loc,
                "Q044",
                format!("`{name}` has a `warning_message` but no `warning`"),
            );
        }
        for (i, check) in doc.checks.iter().enumerate() {
            add_check(
                self,
                &check.expr,
                check.soft,
                &check.message,
                format!("check{}", i + 1),
            );
        }
        if !checks.is_empty() && !kind.has_value() {
            self.d.error(
                &doc.loc,
                "Q045",
                format!(
                    "`{name}` is {} and has no value to check",
                    with_article(kind.name())
                ),
            );
        }

        let calculation = doc
            .calculation
            .as_ref()
            .and_then(|e| self.expr(e, &row_chain, true, false));
        if kind == Kind::Calculate && doc.calculation.is_none() {
            self.d.error(
                &self.nodes[id as usize].loc.clone(),
                "Q046",
                format!("calculate item `{name}` needs a `calculation`"),
            );
        }
        if doc.calculation.is_some() && !kind.has_value() {
            self.d.error(
                &doc.loc,
                "Q047",
                format!(
                    "`{name}` is {} and cannot have a calculation",
                    with_article(kind.name())
                ),
            );
        }

        let mut choices = None;
        if kind.has_choices() {
            let list_name = if kind == Kind::YesNo {
                if let Some(c) = &doc.choices {
                    self.d.error(&c.loc, "Q048", format!("`{name}` is `yes_no`, which has its own choices; use `single` with `choices: {}`", c.value));
                }
                Some(Located::new(YES_NO_LIST.to_string(), doc.loc.clone()))
            } else {
                if doc.choices.is_none() {
                    self.d.error(
                        &self.nodes[id as usize].loc.clone(),
                        "Q049",
                        format!(
                            "`{name}` is {} question and needs `choices: LIST`",
                            with_article(kind.name())
                        ),
                    );
                }
                doc.choices.clone()
            };
            if let Some(list) = list_name {
                choices = self.list_ref(&list);
            }
        } else if let Some(c) = &doc.choices {
            self.d.error(
                &c.loc,
                "Q052",
                format!(
                    "`{name}` is {} and takes no `choices`",
                    with_article(kind.name())
                ),
            );
        }
        let choice_filter = doc
            .choice_filter
            .as_ref()
            .and_then(|e| self.expr(e, &row_chain, true, true));
        let currencies = doc.currencies.as_ref().and_then(|c| self.list_ref(c));
        if doc.currencies.is_some() && kind != Kind::Money {
            self.d.error(
                &doc.loc,
                "Q053",
                format!(
                    "`{name}` is {} and takes no `currencies`",
                    with_article(kind.name())
                ),
            );
        }

        let default = doc.default.as_ref().and_then(|d| {
            if !kind.has_value() {
                self.d.error(
                    &d.loc,
                    "Q054",
                    format!(
                        "`{name}` is {} and takes no `default`",
                        with_article(kind.name())
                    ),
                );
                return None;
            }
            match value_text::parse_literal(kind, &d.value) {
                Ok(answer) => {
                    if let (Some(list), Some(codes)) = (choices, answer_codes(&answer)) {
                        for code in codes {
                            if self.choice_lists[list as usize].get(code).is_none() {
                                self.d.error(
                                    &d.loc,
                                    "Q055",
                                    format!(
                                        "default `{code}` of `{name}` is not a code of list `{}`",
                                        self.choice_lists[list as usize].name
                                    ),
                                );
                            }
                        }
                    }
                    Some(answer)
                }
                Err(e) => {
                    self.d.error(
                        &d.loc,
                        "Q055",
                        format!(
                            "default `{}` of `{name}` is not a valid {}: {e}",
                            d.value,
                            kind.name()
                        ),
                    );
                    None
                }
            }
        });

        let (repeat_count, max_rows, row_label) = if kind == Kind::Roster {
            let repeat_count = doc
                .repeat_count
                .as_ref()
                .and_then(|e| self.expr(e, &row_chain, false, false));
            let max_rows = match &doc.max_rows {
                Some(m) => m
                    .value
                    .parse::<u32>()
                    .ok()
                    .filter(|&n| n > 0)
                    .unwrap_or_else(|| {
                        self.d.error(
                            &m.loc,
                            "Q056",
                            format!("`max_rows` of `{name}` must be a positive whole number"),
                        );
                        50
                    }),
                None => 50,
            };
            let row_label = self.opt_text(&doc.row_label, || format!("the row label of `{name}`"));
            (repeat_count, max_rows, row_label)
        } else {
            for (present, key) in [
                (doc.repeat_count.is_some(), "repeat_count"),
                (doc.max_rows.is_some(), "max_rows"),
                (doc.row_label.is_some(), "row_label"),
            ] {
                if present {
                    self.d.error(
                        &doc.loc,
                        "Q057",
                        format!(
                            "`{name}` is {} and takes no `{key}`; only rosters do",
                            with_article(kind.name())
                        ),
                    );
                }
            }
            (None, 50, None)
        };
        let trigger = doc.trigger.as_ref().and_then(|t| {
            self.name_ref(&Located::new(
                t.value
                    .trim_start_matches("${")
                    .trim_end_matches('}')
                    .to_string(),
                t.loc.clone(),
            ))
        });

        let n = &mut self.nodes[id as usize];
        n.label = label;
        n.hint = hint;
        n.relevant = relevant;
        n.required = required;
        n.required_message = required_message;
        n.read_only = read_only;
        n.checks = checks;
        n.calculation = calculation;
        n.choices = choices;
        n.choice_filter = choice_filter;
        n.currencies = currencies;
        n.default = default;
        n.preload = doc.preload.as_ref().map(|p| p.value.clone());
        n.repeat_count = repeat_count;
        n.max_rows = max_rows;
        n.row_label = row_label;
        n.trigger = trigger;
    }

    fn list_ref(&mut self, list: &Located<String>) -> Option<u32> {
        match self.list_index.get(&list.value) {
            Some(&i) => Some(i),
            None => {
                let hint = suggest(&list.value, self.list_index.keys().map(String::as_str))
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                self.d.error(
                    &list.loc,
                    "Q058",
                    format!("there is no choice list `{}`{hint}", list.value),
                );
                None
            }
        }
    }

    fn quota(&mut self, qd: &document::QuotaDoc, monitoring: &[NodeId]) -> Option<Quota> {
        let mut by = Vec::new();
        for b in &qd.by {
            let id = self.name_ref(b)?;
            if !monitoring.contains(&id) {
                self.d.error(&b.loc, "Q061", format!("quota `{}` is defined by `{}`, which is not a monitoring field; add it to `monitoring:`", qd.name.value, b.value));
            }
            by.push(id);
        }
        if by.is_empty() {
            self.d.error(
                &qd.loc,
                "Q062",
                format!("quota `{}` needs `by:` fields", qd.name.value),
            );
            return None;
        }
        // The unit is the deepest roster among the fields; the others must enclose it.
        let unit = by
            .iter()
            .map(|&b| self.nodes[b as usize].roster)
            .max_by_key(|r| {
                r.map(|r| self.nodes[r as usize].roster_depth + 1)
                    .unwrap_or(0)
            })
            .flatten();
        let chain = unit
            .map(|u| self.context_chain(u, true))
            .unwrap_or_default();
        for (b, src) in by.iter().zip(&qd.by) {
            if let Some(r) = self.nodes[*b as usize].roster
                && !chain.contains(&r)
            {
                self.d.error(
                    &src.loc,
                    "Q063",
                    format!(
                        "quota `{}` mixes fields from rosters that do not nest (`{}`)",
                        qd.name.value, src.value
                    ),
                );
            }
        }
        let when = qd
            .when
            .as_ref()
            .and_then(|w| self.expr(w, &chain, false, false));
        // The server counts quotas from the monitoring fields alone: it cannot read anything else.
        if let (Some(expr), Some(src)) = (&when, &qd.when) {
            for slot in survey_expr::references(expr) {
                if !monitoring.contains(&slot.0) {
                    let name = self.nodes[slot.0 as usize].name.clone();
                    self.d.error(
                        &src.loc,
                        "Q064",
                        format!(
                            "the `when` of quota `{}` reads `{name}`, which is not a monitoring field; the server counts quotas from monitoring fields only",
                            qd.name.value
                        ),
                    );
                }
            }
        }
        let label = self.opt_text(&qd.label, || {
            format!("the label of quota `{}`", qd.name.value)
        });
        Some(Quota {
            name: qd.name.value.clone(),
            label,
            by,
            when,
            unit,
        })
    }

    /// Dependency edges, cycle check and a topological rank for value dependencies.
    #[allow(clippy::type_complexity)]
    fn graph(&mut self) -> (Vec<Vec<(NodeId, Aspect)>>, Vec<u32>, Vec<NodeId>) {
        let n = self.nodes.len();
        let mut dependents: Vec<Vec<(NodeId, Aspect)>> = vec![Vec::new(); n];
        let add =
            |from: Slot, to: NodeId, aspect: Aspect, deps: &mut Vec<Vec<(NodeId, Aspect)>>| {
                if (from.0 as usize) < n && !deps[from.0 as usize].contains(&(to, aspect)) {
                    deps[from.0 as usize].push((to, aspect));
                }
            };
        for node in &self.nodes {
            let id = node.id;
            // A container's relevance and row count flow into its children.
            if let Some(p) = node.parent {
                add(Slot(p), id, Aspect::Parent, &mut dependents);
            }
            let value_exprs = node
                .relevant
                .iter()
                .chain(node.calculation.iter())
                .chain(node.repeat_count.iter());
            for e in value_exprs {
                for r in survey_expr::references(e) {
                    add(r, id, Aspect::Value, &mut dependents);
                }
                if survey_expr::usage(e).position
                    && let Some(r) = node.roster
                {
                    add(Slot(r), id, Aspect::Value, &mut dependents);
                }
            }
            let mut state_exprs: Vec<&Expr> = node.checks.iter().map(|c| &c.expr).collect();
            for c in [&node.required, &node.read_only] {
                if let Condition::When(e) = c {
                    state_exprs.push(e);
                }
            }
            state_exprs.extend(node.choice_filter.iter());
            for e in state_exprs {
                for r in survey_expr::references(e) {
                    add(r, id, Aspect::State, &mut dependents);
                }
                if survey_expr::usage(e).position
                    && let Some(r) = node.roster
                {
                    add(Slot(r), id, Aspect::State, &mut dependents);
                }
            }
            if let Some(t) = node.trigger {
                add(Slot(t), id, Aspect::Value, &mut dependents);
            }
        }
        // Kahn's algorithm over value edges; what is left over lies on a cycle.
        let mut indegree = vec![0u32; n];
        for edges in &dependents {
            for &(to, aspect) in edges {
                if aspect != Aspect::State {
                    indegree[to as usize] += 1;
                }
            }
        }
        let mut ready: Vec<NodeId> = (0..n as NodeId)
            .filter(|&i| indegree[i as usize] == 0)
            .rev()
            .collect();
        let mut order = Vec::with_capacity(n);
        while let Some(i) = ready.pop() {
            order.push(i);
            for &(to, aspect) in dependents[i as usize].iter().rev() {
                if aspect != Aspect::State {
                    indegree[to as usize] -= 1;
                    if indegree[to as usize] == 0 {
                        ready.push(to);
                    }
                }
            }
        }
        if order.len() < n {
            self.report_cycles(&dependents, &indegree);
            let placed: HashSet<NodeId> = order.iter().copied().collect();
            order.extend((0..n as NodeId).filter(|i| !placed.contains(i)));
        }
        let mut rank = vec![0u32; n];
        for (r, &id) in order.iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        (dependents, rank, order)
    }

    fn report_cycles(&mut self, dependents: &[Vec<(NodeId, Aspect)>], indegree: &[u32]) {
        let stuck: HashSet<NodeId> = (0..indegree.len() as NodeId)
            .filter(|&i| indegree[i as usize] > 0)
            .collect();
        let mut reported: HashSet<NodeId> = HashSet::new();
        for &start in stuck.iter().collect::<std::collections::BTreeSet<_>>() {
            if reported.contains(&start) {
                continue;
            }
            // Walk value edges inside the stuck set until a node repeats: that loop is a cycle.
            let mut path = vec![start];
            let mut position: HashMap<NodeId, usize> = HashMap::from([(start, 0)]);
            let mut current = start;
            let cycle = loop {
                let Some(&(next, _)) = dependents[current as usize]
                    .iter()
                    .find(|(to, a)| *a != Aspect::State && stuck.contains(to))
                else {
                    break None;
                };
                if let Some(&p) = position.get(&next) {
                    break Some(path[p..].to_vec());
                }
                position.insert(next, path.len());
                path.push(next);
                current = next;
            };
            let Some(cycle) = cycle else { continue };
            if cycle.iter().any(|c| reported.contains(c)) {
                continue;
            }
            reported.extend(cycle.iter().copied());
            let names: Vec<String> = cycle
                .iter()
                .chain(cycle.first())
                .map(|&i| format!("`{}`", self.nodes[i as usize].name))
                .collect();
            let loc = self.nodes[cycle[0] as usize].loc.clone();
            self.d.error(
                &loc,
                "Q070",
                format!(
                    "these items depend on each other in a cycle, so none can be computed: {}",
                    names.join(" → ")
                ),
            );
        }
    }
}

fn answer_codes(answer: &Answer) -> Option<Vec<&str>> {
    match answer {
        Answer::Choice(c) => Some(vec![c.as_str()]),
        Answer::Choices(cs) => Some(cs.iter().map(String::as_str).collect()),
        _ => None,
    }
}

fn build_table(columns: Vec<String>, rows: Vec<Vec<String>>) -> Table {
    let mut indexes = vec![HashMap::new(); columns.len()];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if let Some(index) = indexes.get_mut(c) {
                index.entry(cell.clone()).or_insert(r as u32);
            }
        }
    }
    Table {
        columns,
        rows,
        indexes,
    }
}

/// What names mean for an expression written in a given roster context.
struct ContextScope<'q> {
    nodes: &'q [Node],
    by_name: &'q HashMap<String, NodeId>,
    chain: &'q [NodeId],
}

impl Scope for ContextScope<'_> {
    fn lookup(&self, name: &str) -> Option<RefInfo> {
        let id = *self.by_name.get(name)?;
        let node = &self.nodes[id as usize];
        let is_roster = node.kind == Kind::Roster;
        // The value is unique in this context when every roster enclosing it also encloses the context.
        let mut enclosing = node.roster;
        let mut one = true;
        while let Some(r) = enclosing {
            if !self.chain.contains(&r) {
                one = false;
                break;
            }
            enclosing = self.nodes[r as usize].roster;
        }
        let multiplicity = if one && !is_roster {
            Multiplicity::One
        } else {
            Multiplicity::Many
        };
        Some(RefInfo {
            slot: Slot(id),
            multiplicity,
            value_type: value_type(node.kind),
            is_roster,
        })
    }
}

/// The static expression type of a node's value.
pub fn value_type(kind: Kind) -> ValueType {
    match kind {
        Kind::Integer | Kind::Decimal | Kind::Money => ValueType::Number,
        Kind::Date | Kind::MetaToday => ValueType::Date,
        Kind::DateTime | Kind::MetaStart | Kind::MetaEnd => ValueType::DateTime,
        Kind::Time => ValueType::Time,
        Kind::Single | Kind::YesNo => ValueType::Choice,
        Kind::Multiple => ValueType::Choices,
        Kind::Geopoint => ValueType::Geo,
        Kind::Roster => ValueType::Roster,
        Kind::Text | Kind::MetaDeviceId | Kind::MetaUsername | Kind::Acknowledge => {
            ValueType::String
        }
        Kind::Calculate | Kind::Section | Kind::Group | Kind::Note => ValueType::Any,
    }
}

/// Checks an expression written outside the questionnaire (for `daftar eval`) as if it were an expression
/// of `context` (or of the top level), resolving its references.
pub fn compile_expression(
    q: &Questionnaire,
    src: &str,
    context: Option<NodeId>,
) -> (Option<Expr>, Vec<survey_expr::Diagnostic>) {
    let (parsed, mut diagnostics) = survey_expr::parse(src);
    let Some(mut expr) = parsed else {
        return (None, diagnostics);
    };
    let chain = match context {
        Some(id) => {
            let mut chain = q.roster_chain(id);
            if q.node(id).kind == Kind::Roster {
                chain.push(id);
            }
            chain
        }
        None => Vec::new(),
    };
    let scope = ContextScope {
        nodes: &q.nodes,
        by_name: &q.by_name,
        chain: &chain,
    };
    let (_, more) = survey_expr::check(
        &mut expr,
        &scope,
        &CheckOptions {
            allow_fields: false,
            allow_current: true,
        },
    );
    diagnostics.extend(more);
    let ok = diagnostics
        .iter()
        .all(|d| d.severity != survey_expr::Severity::Error);
    (ok.then_some(expr), diagnostics)
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
