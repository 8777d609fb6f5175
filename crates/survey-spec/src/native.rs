//! The reader of the native format: YAML or JSON text → located [`Document`].
//!
//! It checks only the shape (which keys exist, which values are maps, lists or scalars); meaning is checked
//! by [`crate::compile`]. Every unknown key is reported with a suggestion, since a misspelt `relevnt` would
//! otherwise silently drop a skip rule.

use crate::diagnostic::{Diagnostic, Diagnostics, Loc};
use crate::document::{
    CheckDoc, ChoiceDoc, ChoiceListDoc, ChoiceSource, Condition, Document, ItemDoc, Located,
    QuotaDoc, TableDoc, Texts,
};
use crate::yaml::{self, Node, NodeKind};

/// Reads a native questionnaire. Returns the document (if the text is valid YAML/JSON with a map at the
/// top) and every problem found in its shape.
pub fn read(text: &str, file_name: &str) -> (Option<Document>, Vec<Diagnostic>) {
    let mut diagnostics = Diagnostics::new(file_name);
    let Some(root) = yaml::parse(text, &mut diagnostics) else {
        if !diagnostics.has_errors() {
            diagnostics.error(
                &Loc::text(1, 1),
                "S004",
                "the file is empty; a questionnaire starts with `daftar: 1`",
            );
        }
        return (None, diagnostics.into_vec());
    };
    let mut reader = Reader {
        diagnostics: &mut diagnostics,
    };
    let document = reader.document(&root);
    (document, diagnostics.into_vec())
}

struct Reader<'a> {
    diagnostics: &'a mut Diagnostics,
}

const TOP_KEYS: &[&str] = &[
    "daftar",
    "id",
    "version",
    "title",
    "languages",
    "default_language",
    "metadata",
    "paradata",
    "instance_name",
    "choices",
    "tables",
    "monitoring",
    "quotas",
    "items",
];

const ITEM_KEYS: &[&str] = &[
    "name",
    "type",
    "label",
    "hint",
    "relevant",
    "required",
    "required_message",
    "constraint",
    "constraint_message",
    "warning",
    "warning_message",
    "checks",
    "calculation",
    "default",
    "choices",
    "choice_filter",
    "read_only",
    "preload",
    "appearance",
    "parameters",
    "currencies",
    "repeat_count",
    "max_rows",
    "row_label",
    "trigger",
    "items",
];

/// The closest of `candidates` to `word`, if close enough to be a likely typo.
pub(crate) fn suggest<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let distance = edit_distance(word, candidate);
        let limit = (candidate.chars().count() / 3).max(1);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current[j + 1] = (previous[j] + cost)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

impl Reader<'_> {
    fn map<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [(Node, Node)]> {
        match &node.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => {
                self.diagnostics.error(
                    &node.loc,
                    "S010",
                    format!("{what} must be a map of `key: value` entries"),
                );
                None
            }
        }
    }

    fn seq<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Node]> {
        match &node.kind {
            NodeKind::Seq(items) => Some(items),
            _ if node.is_null() => Some(&[]),
            _ => {
                self.diagnostics.error(
                    &node.loc,
                    "S011",
                    format!("{what} must be a list (`- ...` entries)"),
                );
                None
            }
        }
    }

    fn scalar(&mut self, node: &Node, what: &str) -> Option<Located<String>> {
        match &node.kind {
            NodeKind::Scalar { text, .. } => Some(Located::new(
                text.clone(),
                node.loc.shifted(node.content_shift()),
            )),
            _ => {
                self.diagnostics.error(
                    &node.loc,
                    "S012",
                    format!("{what} must be a single value, not a list or map"),
                );
                None
            }
        }
    }

    /// A list of single values.
    fn scalars(&mut self, node: &Node, what: &str, each: &str) -> Vec<Located<String>> {
        let items = self.seq(node, what).unwrap_or_default();
        items.iter().filter_map(|n| self.scalar(n, each)).collect()
    }

    /// A map of single values to single values, in the order written.
    fn pairs(
        &mut self,
        node: &Node,
        what: &str,
        key: &str,
        value: &str,
    ) -> Vec<(Located<String>, Located<String>)> {
        let entries = self.map(node, what).unwrap_or_default();
        entries
            .iter()
            .filter_map(|(k, v)| Some((self.scalar(k, key)?, self.scalar(v, value)?)))
            .collect()
    }

    fn boolean(&mut self, node: &Node, what: &str) -> Option<Located<bool>> {
        match node.as_scalar() {
            Some("true") => Some(Located::new(true, node.loc.clone())),
            Some("false") => Some(Located::new(false, node.loc.clone())),
            _ => {
                self.diagnostics.error(
                    &node.loc,
                    "S013",
                    format!("{what} must be `true` or `false`"),
                );
                None
            }
        }
    }

    fn condition(&mut self, node: &Node, what: &str) -> Option<Located<Condition>> {
        let value = self.scalar(node, what)?;
        let quoted = matches!(node.kind, NodeKind::Scalar { quoted: true, .. });
        let condition = match value.value.as_str() {
            "true" | "yes" if !quoted => Condition::Always(true),
            "false" | "no" if !quoted => Condition::Always(false),
            _ => Condition::When(value.value),
        };
        Some(Located::new(condition, value.loc))
    }

    fn texts(&mut self, node: &Node, what: &str) -> Option<Texts> {
        match &node.kind {
            NodeKind::Scalar { text, .. } => Some(Texts {
                entries: vec![(
                    Located::new(String::new(), node.loc.clone()),
                    Located::new(text.clone(), node.loc.shifted(node.content_shift())),
                )],
                loc: node.loc.clone(),
            }),
            NodeKind::Map(entries) => {
                let mut texts = Texts {
                    entries: Vec::new(),
                    loc: node.loc.clone(),
                };
                for (key, value) in entries {
                    let Some(lang) = self.scalar(key, "a language code") else {
                        continue;
                    };
                    if texts.entries.iter().any(|(l, _)| l.value == lang.value) {
                        self.diagnostics.error(
                            &lang.loc,
                            "S014",
                            format!("{what} gives language `{}` twice", lang.value),
                        );
                        continue;
                    }
                    if let Some(text) = self.scalar(value, what) {
                        texts.entries.push((lang, text));
                    }
                }
                Some(texts)
            }
            _ => {
                self.diagnostics.error(
                    &node.loc,
                    "S015",
                    format!("{what} must be a text or a map of language → text"),
                );
                None
            }
        }
    }

    fn unknown_key(&mut self, key: &Node, known: &[&str], context: &str) {
        let name = key.as_scalar().unwrap_or("?");
        let message = match suggest(name, known.iter().copied()) {
            Some(s) => format!("unknown key `{name}` in {context}; did you mean `{s}`?"),
            None => format!(
                "unknown key `{name}` in {context}; known keys: {}",
                known.join(", ")
            ),
        };
        self.diagnostics.error(&key.loc, "S016", message);
    }

    fn document(&mut self, root: &Node) -> Option<Document> {
        let entries = self.map(root, "a questionnaire")?;
        let mut doc = Document::default();
        for (key, value) in entries {
            let Some(name) = key.as_scalar() else {
                self.diagnostics
                    .error(&key.loc, "S012", "a key must be a plain name");
                continue;
            };
            match name {
                "daftar" => doc.format = self.scalar(value, "`daftar`"),
                "id" => doc.id = self.scalar(value, "`id`"),
                "version" => doc.version = self.scalar(value, "`version`"),
                "title" => doc.title = self.texts(value, "the title"),
                "languages" => {
                    doc.languages = self.scalars(value, "`languages`", "a language code")
                }
                "default_language" => {
                    doc.default_language = self.scalar(value, "`default_language`")
                }
                "metadata" => {
                    let pairs =
                        self.pairs(value, "`metadata`", "a metadata key", "a metadata value");
                    doc.metadata = pairs.into_iter().map(|(k, v)| (k.value, v.value)).collect();
                }
                "paradata" => doc.paradata = self.boolean(value, "`paradata`"),
                "instance_name" => doc.instance_name = self.scalar(value, "`instance_name`"),
                "choices" => {
                    if let Some(entries) = self.map(value, "`choices`") {
                        for (k, v) in entries {
                            if let Some(list) = self.choice_list(k, v) {
                                doc.choice_lists.push(list);
                            }
                        }
                    }
                }
                "tables" => {
                    let pairs = self.pairs(value, "`tables`", "a table name", "a table file");
                    doc.tables = pairs
                        .into_iter()
                        .map(|(name, file)| TableDoc { name, file })
                        .collect();
                }
                "monitoring" => {
                    doc.monitoring = self.scalars(value, "`monitoring`", "an item name")
                }
                "quotas" => {
                    if let Some(items) = self.seq(value, "`quotas`") {
                        doc.quotas = items.iter().filter_map(|n| self.quota(n)).collect();
                    }
                }
                "items" => {
                    if let Some(items) = self.seq(value, "`items`") {
                        doc.items = items.iter().filter_map(|n| self.item(n)).collect();
                    }
                }
                _ => self.unknown_key(key, TOP_KEYS, "the questionnaire"),
            }
        }
        Some(doc)
    }

    fn choice_list(&mut self, key: &Node, value: &Node) -> Option<ChoiceListDoc> {
        let name = self.scalar(key, "a choice list name")?;
        let source = match &value.kind {
            NodeKind::Seq(items) => {
                ChoiceSource::Inline(items.iter().filter_map(|n| self.choice(n)).collect())
            }
            NodeKind::Map(entries) => {
                let mut file = None;
                for (k, v) in entries {
                    match k.as_scalar() {
                        Some("file") => file = self.scalar(v, "`file`"),
                        _ => self.unknown_key(k, &["file"], "a choice list from a file"),
                    }
                }
                match file {
                    Some(file) => ChoiceSource::File(file),
                    None => {
                        self.diagnostics.error(
                            &value.loc,
                            "S017",
                            format!(
                                "choice list `{}` needs `file:` or a list of choices",
                                name.value
                            ),
                        );
                        return None;
                    }
                }
            }
            _ => {
                self.diagnostics.error(
                    &value.loc,
                    "S017",
                    format!(
                        "choice list `{}` must be a list of choices or `{{file: ...}}`",
                        name.value
                    ),
                );
                return None;
            }
        };
        Some(ChoiceListDoc { name, source })
    }

    fn choice(&mut self, node: &Node) -> Option<ChoiceDoc> {
        let entries = self.map(node, "a choice")?;
        let mut choice = ChoiceDoc {
            code: Located::new(String::new(), node.loc.clone()),
            label: None,
            data: Vec::new(),
            loc: node.loc.clone(),
        };
        let mut has_code = false;
        for (k, v) in entries {
            match k.as_scalar() {
                Some("code") => {
                    if let Some(code) = self.scalar(v, "a choice code") {
                        choice.code = code;
                        has_code = true;
                    }
                }
                Some("label") => choice.label = self.texts(v, "a choice label"),
                Some("data") => {
                    let pairs = self.pairs(v, "a choice's `data`", "a data column", "a data value");
                    choice.data = pairs.into_iter().map(|(k, v)| (k.value, v)).collect();
                }
                _ => self.unknown_key(k, &["code", "label", "data"], "a choice"),
            }
        }
        if !has_code {
            self.diagnostics
                .error(&node.loc, "S018", "a choice needs a `code`");
            return None;
        }
        Some(choice)
    }

    fn quota(&mut self, node: &Node) -> Option<QuotaDoc> {
        let entries = self.map(node, "a quota")?;
        let mut name = None;
        let mut quota = QuotaDoc {
            name: Located::new(String::new(), node.loc.clone()),
            label: None,
            by: Vec::new(),
            when: None,
            loc: node.loc.clone(),
        };
        for (k, v) in entries {
            match k.as_scalar() {
                Some("name") => name = self.scalar(v, "a quota name"),
                Some("label") => quota.label = self.texts(v, "a quota label"),
                Some("by") => quota.by = self.scalars(v, "`by`", "an item name"),
                Some("when") => quota.when = self.scalar(v, "`when`"),
                _ => self.unknown_key(k, &["name", "label", "by", "when"], "a quota"),
            }
        }
        match name {
            Some(name) => quota.name = name,
            None => {
                self.diagnostics
                    .error(&node.loc, "S019", "a quota needs a `name`");
                return None;
            }
        }
        Some(quota)
    }

    fn item(&mut self, node: &Node) -> Option<ItemDoc> {
        let entries = self.map(node, "an item")?;
        let mut item = ItemDoc {
            loc: node.loc.clone(),
            ..ItemDoc::default()
        };
        for (key, value) in entries {
            let Some(name) = key.as_scalar() else {
                self.diagnostics
                    .error(&key.loc, "S012", "a key must be a plain name");
                continue;
            };
            match name {
                "name" => item.name = self.scalar(value, "`name`"),
                "type" => item.kind = self.scalar(value, "`type`"),
                "label" => item.label = self.texts(value, "a label"),
                "hint" => item.hint = self.texts(value, "a hint"),
                "relevant" => item.relevant = self.scalar(value, "`relevant`"),
                "required" => item.required = self.condition(value, "`required`"),
                "required_message" => {
                    item.required_message = self.texts(value, "`required_message`")
                }
                "constraint" => item.constraint = self.scalar(value, "`constraint`"),
                "constraint_message" => {
                    item.constraint_message = self.texts(value, "`constraint_message`")
                }
                "warning" => item.warning = self.scalar(value, "`warning`"),
                "warning_message" => item.warning_message = self.texts(value, "`warning_message`"),
                "checks" => {
                    if let Some(checks) = self.seq(value, "`checks`") {
                        item.checks = checks.iter().filter_map(|n| self.check(n)).collect();
                    }
                }
                "calculation" => item.calculation = self.scalar(value, "`calculation`"),
                "default" => item.default = self.scalar(value, "`default`"),
                "choices" => item.choices = self.scalar(value, "`choices`"),
                "choice_filter" => item.choice_filter = self.scalar(value, "`choice_filter`"),
                "read_only" => item.read_only = self.condition(value, "`read_only`"),
                "preload" => item.preload = self.scalar(value, "`preload`"),
                "appearance" => item.appearance = self.scalar(value, "`appearance`"),
                "parameters" => {
                    let pairs = self.pairs(
                        value,
                        "`parameters`",
                        "a parameter name",
                        "a parameter value",
                    );
                    item.parameters = pairs.into_iter().map(|(k, v)| (k.value, v)).collect();
                }
                "currencies" => item.currencies = self.scalar(value, "`currencies`"),
                "repeat_count" => item.repeat_count = self.scalar(value, "`repeat_count`"),
                "max_rows" => item.max_rows = self.scalar(value, "`max_rows`"),
                "row_label" => item.row_label = self.texts(value, "`row_label`"),
                "trigger" => item.trigger = self.scalar(value, "`trigger`"),
                "items" => {
                    if let Some(children) = self.seq(value, "`items`") {
                        item.items = children.iter().filter_map(|n| self.item(n)).collect();
                    }
                }
                _ => self.unknown_key(key, ITEM_KEYS, "an item"),
            }
        }
        Some(item)
    }

    fn check(&mut self, node: &Node) -> Option<CheckDoc> {
        let entries = self.map(node, "a check")?;
        let mut expr = None;
        let mut soft = false;
        let mut message = None;
        for (k, v) in entries {
            match k.as_scalar() {
                Some("constraint") => expr = self.scalar(v, "`constraint`"),
                Some("warning") => {
                    expr = self.scalar(v, "`warning`");
                    soft = true;
                }
                Some("message") => message = self.texts(v, "a check message"),
                _ => self.unknown_key(k, &["constraint", "warning", "message"], "a check"),
            }
        }
        match expr {
            Some(expr) => Some(CheckDoc {
                expr,
                soft,
                message,
            }),
            None => {
                self.diagnostics.error(
                    &node.loc,
                    "S020",
                    "a check needs `constraint:` (hard) or `warning:` (soft)",
                );
                None
            }
        }
    }
}
