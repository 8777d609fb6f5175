//! Documentation generated from the questionnaire: a printable HTML codebook and label files for Stata
//! (`.do`) and SPSS (`.sps`) that read the export's CSV files.

use std::fmt::Write as _;

use survey_spec::model::{Kind, Node, Questionnaire, Text};

use crate::dataset::{Level, levels};

/// Escapes text for HTML.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn text_in(q: &Questionnaire, text: Option<&Text>, language: &str) -> String {
    let Some(text) = text else {
        return String::new();
    };
    q.languages
        .iter()
        .position(|l| l == language)
        .and_then(|i| text.by_language.get(i))
        .cloned()
        .unwrap_or_default()
}

fn default_text(q: &Questionnaire, text: Option<&Text>) -> String {
    text.map(|t| t.get(q.default_language).to_string())
        .unwrap_or_default()
}

/// The label of a node in the default language, on one line.
pub fn label(q: &Questionnaire, node: &Node) -> String {
    default_text(q, node.label.as_ref())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The HTML codebook: one section per level (file), one row per variable with its labels in every
/// language, type, relevance, constraints, calculation and choices.
pub fn codebook_html(q: &Questionnaire) -> String {
    let mut h = String::new();
    let title = html_escape(q.title.get(q.default_language));
    let _ = write!(
        h,
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>Codebook — {title}</title>\
<style>body{{font:13px/1.4 system-ui,sans-serif;margin:2em}}table{{border-collapse:collapse;width:100%;margin-block-end:2em}}\
td,th{{border:1px solid #999;padding:4px;vertical-align:top;text-align:start}}th{{background:#eee}}code{{font-size:12px}}\
[dir=rtl]{{font-family:'Noto Naskh Arabic',serif}}@media print{{h2{{page-break-before:always}}tr{{page-break-inside:avoid}}}}</style></head><body>\
<h1>Codebook — {title}</h1><p>Questionnaire <code>{id}</code>, version <code>{version}</code>, content hash <code>{hash}</code>.</p>\
<p>Files: one CSV per level; keys <code>interview_id</code> and <code>&lt;roster&gt;_row</code> (1-based) join them. \
Empty cells are unanswered or not relevant. Multiple choices are space-separated codes.</p>",
        lang = html_escape(&q.languages[q.default_language]),
        id = html_escape(&q.id),
        version = html_escape(&q.version),
        hash = html_escape(q.content_hash()),
    );
    for level in levels(q) {
        let _ = write!(
            h,
            "<h2 id=\"{name}\">{file}</h2><p>Keys: {keys}</p><table><thead><tr><th>Variable</th><th>Type</th>",
            name = html_escape(&level.name),
            file = html_escape(&level.file_name()),
            keys = level
                .key_columns()
                .iter()
                .map(|k| format!("<code>{}</code>", html_escape(k)))
                .collect::<Vec<_>>()
                .join(", "),
        );
        for language in &q.languages {
            let _ = write!(h, "<th>Label ({})</th>", html_escape(language));
        }
        h.push_str("<th>Relevance</th><th>Constraints and warnings</th><th>Calculation</th><th>Choices</th></tr></thead><tbody>");
        for &id in &level.variables {
            let node = q.node(id);
            let _ = write!(
                h,
                "<tr id=\"v-{name}\"><td><code>{name}</code></td><td>{kind}</td>",
                name = html_escape(&node.name),
                kind = node.kind.name()
            );
            for language in &q.languages {
                let dir = if language == "ar" { " dir=\"rtl\"" } else { "" };
                let _ = write!(
                    h,
                    "<td lang=\"{l}\"{dir}>{t}</td>",
                    l = html_escape(language),
                    t = html_escape(&text_in(q, node.label.as_ref(), language))
                );
            }
            let relevance = effective_relevance(q, node);
            let checks = node
                .checks
                .iter()
                .map(|c| {
                    format!(
                        "<code>{}</code> ({}){}",
                        html_escape(&c.expr.to_string()),
                        if c.soft { "warning" } else { "constraint" },
                        c.message
                            .as_ref()
                            .map(|m| format!(": {}", html_escape(m.get(q.default_language))))
                            .unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("<br>");
            let calculation = node
                .calculation
                .as_ref()
                .map(|e| format!("<code>{}</code>", html_escape(&e.to_string())))
                .unwrap_or_default();
            let _ = write!(
                h,
                "<td>{relevance}</td><td>{checks}</td><td>{calculation}</td><td>{choices}</td></tr>",
                choices = choices_html(q, node)
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</body></html>\n");
    h
}

/// The relevance conditions of the node and its containers, outermost first.
fn effective_relevance(q: &Questionnaire, node: &Node) -> String {
    let mut parts = Vec::new();
    let mut current = Some(node);
    while let Some(n) = current {
        if let Some(expr) = &n.relevant {
            let own = if n.id == node.id {
                String::new()
            } else {
                format!(" (from <code>{}</code>)", html_escape(&n.name))
            };
            parts.insert(
                0,
                format!("<code>{}</code>{own}", html_escape(&expr.to_string())),
            );
        }
        current = n.parent.map(|p| q.node(p));
    }
    parts.join("<br>and ")
}

const MAX_LISTED_CHOICES: usize = 60;

fn choices_html(q: &Questionnaire, node: &Node) -> String {
    let Some(list) = q.choice_list_of(node.id) else {
        return String::new();
    };
    let mut out = format!("<i>{}</i>: ", html_escape(&list.name));
    let shown: Vec<String> = list
        .choices
        .iter()
        .take(MAX_LISTED_CHOICES)
        .map(|c| {
            format!(
                "<code>{}</code> {}",
                html_escape(&c.code),
                html_escape(c.label.get(q.default_language))
            )
        })
        .collect();
    out.push_str(&shown.join("; "));
    if list.choices.len() > MAX_LISTED_CHOICES {
        let _ = write!(
            out,
            "; … {} choices in all",
            list.choices.len() - MAX_LISTED_CHOICES + shown.len()
        );
    }
    out
}

/// Whether every code of a node's choice list is a whole number (Stata value labels need numbers).
fn numeric_codes(q: &Questionnaire, node: &Node) -> bool {
    q.choice_list_of(node.id).is_some_and(|list| {
        !list.choices.is_empty() && list.choices.iter().all(|c| c.code.parse::<i64>().is_ok())
    })
}

fn is_numeric(kind: Kind) -> bool {
    matches!(kind, Kind::Integer | Kind::Decimal | Kind::Calculate)
}

fn stata_text(text: &str, max: usize) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| match c {
            '"' | '`' | '\'' => '\u{2019}',
            '\n' | '\r' | '\t' => ' ',
            c => c,
        })
        .collect();
    // Stata counts bytes; cut on a character boundary.
    let mut out = String::new();
    for c in cleaned.chars() {
        if out.len() + c.len_utf8() > max {
            break;
        }
        out.push(c);
    }
    out
}

/// A Stata do-file that imports each CSV, converts numbers and labels variables and values, and saves a
/// `.dta` per level. Single choices with whole-number codes get value labels; other codes stay strings
/// (their labels are in the codebook).
pub fn stata_do(q: &Questionnaire) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "* Labels for {} version {} (generated by Daftar). Run from the folder of the CSV files.\nversion 14\nset more off",
        q.id, q.version
    );
    for level in levels(q) {
        stata_level(q, &level, &mut s);
    }
    s
}

fn stata_level(q: &Questionnaire, level: &Level, s: &mut String) {
    let _ = writeln!(
        s,
        "\n* ---- {file}\nimport delimited using \"{file}\", varnames(1) encoding(\"utf-8\") stringcols(_all) clear",
        file = level.file_name()
    );
    for key in level.key_columns().iter().skip(1) {
        let _ = writeln!(s, "destring {key}, replace");
    }
    for &id in &level.variables {
        let node = q.node(id);
        let name = &node.name;
        let numeric_choice = node.kind == Kind::Single && numeric_codes(q, node);
        if is_numeric(node.kind) && node.kind != Kind::Calculate || numeric_choice {
            let _ = writeln!(s, "destring {name}, replace");
        } else if node.kind == Kind::Calculate {
            // A calculation may be numeric or text: convert only when every value is a number.
            let _ = writeln!(s, "capture destring {name}, replace");
        }
        let text = label(q, node);
        if !text.is_empty() {
            let _ = writeln!(s, "label variable {name} \"{}\"", stata_text(&text, 80));
        }
        if numeric_choice && let Some(list) = q.choice_list_of(id) {
            let pairs: Vec<String> = list
                .choices
                .iter()
                .map(|c| {
                    format!(
                        "{} \"{}\"",
                        c.code.parse::<i64>().unwrap_or_default(),
                        stata_text(c.label.get(q.default_language), 120)
                    )
                })
                .collect();
            let _ = writeln!(
                s,
                "label define {list_name} {pairs}, replace\nlabel values {name} {list_name}",
                list_name = stata_label_name(&list.name),
                pairs = pairs.join(" ")
            );
        }
    }
    let _ = writeln!(s, "save \"{}.dta\", replace", level.name);
}

fn stata_label_name(list: &str) -> String {
    let name: String = list
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let name = format!("l_{name}");
    name.chars().take(32).collect()
}

fn spss_text(text: &str) -> String {
    text.replace('\'', "''")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// An SPSS syntax file that reads each CSV (`GET DATA`), labels variables and values, and saves a `.sav`
/// per level. Choice codes are read as strings, so every list gets value labels.
pub fn spss_sps(q: &Questionnaire) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "* Labels for {} version {} (generated by Daftar). Set the working folder to the CSV files first.",
        q.id, q.version
    );
    for level in levels(q) {
        let mut vars = vec!["interview_id A36".to_string()];
        vars.extend(
            level
                .key_columns()
                .iter()
                .skip(1)
                .map(|k| format!("{k} F8.0")),
        );
        for &id in &level.variables {
            let node = q.node(id);
            let format = match node.kind {
                Kind::Integer => "F12.0",
                Kind::Decimal => "F16.4",
                Kind::Text | Kind::Calculate | Kind::Multiple => "A500",
                _ => "A64",
            };
            vars.push(format!("{} {format}", node.name));
        }
        let _ = writeln!(
            s,
            "\n* ---- {file}.\nGET DATA /TYPE=TXT /FILE='{file}' /ENCODING='UTF8' /DELCASE=LINE /DELIMITERS=\",\" /QUALIFIER='\"'\n  /ARRANGEMENT=DELIMITED /FIRSTCASE=2\n  /VARIABLES=\n  {vars}.",
            file = level.file_name(),
            vars = vars.join("\n  ")
        );
        let labels: Vec<String> = level
            .variables
            .iter()
            .map(|&id| q.node(id))
            .filter(|n| !label(q, n).is_empty())
            .map(|n| format!("{} '{}'", n.name, spss_text(&label(q, n))))
            .collect();
        if !labels.is_empty() {
            let _ = writeln!(s, "VARIABLE LABELS\n  {}.", labels.join("\n  /"));
        }
        let mut value_labels = Vec::new();
        for &id in &level.variables {
            let node = q.node(id);
            if !matches!(node.kind, Kind::Single | Kind::YesNo) {
                continue;
            }
            if let Some(list) = q.choice_list_of(id) {
                let pairs: Vec<String> = list
                    .choices
                    .iter()
                    .map(|c| {
                        format!(
                            "'{}' '{}'",
                            spss_text(&c.code),
                            spss_text(c.label.get(q.default_language))
                        )
                    })
                    .collect();
                value_labels.push(format!("{} {}", node.name, pairs.join(" ")));
            }
        }
        if !value_labels.is_empty() {
            let _ = writeln!(s, "VALUE LABELS\n  {}.", value_labels.join("\n  /"));
        }
        let _ = writeln!(s, "SAVE OUTFILE='{}.sav'.", level.name);
    }
    s
}
