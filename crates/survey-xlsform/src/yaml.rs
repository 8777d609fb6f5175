//! The native YAML writer (`daftar: 1`, see `docs/spec-format.md`).
//!
//! Keys come in a fixed order (the order of the format reference) so that re-importing an unchanged
//! workbook gives an unchanged file. Every free-text scalar is written double-quoted with escapes, so no
//! label, expression or code can be misread as a number, a boolean, a comment or YAML syntax; only names
//! that are plain identifiers (and not YAML 1.1 booleans or null) are written bare.

use std::fmt::Write as _;

use survey_spec::document::{
    CheckDoc, ChoiceDoc, ChoiceListDoc, ChoiceSource, Condition, Document, ItemDoc, Located, Texts,
};

/// See [`crate::to_native_yaml`].
pub(crate) fn to_native_yaml(doc: &Document) -> String {
    let mut out = Writer {
        out: String::new(),
        single_language: single_language(doc),
    };
    out.document(doc);
    out.out
}

fn single_language(doc: &Document) -> Option<String> {
    match doc.languages.as_slice() {
        [only] => Some(only.value.clone()),
        _ => None,
    }
}

struct Writer {
    out: String,
    single_language: Option<String>,
}

/// A scalar as YAML: bare when it is a plain identifier, double-quoted otherwise.
pub(crate) fn scalar(text: &str) -> String {
    if is_plain(text) {
        text.to_string()
    } else {
        quoted(text)
    }
}

fn is_plain(text: &str) -> bool {
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "true" | "false" | "on" | "off" | "null"
        )
}

/// A double-quoted YAML scalar.
pub(crate) fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            // Line and paragraph separators and the BOM are line breaks or invisible to YAML readers.
            '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A number when the text is one, quoted otherwise (for `parameters` and `max_rows`).
fn number_or_quoted(text: &str) -> String {
    let numeric = !text.is_empty()
        && text.parse::<f64>().is_ok_and(f64::is_finite)
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-'))
        && !text.starts_with('.')
        && !text.ends_with('.');
    if numeric {
        text.to_string()
    } else {
        quoted(text)
    }
}

impl Writer {
    fn line(&mut self, indent: usize, text: &str) {
        for _ in 0..indent {
            self.out.push(' ');
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn texts(&self, texts: &Texts) -> String {
        if let [(language, text)] = texts.entries.as_slice()
            && (language.value.is_empty() || self.single_language.as_ref() == Some(&language.value))
        {
            return quoted(&text.value);
        }
        let parts: Vec<String> = texts
            .entries
            .iter()
            .map(|(language, text)| format!("{}: {}", scalar(&language.value), quoted(&text.value)))
            .collect();
        format!("{{{}}}", parts.join(", "))
    }

    fn list(names: &[Located<String>]) -> String {
        let parts: Vec<String> = names.iter().map(|name| scalar(&name.value)).collect();
        format!("[{}]", parts.join(", "))
    }

    fn document(&mut self, doc: &Document) {
        let format = doc
            .format
            .as_ref()
            .map_or("1", |format| format.value.as_str());
        self.line(0, &format!("daftar: {}", number_or_quoted(format)));
        if let Some(id) = &doc.id {
            self.line(0, &format!("id: {}", scalar(&id.value)));
        }
        if let Some(version) = &doc.version {
            self.line(0, &format!("version: {}", quoted(&version.value)));
        }
        if let Some(title) = &doc.title {
            let title = self.texts(title);
            self.line(0, &format!("title: {title}"));
        }
        if !doc.languages.is_empty() {
            self.line(0, &format!("languages: {}", Self::list(&doc.languages)));
        }
        if let Some(language) = &doc.default_language {
            self.line(0, &format!("default_language: {}", scalar(&language.value)));
        }
        if !doc.metadata.is_empty() {
            self.line(0, "metadata:");
            for (key, value) in &doc.metadata {
                self.line(2, &format!("{}: {}", scalar(key), quoted(value)));
            }
        }
        if let Some(paradata) = &doc.paradata {
            self.line(0, &format!("paradata: {}", paradata.value));
        }
        if let Some(name) = &doc.instance_name {
            self.line(0, &format!("instance_name: {}", quoted(&name.value)));
        }
        if !doc.choice_lists.is_empty() {
            self.line(0, "choices:");
            for list in &doc.choice_lists {
                self.choice_list(list);
            }
        }
        if !doc.tables.is_empty() {
            self.line(0, "tables:");
            for table in &doc.tables {
                self.line(
                    2,
                    &format!(
                        "{}: {}",
                        scalar(&table.name.value),
                        quoted(&table.file.value)
                    ),
                );
            }
        }
        if !doc.monitoring.is_empty() {
            self.line(0, &format!("monitoring: {}", Self::list(&doc.monitoring)));
        }
        if !doc.quotas.is_empty() {
            self.line(0, "quotas:");
            for quota in &doc.quotas {
                self.line(2, &format!("- name: {}", scalar(&quota.name.value)));
                if let Some(label) = &quota.label {
                    let label = self.texts(label);
                    self.line(4, &format!("label: {label}"));
                }
                self.line(4, &format!("by: {}", Self::list(&quota.by)));
                if let Some(when) = &quota.when {
                    self.line(4, &format!("when: {}", quoted(&when.value)));
                }
            }
        }
        if !doc.items.is_empty() {
            self.line(0, "items:");
            for item in &doc.items {
                self.item(item, 2);
            }
        }
    }

    fn choice_list(&mut self, list: &ChoiceListDoc) {
        match &list.source {
            ChoiceSource::File(file) => {
                self.line(2, &format!("{}:", scalar(&list.name.value)));
                self.line(4, &format!("file: {}", quoted(&file.value)));
            }
            ChoiceSource::Inline(choices) if choices.is_empty() => {
                self.line(2, &format!("{}: []", scalar(&list.name.value)));
            }
            ChoiceSource::Inline(choices) => {
                self.line(2, &format!("{}:", scalar(&list.name.value)));
                for choice in choices {
                    let text = self.choice(choice);
                    self.line(4, &format!("- {text}"));
                }
            }
        }
    }

    fn choice(&self, choice: &ChoiceDoc) -> String {
        let mut parts = vec![format!("code: {}", quoted(&choice.code.value))];
        if let Some(label) = &choice.label {
            parts.push(format!("label: {}", self.texts(label)));
        }
        if !choice.data.is_empty() {
            let data: Vec<String> = choice
                .data
                .iter()
                .map(|(key, value)| format!("{}: {}", scalar(key), quoted(&value.value)))
                .collect();
            parts.push(format!("data: {{{}}}", data.join(", ")));
        }
        format!("{{{}}}", parts.join(", "))
    }

    fn condition(condition: &Condition) -> String {
        match condition {
            Condition::Always(value) => value.to_string(),
            Condition::When(expr) => quoted(expr),
        }
    }

    fn item(&mut self, item: &ItemDoc, indent: usize) {
        let text = |key: &str, value: &Option<Located<String>>, fields: &mut Vec<String>| {
            if let Some(value) = value {
                fields.push(format!("{key}: {}", quoted(&value.value)));
            }
        };
        let mut fields = Vec::new();
        // `name` and `type` are bare identifiers when they can be.
        if let Some(name) = &item.name {
            fields.push(format!("name: {}", scalar(&name.value)));
        }
        if let Some(kind) = &item.kind {
            fields.push(format!("type: {}", scalar(&kind.value)));
        }
        if let Some(label) = &item.label {
            fields.push(format!("label: {}", self.texts(label)));
        }
        if let Some(hint) = &item.hint {
            fields.push(format!("hint: {}", self.texts(hint)));
        }
        text("relevant", &item.relevant, &mut fields);
        if let Some(required) = &item.required {
            fields.push(format!("required: {}", Self::condition(&required.value)));
        }
        if let Some(message) = &item.required_message {
            fields.push(format!("required_message: {}", self.texts(message)));
        }
        text("constraint", &item.constraint, &mut fields);
        if let Some(message) = &item.constraint_message {
            fields.push(format!("constraint_message: {}", self.texts(message)));
        }
        text("warning", &item.warning, &mut fields);
        if let Some(message) = &item.warning_message {
            fields.push(format!("warning_message: {}", self.texts(message)));
        }
        text("calculation", &item.calculation, &mut fields);
        text("trigger", &item.trigger, &mut fields);
        text("default", &item.default, &mut fields);
        if let Some(choices) = &item.choices {
            fields.push(format!("choices: {}", scalar(&choices.value)));
        }
        text("choice_filter", &item.choice_filter, &mut fields);
        if let Some(read_only) = &item.read_only {
            fields.push(format!("read_only: {}", Self::condition(&read_only.value)));
        }
        text("preload", &item.preload, &mut fields);
        text("appearance", &item.appearance, &mut fields);
        if !item.parameters.is_empty() {
            let parameters: Vec<String> = item
                .parameters
                .iter()
                .map(|(key, value)| format!("{}: {}", scalar(key), number_or_quoted(&value.value)))
                .collect();
            fields.push(format!("parameters: {{{}}}", parameters.join(", ")));
        }
        if let Some(currencies) = &item.currencies {
            fields.push(format!("currencies: {}", scalar(&currencies.value)));
        }
        text("repeat_count", &item.repeat_count, &mut fields);
        if let Some(max_rows) = &item.max_rows {
            fields.push(format!("max_rows: {}", number_or_quoted(&max_rows.value)));
        }
        if let Some(row_label) = &item.row_label {
            fields.push(format!("row_label: {}", self.texts(row_label)));
        }
        let mut first = true;
        for field in fields {
            let prefix = if first { "- " } else { "  " };
            first = false;
            self.line(indent, &format!("{prefix}{field}"));
        }
        if first {
            self.line(indent, "- {}");
            return;
        }
        if !item.checks.is_empty() {
            self.line(indent + 2, "checks:");
            for check in &item.checks {
                let text = self.check(check);
                self.line(indent + 4, &format!("- {text}"));
            }
        }
        if !item.items.is_empty() {
            self.line(indent + 2, "items:");
            for child in &item.items {
                self.item(child, indent + 4);
            }
        }
    }

    fn check(&self, check: &CheckDoc) -> String {
        let key = if check.soft { "warning" } else { "constraint" };
        let mut text = format!("{{{key}: {}", quoted(&check.expr.value));
        if let Some(message) = &check.message {
            let _ = write!(text, ", message: {}", self.texts(message));
        }
        text.push('}');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_quoted_when_they_could_be_misread() {
        assert_eq!(scalar("hh_roster"), "hh_roster");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("No"), "\"No\"");
        assert_eq!(scalar("1"), "\"1\"");
        assert_eq!(scalar("a b"), "\"a b\"");
        assert_eq!(
            quoted("say \"hi\"\n\\ # x: y"),
            "\"say \\\"hi\\\"\\n\\\\ # x: y\""
        );
        assert_eq!(quoted("\u{1}\u{2028}"), "\"\\x01\\u2028\"");
        assert_eq!(number_or_quoted("10"), "10");
        assert_eq!(number_or_quoted("0.5"), "0.5");
        assert_eq!(number_or_quoted("1e5"), "\"1e5\"");
        assert_eq!(number_or_quoted("${n}"), "\"${n}\"");
    }
}
