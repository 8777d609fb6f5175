//! XLSForm workbook → located [`Document`].
//!
//! The importer reads the `survey`, `choices` and `settings` sheets (names and headers are matched without
//! regard to case, with pyxform's aliases), plus the optional `daftar` sheet and `daftar_*` columns that
//! [`crate::export`] writes for what XLSForm cannot say. It keeps every value's cell so that the compiler's
//! diagnostics point into the workbook. It checks only what is XLSForm-specific (headers, types, begin/end
//! nesting, unsupported features); names, references, expressions and types are the compiler's job.

use std::collections::{BTreeMap, HashMap};

use survey_spec::document::{
    CheckDoc, ChoiceDoc, ChoiceListDoc, ChoiceSource, Condition, Document, ItemDoc, Located,
    QuotaDoc, TableDoc, Texts,
};
use survey_spec::{Diagnostic, Diagnostics, Loc, SourceLoader};

use crate::codes;
use crate::languages::{self, Language};
use crate::workbook::{self, Row, Sheet};

/// See [`crate::import`].
pub(crate) fn import(
    bytes: &[u8],
    file_name: &str,
    files: &dyn SourceLoader,
) -> (Option<Document>, Vec<Diagnostic>) {
    let mut diags = Diagnostics::new(file_name);
    let wanted = |name: &str, count: usize| {
        count == 1
            || [
                "survey",
                "choices",
                "settings",
                "external_choices",
                "daftar",
            ]
            .iter()
            .any(|known| name.trim().eq_ignore_ascii_case(known))
    };
    let sheets = match workbook::read_sheets(bytes, &wanted) {
        Ok(sheets) => sheets,
        Err(workbook::Unreadable(why)) => {
            diags.error(
                &Loc::Unknown,
                codes::UNREADABLE,
                format!("cannot read the workbook: {why}"),
            );
            return (None, diags.into_vec());
        }
    };
    let mut importer = Importer {
        diags,
        files,
        file_stem: file_stem(file_name),
        languages: Vec::new(),
        plain_language: None,
        missing_translations: BTreeMap::new(),
        lists_from_files: Vec::new(),
        file_list_names: HashMap::new(),
        renamed_lists: HashMap::new(),
        unlabelled_choices: None,
        unlabelled_questions: None,
    };
    let doc = importer.run(&sheets);
    (doc, importer.diags.into_vec())
}

fn file_stem(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    base.rsplit_once('.')
        .map_or(base, |(stem, _)| stem)
        .to_string()
}

/// One column of a sheet's header row, with pyxform's aliases resolved.
#[derive(Debug, Clone)]
struct Column {
    /// 1-based column.
    col: u32,
    /// The canonical column name (`label`, `relevant`, `repeat_count`…).
    key: String,
    /// The language part of `label::Français (fr)`, as written.
    language: Option<String>,
    /// The header as written.
    header: String,
}

/// A sheet's header and data rows.
struct Table<'a> {
    sheet: &'a Sheet,
    columns: Vec<Column>,
    /// The data rows (everything after the header row).
    rows: &'a [Row],
}

impl Table<'_> {
    fn loc(&self, row: u32, col: u32) -> Loc {
        Loc::Cell {
            sheet: self.sheet.name.clone(),
            row,
            col,
        }
    }

    fn column(&self, key: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|column| column.key == key && column.language.is_none())
    }

    /// The located value of a plain column in `row`.
    fn value(&self, row: &Row, key: &str) -> Option<Located<String>> {
        let column = self.column(key)?;
        row.get(column.col)
            .map(|text| Located::new(text.to_string(), self.loc(row.number, column.col)))
    }
}

/// Survey-sheet headers with pyxform's aliases (`aliases.survey_header`) resolved to our names.
fn survey_alias(key: &str) -> &str {
    match key {
        "caption" => "label",
        "relevance" => "relevant",
        "readonly" => "read_only",
        "calculate" => "calculation",
        "constraining_message" | "jr:constraintmsg" => "constraint_message",
        "requiredmsg" | "jr:requiredmsg" => "required_message",
        "count" | "jr:count" => "repeat_count",
        "command" => "type",
        "tag" | "value" => "name",
        other => other,
    }
}

/// Choices-sheet headers with pyxform's aliases (`aliases.list_header`) resolved.
fn choices_alias(key: &str) -> &str {
    match key {
        "caption" => "label",
        "list name" => "list_name",
        "value" => "name",
        other => other,
    }
}

/// Splits a header into its canonical key and language, the way pyxform's `dealias_and_group_headers` does:
/// `label::Français (fr)` → (`label`, `Français (fr)`); `bind::relevant` and `bind:relevant` → (`relevant`, -);
/// `media::image::English` → (`image`, `English`).
fn split_header(header: &str, alias: fn(&str) -> &str) -> (String, Option<String>) {
    let header = header.trim();
    let (mut head, mut rest) = match header.split_once("::") {
        Some((head, rest)) => (head.trim().to_string(), Some(rest.trim().to_string())),
        // The old single-colon form `label:English`, for translatable columns only (`jr:count` is a name).
        None => match header.split_once(':') {
            Some((head, rest)) if is_translatable(alias(&head.trim().to_lowercase())) => {
                (head.trim().to_string(), Some(rest.trim().to_string()))
            }
            _ => (header.to_string(), None),
        },
    };
    // Namespaced columns: the XForms attribute is what counts.
    for prefix in ["bind", "control", "body", "instance", "media"] {
        let lower = head.to_lowercase();
        if lower == prefix {
            if let Some(inner) = rest.take() {
                match inner.split_once("::") {
                    Some((key, language)) => {
                        head = key.trim().to_string();
                        rest = Some(language.trim().to_string());
                    }
                    None => head = inner,
                }
            }
            break;
        }
        if let Some(key) = lower.strip_prefix(&format!("{prefix}:"))
            && !key.is_empty()
        {
            head = key.to_string();
            break;
        }
    }
    let key = head.to_lowercase();
    (
        alias(&key).to_string(),
        rest.filter(|language| !language.is_empty()),
    )
}

/// Columns whose text is per language.
fn is_translatable(key: &str) -> bool {
    matches!(
        key,
        "label"
            | "hint"
            | "guidance_hint"
            | "constraint_message"
            | "required_message"
            | "daftar_warning_message"
            | "daftar_row_label"
            | "image"
            | "big-image"
            | "audio"
            | "video"
    )
}

/// Survey columns the importer maps.
const SURVEY_COLUMNS: &[&str] = &[
    "type",
    "name",
    "label",
    "hint",
    "relevant",
    "required",
    "required_message",
    "constraint",
    "constraint_message",
    "calculation",
    "default",
    "choice_filter",
    "repeat_count",
    "appearance",
    "read_only",
    "trigger",
    "parameters",
    "daftar_type",
    "daftar_warning",
    "daftar_warning_message",
    "daftar_checks",
    "daftar_preload",
    "daftar_max_rows",
    "daftar_row_label",
    "daftar_currencies",
];

/// Survey columns pyxform knows that have no effect on a Daftar interview; they are ignored with a warning.
const IGNORED_SURVEY_COLUMNS: &[&str] = &[
    "guidance_hint",
    "image",
    "big-image",
    "audio",
    "video",
    "autoplay",
    "rows",
    "disabled",
    "note",
    "media",
    "save_to",
    "noapperrorstring",
    "no_app_error_string",
    "compact_tag",
    "body",
];

struct Importer<'a> {
    diags: Diagnostics,
    files: &'a dyn SourceLoader,
    file_stem: String,
    /// Languages in the order first seen: (code, where first seen).
    languages: Vec<(Language, Loc)>,
    /// The language of columns written without `::language` when other columns have one.
    plain_language: Option<String>,
    /// (sheet, column key, language) → (count, first cell) of texts missing a translation.
    missing_translations: BTreeMap<(String, String, String), (usize, Loc, String)>,
    /// Choice lists made for `select_one_from_file` questions: (list name, file).
    lists_from_files: Vec<(String, Located<String>)>,
    /// List names of CSV files, from the `daftar` sheet's `file_list` rows (file → list name).
    file_list_names: HashMap<String, String>,
    /// XLSForm list names that were renamed (written → native), each reported once.
    renamed_lists: HashMap<String, String>,
    /// Choices without a label (they get their name as label; one warning for all).
    unlabelled_choices: Option<(usize, Loc)>,
    /// Shown questions without a label (they get an empty label; one warning for all).
    unlabelled_questions: Option<(usize, Loc)>,
}

impl Importer<'_> {
    fn run(&mut self, sheets: &[Sheet]) -> Option<Document> {
        let find = |name: &str| {
            sheets
                .iter()
                .find(|sheet| sheet.name.trim().eq_ignore_ascii_case(name))
        };
        let survey = match find("survey") {
            Some(sheet) => sheet,
            None if sheets.len() == 1 => {
                // pyxform reads a workbook with a single, otherwise named sheet as the survey sheet.
                &sheets[0]
            }
            None => {
                let names: Vec<&str> = sheets.iter().map(|sheet| &*sheet.name).collect();
                self.diags.error(
                    &Loc::Unknown,
                    codes::NO_SURVEY_SHEET,
                    format!(
                        "the workbook has no `survey` sheet (sheets: {})",
                        names.join(", ")
                    ),
                );
                return None;
            }
        };
        let mut doc = Document {
            format: Some(Located::new("1".into(), Loc::Unknown)),
            ..Document::default()
        };

        let settings = find("settings").map(|sheet| self.table(sheet, settings_alias, false));
        let survey_table = self.table(survey, survey_alias, true);
        let choices = find("choices").map(|sheet| self.table(sheet, choices_alias, true));
        if let Some(external) = find("external_choices")
            && !external.rows.is_empty()
        {
            self.diags.warning(
                &Loc::Cell {
                    sheet: external.name.clone(),
                    row: 1,
                    col: 1,
                },
                codes::IGNORED,
                "the `external_choices` sheet is ignored: `select_one_external` is not supported",
            );
        }

        // Languages: the settings' default first, then every language column in order.
        let mut default_language = None;
        if let Some(settings) = &settings
            && let Some(first) = settings.rows.first()
            && let Some(written) = settings.value(first, "default_language")
        {
            let language = self.note_language(&written.value, &written.loc);
            default_language = Some(Located::new(language, written.loc.clone()));
        }
        for table in [Some(&survey_table), choices.as_ref(), settings.as_ref()]
            .into_iter()
            .flatten()
        {
            for column in &table.columns {
                if let Some(written) = &column.language
                    && is_translatable(&column.key)
                {
                    let loc = table.loc(
                        table.sheet.rows.first().map_or(1, |row| row.number),
                        column.col,
                    );
                    self.note_language(written, &loc);
                }
            }
        }
        let has_plain_text_columns = [Some(&survey_table), choices.as_ref()]
            .into_iter()
            .flatten()
            .any(|table| {
                table.columns.iter().any(|column| {
                    matches!(
                        column.key.as_str(),
                        "label" | "hint" | "constraint_message" | "required_message"
                    ) && column.language.is_none()
                })
            });
        if has_plain_text_columns {
            // Columns without a language are pyxform's "default" language: the settings' default language if
            // given; the single, unnamed language (`""`, plain strings in the native format) when no column
            // carries a language; `und` (undetermined) when other columns do.
            let plain = match &default_language {
                Some(language) => language.value.clone(),
                None if self.languages.is_empty() => String::new(),
                None => {
                    let loc = survey_table
                        .column("label")
                        .map_or(Loc::Unknown, |column| survey_table.loc(1, column.col));
                    self.diags.warning(
                        &loc,
                        codes::LANGUAGE_GUESSED,
                        "text columns without `::language` sit next to columns with one; they are read as language `und`; write `label::English (en)` or set `default_language`",
                    );
                    "und".to_string()
                }
            };
            if !self
                .languages
                .iter()
                .any(|(language, _)| language.code == plain)
            {
                self.languages.push((
                    Language {
                        code: plain.clone(),
                        written: plain.clone(),
                        guessed: false,
                    },
                    Loc::Unknown,
                ));
            }
            self.plain_language = Some(plain);
        }
        if self.languages.is_empty() {
            self.languages.push((
                Language {
                    code: String::new(),
                    written: String::new(),
                    guessed: false,
                },
                Loc::Unknown,
            ));
            self.plain_language = Some(String::new());
        }
        // A form without languages declares none: its texts are plain strings (language `""`), and a CSV
        // choice file has a plain `label` column, as in XLSForm.
        doc.languages = self
            .languages
            .iter()
            .filter(|(language, _)| !language.code.is_empty())
            .map(|(language, loc)| Located::new(language.code.clone(), loc.clone()))
            .collect();
        doc.default_language = default_language.or_else(|| doc.languages.first().cloned());

        if let Some(settings) = &settings {
            self.read_settings(settings, &mut doc);
        }
        if doc.version.is_none() {
            // XLSForm's `version` is optional; Daftar needs a version label, and the content hash tells
            // versions apart anyway.
            doc.version = Some(Located::new("1".into(), Loc::Unknown));
        }
        if doc.id.is_none() {
            let id = id_slug(&self.file_stem);
            doc.id = Some(Located::new(
                if id.is_empty() { "form".into() } else { id },
                Loc::Unknown,
            ));
        }
        if let Some(choices) = &choices {
            doc.choice_lists = self.read_choices(choices);
        }
        if let Some(sheet) = find("daftar") {
            for row in sheet.rows.iter().skip(1) {
                if row.get(1) == Some("file_list")
                    && let (Some(name), Some(file)) = (row.get(2), row.get(3))
                {
                    self.file_list_names
                        .insert(file.to_string(), name.to_string());
                    let loc = Loc::Cell {
                        sheet: sheet.name.clone(),
                        row: row.number,
                        col: 3,
                    };
                    self.lists_from_files
                        .push((name.to_string(), Located::new(file.to_string(), loc)));
                }
            }
        }
        doc.items = self.read_survey(&survey_table, &mut doc);
        for (name, file) in std::mem::take(&mut self.lists_from_files) {
            if !doc.choice_lists.iter().any(|list| list.name.value == name) {
                doc.choice_lists.push(ChoiceListDoc {
                    name: Located::new(name, file.loc.clone()),
                    source: ChoiceSource::File(file),
                });
            }
        }
        if let Some(sheet) = find("daftar") {
            self.read_daftar_sheet(sheet, &mut doc);
        }
        self.declare_pulldata_tables(&mut doc);
        // The list the exporter writes for native `yes_no` items is not part of the questionnaire.
        doc.choice_lists
            .retain(|list| list.name.value != crate::export::YES_NO_LIST);
        self.report_missing_translations();
        Some(doc)
    }

    /// Reads a sheet's header row (its first non-empty row) and resolves the columns.
    fn table<'s>(&mut self, sheet: &'s Sheet, alias: fn(&str) -> &str, strict: bool) -> Table<'s> {
        let Some((header, rows)) = sheet.rows.split_first() else {
            return Table {
                sheet,
                columns: Vec::new(),
                rows: &[],
            };
        };
        let mut columns: Vec<Column> = Vec::new();
        let mut seen: HashMap<(String, Option<String>), String> = HashMap::new();
        for (col, text) in &header.cells {
            let (key, language) = split_header(text, alias);
            let loc = Loc::Cell {
                sheet: sheet.name.clone(),
                row: header.number,
                col: *col,
            };
            let language_code = language
                .as_deref()
                .map(|written| languages::resolve(written).code);
            if let Some(previous) = seen.insert((key.clone(), language_code.clone()), text.clone())
            {
                let message = if previous == *text {
                    format!("duplicate column header `{text}`")
                } else {
                    format!("`{previous}` and `{text}` are two names for the same column; keep one")
                };
                if strict {
                    self.diags.error(&loc, codes::DUPLICATE_COLUMN, message);
                } else {
                    // pyxform takes the settings sheet's aliases (`id_string`, `form_id`) side by side.
                    self.diags.warning(
                        &loc,
                        codes::IGNORED,
                        format!("{message}; the first one is used"),
                    );
                }
                continue;
            }
            columns.push(Column {
                col: *col,
                key,
                language,
                header: text.clone(),
            });
        }
        Table {
            sheet,
            columns,
            rows,
        }
    }

    /// Records a language seen in a header or setting and returns its code.
    fn note_language(&mut self, written: &str, loc: &Loc) -> String {
        let language = languages::resolve(written);
        if let Some((known, _)) = self
            .languages
            .iter()
            .find(|(known, _)| known.code == language.code)
        {
            return known.code.clone();
        }
        if language.guessed {
            self.diags.warning(
                loc,
                codes::LANGUAGE_GUESSED,
                format!(
                    "language `{written}` has no code; it is read as `{code}`; write it as `{written} ({code})`",
                    code = language.code
                ),
            );
        }
        let code = language.code.clone();
        self.languages.push((language, loc.clone()));
        code
    }

    fn language_code(&self, written: Option<&str>) -> String {
        match written {
            Some(written) => languages::resolve(written).code,
            None => self.plain_language.clone().unwrap_or_default(),
        }
    }

    /// The texts of a translatable column family (`label`, `label::fr`…) in `row`, every declared language
    /// filled in: a missing translation takes the default language's text (pyxform shows `-`), and is
    /// reported once per column.
    fn texts(&mut self, table: &Table<'_>, row: &Row, key: &str) -> Option<Texts> {
        let mut entries: Vec<(Located<String>, Located<String>)> = Vec::new();
        let mut first_loc = None;
        for column in table.columns.iter().filter(|column| column.key == key) {
            if let Some(text) = row.get(column.col) {
                let loc = table.loc(row.number, column.col);
                first_loc.get_or_insert_with(|| loc.clone());
                let code = self.language_code(column.language.as_deref());
                if entries.iter().any(|(language, _)| language.value == code) {
                    continue;
                }
                entries.push((
                    Located::new(code, loc.clone()),
                    Located::new(text.to_string(), loc),
                ));
            }
        }
        let first_loc = first_loc?;
        let fallback = entries[0].1.clone();
        let mut ordered = Vec::new();
        for (language, _) in &self.languages {
            match entries.iter().find(|(code, _)| code.value == language.code) {
                Some(entry) => ordered.push(entry.clone()),
                None => {
                    let entry = self
                        .missing_translations
                        .entry((
                            table.sheet.name.to_string(),
                            key.to_string(),
                            language.code.clone(),
                        ))
                        .or_insert_with(|| (0, first_loc.clone(), fallback.value.clone()));
                    entry.0 += 1;
                    ordered.push((
                        Located::new(language.code.clone(), first_loc.clone()),
                        fallback.clone(),
                    ));
                }
            }
        }
        Some(Texts {
            entries: ordered,
            loc: first_loc,
        })
    }

    /// The native name of an XLSForm choice list. `yes_no` is Daftar's built-in list, and native list names
    /// are identifiers, so `yes_no` becomes `yes_no_choices` and `my-list` becomes `my_list` (reported once).
    fn list_name(&mut self, written: &str, loc: &Loc) -> String {
        if let Some(renamed) = self.renamed_lists.get(written) {
            return renamed.clone();
        }
        let mut native: String = written
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if native.starts_with(|c: char| c.is_ascii_digit()) || native.is_empty() {
            native.insert(0, '_');
        }
        if native == "yes_no" {
            native = "yes_no_choices".into();
        }
        if native != written {
            let why = if written == "yes_no" {
                "`yes_no` is Daftar's built-in yes/no list"
            } else {
                "list names are letters, digits and `_`"
            };
            self.diags.warning(
                loc,
                codes::RENAMED,
                format!("choice list `{written}` is read as `{native}` ({why})"),
            );
        }
        self.renamed_lists
            .insert(written.to_string(), native.clone());
        native
    }

    fn report_missing_translations(&mut self) {
        if let Some((count, loc)) = self.unlabelled_questions.take() {
            self.diags.warning(
                &loc,
                codes::MISSING_LABEL,
                format!("{count} question(s) have no label (first here); each is labelled with its hint or name"),
            );
        }
        if let Some((count, loc)) = self.unlabelled_choices.take() {
            self.diags.warning(
                &loc,
                codes::MISSING_LABEL,
                format!(
                    "{count} choice(s) have no label (first here); each is labelled with its name"
                ),
            );
        }
        for ((_, key, language), (count, loc, _)) in std::mem::take(&mut self.missing_translations)
        {
            let rows = if count == 1 {
                "1 row has".to_string()
            } else {
                format!("{count} rows have")
            };
            self.diags.warning(
                &loc,
                codes::MISSING_TRANSLATION,
                format!("`{key}`: {rows} no `{language}` text (first here); the text of another language is used"),
            );
        }
    }

    fn read_settings(&mut self, settings: &Table<'_>, doc: &mut Document) {
        for column in &settings.columns {
            let known = matches!(
                column.key.as_str(),
                "form_id" | "form_title" | "version" | "default_language" | "instance_name"
            );
            if !known && column.language.is_none() {
                let loc = settings.loc(
                    settings.sheet.rows.first().map_or(1, |row| row.number),
                    column.col,
                );
                self.diags.warning(
                    &loc,
                    codes::IGNORED,
                    format!(
                        "setting `{}` has no effect in Daftar and is ignored",
                        column.header
                    ),
                );
            }
        }
        let Some(row) = settings.rows.first() else {
            return;
        };
        if let Some(id) = settings.value(row, "form_id") {
            let slug = id_slug(&id.value);
            if slug != id.value {
                self.diags.warning(
                    &id.loc,
                    codes::ID_CHANGED,
                    format!("form_id `{}` is read as `{slug}` (ids are lowercase letters, digits, `-` and `_`)", id.value),
                );
            }
            doc.id = Some(Located::new(slug, id.loc));
        }
        doc.version = settings.value(row, "version");
        doc.instance_name = settings.value(row, "instance_name");
        if let Some(title) = settings.value(row, "form_title") {
            let entries = self
                .languages
                .iter()
                .map(|(language, _)| {
                    (
                        Located::new(language.code.clone(), title.loc.clone()),
                        title.clone(),
                    )
                })
                .collect();
            doc.title = Some(Texts {
                entries,
                loc: title.loc.clone(),
            });
        }
        if settings
            .columns
            .iter()
            .any(|column| column.key == "form_title" && column.language.is_some())
            && let Some(translated) = self.texts(settings, row, "form_title")
        {
            doc.title = Some(translated);
        }
    }

    fn read_choices(&mut self, table: &Table<'_>) -> Vec<ChoiceListDoc> {
        let list_column = table.column("list_name").map(|column| column.col);
        let name_column = table.column("name").map(|column| column.col);
        let header_loc = table.loc(table.sheet.rows.first().map_or(1, |row| row.number), 1);
        if !table.rows.is_empty() && (list_column.is_none() || name_column.is_none()) {
            self.diags.error(
                &header_loc,
                codes::MISSING_COLUMN,
                "the `choices` sheet needs the columns `list_name` and `name`",
            );
            return Vec::new();
        }
        let (Some(list_column), Some(name_column)) = (list_column, name_column) else {
            return Vec::new();
        };
        let data_columns: Vec<Column> = table
            .columns
            .iter()
            .filter(|column| {
                column.language.is_none()
                    && !matches!(
                        column.key.as_str(),
                        "list_name"
                            | "name"
                            | "label"
                            | "image"
                            | "big-image"
                            | "audio"
                            | "video"
                            | "media"
                    )
                    && !column.key.starts_with('_')
            })
            .cloned()
            .collect();
        let mut lists: Vec<ChoiceListDoc> = Vec::new();
        for row in table.rows {
            let Some(list) = row.get(list_column) else {
                if row.cells.iter().any(|(col, _)| *col == name_column) {
                    self.diags.warning(
                        &table.loc(row.number, list_column),
                        codes::IGNORED,
                        "a choice without `list_name` is ignored",
                    );
                }
                continue;
            };
            let list_loc = table.loc(row.number, list_column);
            let code = match row.get(name_column) {
                Some(code) => Located::new(code.to_string(), table.loc(row.number, name_column)),
                None => {
                    self.diags.error(
                        &table.loc(row.number, name_column),
                        codes::MISSING_CHOICE_NAME,
                        format!("a choice of list `{list}` has no `name`"),
                    );
                    continue;
                }
            };
            let list = self.list_name(list, &list_loc);
            let list = list.as_str();
            let label = match self.texts(table, row, "label") {
                Some(label) => Some(label),
                None => {
                    // ODK shows a choice without a label by its name; Daftar needs a label: the name.
                    let first = self.unlabelled_choices.get_or_insert((0, code.loc.clone()));
                    first.0 += 1;
                    let entries = self
                        .languages
                        .iter()
                        .map(|(language, _)| {
                            (
                                Located::new(language.code.clone(), code.loc.clone()),
                                code.clone(),
                            )
                        })
                        .collect();
                    Some(Texts {
                        entries,
                        loc: code.loc.clone(),
                    })
                }
            };
            let data = data_columns
                .iter()
                .filter_map(|column| {
                    row.get(column.col).map(|text| {
                        (
                            column.header.clone(),
                            Located::new(text.to_string(), table.loc(row.number, column.col)),
                        )
                    })
                })
                .collect();
            let choice = ChoiceDoc {
                code,
                label,
                data,
                loc: list_loc.clone(),
            };
            match lists
                .iter_mut()
                .find(|existing| existing.name.value == list)
            {
                Some(ChoiceListDoc {
                    source: ChoiceSource::Inline(choices),
                    ..
                }) => choices.push(choice),
                _ => lists.push(ChoiceListDoc {
                    name: Located::new(list.to_string(), list_loc),
                    source: ChoiceSource::Inline(vec![choice]),
                }),
            }
        }
        lists
    }

    fn read_survey(&mut self, table: &Table<'_>, doc: &mut Document) -> Vec<ItemDoc> {
        let header_row = table.sheet.rows.first().map_or(1, |row| row.number);
        for column in &table.columns {
            let key = column.key.as_str();
            let loc = table.loc(header_row, column.col);
            if SURVEY_COLUMNS.contains(&key) || key.starts_with('_') {
                continue;
            }
            if IGNORED_SURVEY_COLUMNS.contains(&key) || key.starts_with("sms_") {
                self.diags.warning(
                    &loc,
                    codes::IGNORED,
                    format!(
                        "column `{}` has no effect in Daftar and is ignored",
                        column.header
                    ),
                );
            } else {
                self.diags.warning(
                    &loc,
                    codes::IGNORED,
                    format!("unknown column `{}` is ignored", column.header),
                );
            }
        }
        let Some(type_column) = table.column("type").map(|column| column.col) else {
            if !table.rows.is_empty() || table.columns.is_empty() {
                self.diags.error(
                    &table.loc(header_row, 1),
                    codes::MISSING_COLUMN,
                    format!("the `{}` sheet needs a `type` column", table.sheet.name),
                );
            }
            return Vec::new();
        };
        let name_column = table.column("name").map(|column| column.col);
        // The stack of open containers: (item, `group` or `repeat`, where it began).
        let mut stack: Vec<(ItemDoc, &'static str)> = vec![(ItemDoc::default(), "root")];
        for row in table.rows {
            for (col, text) in &row.cells {
                if text.contains("${last-saved#") {
                    self.diags.error(
                        &table.loc(row.number, *col),
                        codes::LAST_SAVED,
                        "`${last-saved#…}` (the value in the previous interview on this device) is not supported: \
                         interviews do not read each other; use a preload from the assignment",
                    );
                }
            }
            let type_loc = table.loc(row.number, type_column);
            let Some(type_text) = row.get(type_column) else {
                let named = name_column.is_some_and(|col| row.get(col).is_some());
                let labelled = table
                    .columns
                    .iter()
                    .any(|column| column.key == "label" && row.get(column.col).is_some());
                if named || labelled {
                    self.diags.error(
                        &type_loc,
                        codes::MISSING_TYPE,
                        "this row has a name or label but no `type`",
                    );
                }
                continue;
            };
            let kind = parse_type(type_text);
            match kind {
                RowKind::End(container) => {
                    let (open_kind, matches) = match stack.last() {
                        Some((_, open)) => (*open, *open == container),
                        None => ("root", false),
                    };
                    if open_kind == "root" || !matches {
                        self.diags.error(
                            &type_loc,
                            codes::UNMATCHED_END,
                            format!("`{type_text}` does not close an open `begin {container}`"),
                        );
                        continue;
                    }
                    if let Some((item, _)) = stack.pop()
                        && let Some((parent, _)) = stack.last_mut()
                    {
                        parent.items.push(item);
                    }
                }
                RowKind::Begin(container) => {
                    let mut item = self.item(table, row, type_loc.clone(), name_column);
                    let in_root = stack.len() == 1;
                    let native = match container {
                        "repeat" => "roster",
                        _ if in_root => "section",
                        _ => "group",
                    };
                    item.kind = Some(Located::new(native.into(), type_loc));
                    self.apply_daftar_type(table, row, &mut item);
                    let has_media = table.columns.iter().any(|column| {
                        matches!(
                            column.key.as_str(),
                            "image" | "big-image" | "audio" | "video"
                        ) && row.get(column.col).is_some()
                    });
                    self.fill_missing_label(&mut item, has_media);
                    stack.push((item, container));
                }
                RowKind::Unsupported(what) => {
                    self.diags.error(
                        &type_loc,
                        codes::UNSUPPORTED_TYPE,
                        format!("question type `{type_text}` is not supported by Daftar: {what}"),
                    );
                }
                RowKind::Dropped(what) => {
                    self.diags.warning(
                        &type_loc,
                        codes::IGNORED,
                        format!(
                            "`{type_text}` is not collected by Daftar ({what}); it is kept as an always-empty value so that references to it still work"
                        ),
                    );
                    let mut item = self.item(table, row, type_loc.clone(), name_column);
                    item.kind = Some(Located::new("calculate".into(), type_loc.clone()));
                    item.calculation = Some(Located::new("''".into(), type_loc));
                    if let Some((parent, _)) = stack.last_mut() {
                        parent.items.push(item);
                    }
                }
                RowKind::Audit => {
                    self.audit(table, row);
                    doc.paradata = Some(Located::new(true, type_loc));
                }
                RowKind::Unknown => {
                    self.diags.error(
                        &type_loc,
                        codes::UNKNOWN_TYPE,
                        format!("unknown question type `{type_text}`"),
                    );
                }
                RowKind::Leaf(leaf) => {
                    let mut item = self.item(table, row, type_loc.clone(), name_column);
                    let or_other = leaf_or_other(&leaf);
                    self.leaf(row, &type_loc, type_text, leaf, &mut item);
                    self.apply_daftar_type(table, row, &mut item);
                    let has_media = table.columns.iter().any(|column| {
                        matches!(
                            column.key.as_str(),
                            "image" | "big-image" | "audio" | "video"
                        ) && row.get(column.col).is_some()
                    });
                    self.fill_missing_label(&mut item, has_media);
                    let other = or_other.then(|| self.or_other_item(&item, doc));
                    if let Some((parent, _)) = stack.last_mut() {
                        parent.items.push(item);
                        if let Some(Some(other)) = other {
                            parent.items.push(other);
                        }
                    }
                }
            }
        }
        while stack.len() > 1 {
            if let Some((item, container)) = stack.pop() {
                let loc = item
                    .kind
                    .as_ref()
                    .map_or(Loc::Unknown, |kind| kind.loc.clone());
                self.diags.error(
                    &loc,
                    codes::UNCLOSED_BEGIN,
                    format!("`begin {container}` is never closed by `end {container}`"),
                );
                if let Some((parent, _)) = stack.last_mut() {
                    parent.items.push(item);
                }
            }
        }
        stack.pop().map(|(root, _)| root.items).unwrap_or_default()
    }

    /// The columns every row may carry.
    fn item(
        &mut self,
        table: &Table<'_>,
        row: &Row,
        loc: Loc,
        name_column: Option<u32>,
    ) -> ItemDoc {
        let name = name_column.and_then(|col| {
            row.get(col)
                .map(|name| Located::new(name.to_string(), table.loc(row.number, col)))
        });
        let mut item = ItemDoc {
            name,
            label: self.texts(table, row, "label"),
            hint: self.texts(table, row, "hint"),
            relevant: self
                .expression(table, row, "relevant")
                .map(binding_conversion),
            required: self.expression(table, row, "required").map(condition),
            required_message: self.texts(table, row, "required_message"),
            constraint: self
                .expression(table, row, "constraint")
                .map(binding_conversion),
            constraint_message: self.texts(table, row, "constraint_message"),
            warning: table.value(row, "daftar_warning"),
            warning_message: self.texts(table, row, "daftar_warning_message"),
            calculation: self
                .expression(table, row, "calculation")
                .map(binding_conversion),
            default: table.value(row, "default"),
            choice_filter: self.expression(table, row, "choice_filter"),
            read_only: self.expression(table, row, "read_only").map(condition),
            preload: table.value(row, "daftar_preload"),
            appearance: table.value(row, "appearance").map(appearance),
            currencies: table.value(row, "daftar_currencies"),
            repeat_count: self.expression(table, row, "repeat_count"),
            max_rows: table.value(row, "daftar_max_rows"),
            row_label: self.texts(table, row, "daftar_row_label"),
            trigger: table.value(row, "trigger"),
            loc,
            ..ItemDoc::default()
        };
        if let Some(checks) = table.value(row, "daftar_checks") {
            item.checks = self.parse_checks(&checks);
        }
        if let Some(parameters) = table.value(row, "parameters") {
            item.parameters = self.parse_parameters(&parameters);
        }
        if let Some(appearance) = &item.appearance
            && appearance.value.contains("search(")
        {
            self.diags.error(
                &appearance.loc,
                codes::UNSUPPORTED_TYPE,
                "the `search()` appearance (choices looked up in an attached CSV at run time) is not supported; use `select_one_from_file`",
            );
        }
        if let Some(default) = &item.default
            && default_is_dynamic(&default.value)
        {
            self.diags.error(
                &default.loc,
                codes::DYNAMIC_DEFAULT,
                format!(
                    "`{}` is a dynamic default (an expression); Daftar defaults are literal values; use a `calculation` with a `trigger`, or a literal",
                    default.value
                ),
            );
            item.default = None;
        }
        item
    }

    /// An expression cell. Spreadsheet programs turn typed quotes into typographic ones (`‘other’`), which
    /// no XPath reads as a string; they are put back to straight quotes, with a warning.
    fn expression(&mut self, table: &Table<'_>, row: &Row, key: &str) -> Option<Located<String>> {
        let mut cell = table.value(row, key)?;
        if cell.value.contains(['‘', '’', '“', '”']) {
            cell.value = cell
                .value
                .replace(['‘', '’'], "'")
                .replace(['“', '”'], "\"");
            self.diags.warning(
                &cell.loc,
                codes::SMART_QUOTES,
                format!(
                    "typographic quotes in `{key}` are read as straight quotes: `{}`",
                    cell.value
                ),
            );
        }
        Some(cell)
    }

    /// `daftar_checks`: one check per line, `constraint: EXPR => MESSAGE` or `warning: EXPR => MESSAGE`.
    fn parse_checks(&mut self, cell: &Located<String>) -> Vec<CheckDoc> {
        let mut checks = Vec::new();
        for line in cell
            .value
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
        {
            let (soft, rest) = if let Some(rest) = line.strip_prefix("warning:") {
                (true, rest)
            } else if let Some(rest) = line.strip_prefix("constraint:") {
                (false, rest)
            } else {
                self.diags.error(
                    &cell.loc,
                    codes::BAD_CELL,
                    format!(
                        "`daftar_checks` line `{line}` must start with `constraint:` or `warning:`"
                    ),
                );
                continue;
            };
            let (expr, message) = match rest.split_once("=>") {
                Some((expr, message)) => (expr.trim(), Some(message.trim())),
                None => (rest.trim(), None),
            };
            let message = message.map(|message| Texts {
                entries: parse_language_map(message)
                    .into_iter()
                    .map(|(language, text)| {
                        (
                            Located::new(language, cell.loc.clone()),
                            Located::new(text, cell.loc.clone()),
                        )
                    })
                    .collect(),
                loc: cell.loc.clone(),
            });
            checks.push(CheckDoc {
                expr: Located::new(expr.to_string(), cell.loc.clone()),
                soft,
                message,
            });
        }
        checks
    }

    /// pyxform's `parameters` cell: `start=1 end=10 step=1` (also separated by `;` or `,`).
    /// Checks an `audit` row as pyxform does: it is named `audit` (or not named), and its location and
    /// change-tracking parameters hold values ODK understands. Daftar records its own paradata, so the
    /// parameters have no further effect.
    fn audit(&mut self, table: &Table<'_>, row: &Row) {
        if let Some(name) = table.value(row, "name")
            && name.value != "audit"
        {
            self.diags.error(
                &name.loc,
                codes::BAD_AUDIT,
                format!(
                    "an audit row is named `audit` (or left unnamed), not `{}`",
                    name.value
                ),
            );
        }
        let Some(cell) = table.value(row, "parameters") else {
            return;
        };
        let parameters = self.parse_parameters(&cell);
        let get = |key: &str| {
            parameters
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.value.as_str())
        };
        let mut problems = Vec::new();
        let location = [
            get("location-priority"),
            get("location-min-interval"),
            get("location-max-age"),
        ];
        if location.iter().any(Option::is_some) {
            match location {
                [Some(priority), Some(min), Some(max)] => {
                    if !["no-power", "low-power", "balanced", "high-accuracy"].contains(&priority) {
                        problems.push(format!("location-priority `{priority}` must be no-power, low-power, balanced or high-accuracy"));
                    }
                    match (min.parse::<i64>(), max.parse::<i64>()) {
                        (Ok(min), Ok(max)) if min < 0 || max < 0 => problems.push(
                            "location-min-interval and location-max-age must be positive".into(),
                        ),
                        (Ok(min), Ok(max)) if max < min => problems
                            .push("location-max-age must be at least location-min-interval".into()),
                        (Ok(_), Ok(_)) => {}
                        _ => problems.push(
                            "location-min-interval and location-max-age must be whole numbers"
                                .into(),
                        ),
                    }
                }
                _ => problems.push(
                    "location-priority, location-min-interval and location-max-age go together"
                        .into(),
                ),
            }
        }
        for key in ["track-changes", "identify-user"] {
            if let Some(value) = get(key)
                && !["true", "false"].contains(&value)
            {
                problems.push(format!("{key} must be set to true or false, not `{value}`"));
            }
        }
        if let Some(value) = get("track-changes-reasons")
            && value != "on-form-edit"
        {
            problems.push(format!(
                "track-changes-reasons must be on-form-edit, not `{value}`"
            ));
        }
        for problem in problems {
            self.diags
                .error(&cell.loc, codes::BAD_AUDIT, format!("audit: {problem}"));
        }
    }

    fn parse_parameters(&mut self, cell: &Located<String>) -> Vec<(String, Located<String>)> {
        let mut parameters = Vec::new();
        // pyxform accepts `start=1 end=10`, `start = 1; end = 10` and `start=1,end=10`.
        let normalized = cell.value.replace([';', ','], " ");
        let mut tokens: Vec<String> = Vec::new();
        for token in normalized.split_whitespace() {
            let glue =
                token.starts_with('=') || tokens.last().is_some_and(|last| last.ends_with('='));
            match tokens.last_mut() {
                Some(last) if glue => last.push_str(token),
                _ => tokens.push(token.to_string()),
            }
        }
        for part in tokens {
            match part.split_once('=') {
                Some((key, value)) if !key.trim().is_empty() && !value.trim().is_empty() => {
                    parameters.push((
                        key.trim().to_lowercase(),
                        Located::new(value.trim().to_string(), cell.loc.clone()),
                    ));
                }
                _ => self.diags.error(
                    &cell.loc,
                    codes::BAD_CELL,
                    format!("parameter `{part}` is not of the form `key=value`"),
                ),
            }
        }
        parameters
    }

    /// Fills in the kind of a leaf row.
    fn leaf(
        &mut self,
        row: &Row,
        type_loc: &Loc,
        type_text: &str,
        leaf: LeafKind,
        item: &mut ItemDoc,
    ) {
        let kind = |text: &str| Some(Located::new(text.to_string(), type_loc.clone()));
        match leaf {
            LeafKind::Plain(native) => {
                item.kind = kind(native);
                if native == "note" && item.name.is_none() {
                    // pyxform names unnamed notes itself; so do we, the same way.
                    item.name = Some(Located::new(
                        format!("generated_note_name_{}", row.number),
                        type_loc.clone(),
                    ));
                }
                if native == "geopoint" {
                    // ODK's `capture-accuracy` is the native `accuracy`.
                    for (key, _) in &mut item.parameters {
                        if key == "capture-accuracy" {
                            *key = "accuracy".into();
                        }
                    }
                }
                if native == "calculate" && item.calculation.is_none() {
                    self.diags.error(
                        type_loc,
                        codes::MISSING_CALCULATION,
                        "a `calculate` row needs a `calculation`",
                    );
                }
            }
            LeafKind::Hidden => {
                // `hidden` is a value with no widget: its `default`, or nothing. The native form is a
                // calculate whose calculation is that literal (`'web'`), or `''`.
                item.kind = kind("calculate");
                if item.calculation.is_none() {
                    let (literal, loc) = match item.default.take() {
                        Some(default) => (string_literal(&default.value), default.loc),
                        None => ("''".to_string(), type_loc.clone()),
                    };
                    item.calculation = Some(Located::new(literal, loc));
                }
            }
            LeafKind::Range => {
                let decimal = item.parameters.iter().any(|(key, value)| {
                    matches!(key.as_str(), "start" | "end" | "step") && value.value.contains('.')
                });
                item.kind = kind(if decimal { "decimal" } else { "integer" });
                for (key, value) in &item.parameters {
                    match key.as_str() {
                        "start" | "end" | "step" => {
                            if value.value.parse::<f64>().is_err() {
                                self.diags.error(
                                    &value.loc,
                                    codes::BAD_CELL,
                                    format!(
                                        "range parameter `{key}` must be a number, not `{}`",
                                        value.value
                                    ),
                                );
                            }
                        }
                        "tick_interval" | "placeholder" | "tick_labelset" => self.diags.warning(
                            &value.loc,
                            codes::IGNORED,
                            format!("range parameter `{key}` is ignored"),
                        ),
                        _ => self.diags.error(
                            &value.loc,
                            codes::BAD_CELL,
                            format!("`{key}` is not a parameter of `range` (start, end, step)"),
                        ),
                    }
                }
                item.parameters
                    .retain(|(key, _)| matches!(key.as_str(), "start" | "end" | "step"));
                for (key, default) in [("start", "1"), ("end", "10"), ("step", "1")] {
                    if !item.parameters.iter().any(|(existing, _)| existing == key) {
                        item.parameters.push((
                            key.to_string(),
                            Located::new(default.to_string(), type_loc.clone()),
                        ));
                    }
                }
            }
            LeafKind::Select {
                multiple,
                list,
                from_file,
                ..
            } => {
                item.kind = kind(if multiple { "multiple" } else { "single" });
                if from_file {
                    let lower = list.to_lowercase();
                    if !lower.ends_with(".csv") {
                        self.diags.error(
                            type_loc,
                            codes::UNSUPPORTED_TYPE,
                            format!(
                                "`{type_text}`: only CSV choice files are supported (not `{list}`)"
                            ),
                        );
                    } else if self.files.read(&list).is_err() {
                        self.diags.warning(
                            type_loc,
                            codes::MISSING_ATTACHMENT,
                            format!("the choice file `{list}` is not next to the form"),
                        );
                    }
                    let list_name = match self.file_list_names.get(&list) {
                        Some(name) => name.clone(),
                        None => id_slug(&file_stem(&list)).replace('-', "_"),
                    };
                    item.choices = Some(Located::new(list_name.clone(), type_loc.clone()));
                    self.lists_from_files
                        .push((list_name, Located::new(list, type_loc.clone())));
                } else {
                    if list.starts_with("${") {
                        self.diags.error(
                            type_loc,
                            codes::UNSUPPORTED_TYPE,
                            format!("`{type_text}`: choices taken from a repeat's answers are not supported"),
                        );
                    }
                    let list = self.list_name(&list, type_loc);
                    item.choices = Some(Located::new(list, type_loc.clone()));
                }
            }
        }
        if matches!(
            item.kind.as_ref().map(|kind| kind.value.as_str()),
            Some("single" | "multiple")
        ) {
            self.check_select_parameters(item);
        }
    }

    /// Selects take `randomize=true|false` and `seed=NUMBER|${ref}` (with randomize), as pyxform checks;
    /// Daftar shows choices in their order, so a valid randomization is dropped with a warning.
    fn check_select_parameters(&mut self, item: &mut ItemDoc) {
        let randomize = item
            .parameters
            .iter()
            .find(|(key, _)| key == "randomize")
            .map(|(_, value)| value.clone());
        for (key, value) in &item.parameters {
            match key.as_str() {
                "randomize" if !matches!(value.value.as_str(), "true" | "false") => {
                    self.diags.error(
                        &value.loc,
                        codes::BAD_CELL,
                        format!("randomize must be `true` or `false`, not `{}`", value.value),
                    )
                }
                "seed" if value.value.parse::<f64>().is_err() && !value.value.starts_with("${") => {
                    self.diags.error(
                        &value.loc,
                        codes::BAD_CELL,
                        format!(
                            "seed must be a number or a `${{reference}}`, not `{}`",
                            value.value
                        ),
                    )
                }
                "seed"
                    if randomize
                        .as_ref()
                        .is_none_or(|randomize| randomize.value != "true") =>
                {
                    self.diags
                        .error(&value.loc, codes::BAD_CELL, "a seed needs `randomize=true`")
                }
                "randomize" | "seed" => {}
                _ => self.diags.error(
                    &value.loc,
                    codes::BAD_CELL,
                    format!("`{key}` is not a parameter of a select (randomize, seed)"),
                ),
            }
        }
        if let Some(randomize) = randomize
            && randomize.value == "true"
        {
            self.diags.warning(
                &randomize.loc,
                codes::IGNORED,
                "choice randomization is ignored",
            );
        }
        item.parameters.clear();
    }

    /// `select_one list or_other`: pyxform adds an `other` choice and a text question `NAME_other`, shown
    /// when `other` is selected. The choice is added to the list; the question is returned.
    fn or_other_item(&mut self, item: &ItemDoc, doc: &mut Document) -> Option<ItemDoc> {
        let name = item.name.as_ref()?;
        let list = item.choices.as_ref()?;
        if let Some(ChoiceListDoc {
            source: ChoiceSource::Inline(choices),
            ..
        }) = doc
            .choice_lists
            .iter_mut()
            .find(|existing| existing.name.value == list.value)
            && !choices.iter().any(|choice| choice.code.value == "other")
        {
            let entries = self
                .languages
                .iter()
                .map(|(language, _)| {
                    (
                        Located::new(language.code.clone(), list.loc.clone()),
                        Located::new("Other".to_string(), list.loc.clone()),
                    )
                })
                .collect();
            choices.push(ChoiceDoc {
                code: Located::new("other".into(), list.loc.clone()),
                label: Some(Texts {
                    entries,
                    loc: list.loc.clone(),
                }),
                data: Vec::new(),
                loc: list.loc.clone(),
            });
        }
        let entries = self
            .languages
            .iter()
            .map(|(language, _)| {
                (
                    Located::new(language.code.clone(), name.loc.clone()),
                    Located::new("Specify other.".to_string(), name.loc.clone()),
                )
            })
            .collect();
        Some(ItemDoc {
            name: Some(Located::new(
                format!("{}_other", name.value),
                name.loc.clone(),
            )),
            kind: Some(Located::new("text".into(), item.loc.clone())),
            label: Some(Texts {
                entries,
                loc: name.loc.clone(),
            }),
            relevant: Some(Located::new(
                format!("selected(${{{}}}, 'other')", name.value),
                name.loc.clone(),
            )),
            loc: item.loc.clone(),
            ..ItemDoc::default()
        })
    }

    /// A shown question or section without a label: pyxform lets it through (ODK shows the bare widget),
    /// Daftar needs a label, so it gets its hint or its name, and a warning (one for the whole form).
    fn fill_missing_label(&mut self, item: &mut ItemDoc, has_media: bool) {
        let kind = item.kind.as_ref().map_or("", |kind| kind.value.as_str());
        let shown = !matches!(
            kind,
            "calculate" | "start" | "end" | "today" | "deviceid" | "username" | "group" | "roster"
        );
        if !shown || item.label.is_some() {
            return;
        }
        // The hint if there is one (ODK shows it alone); a section (an XLSForm group) its name. pyxform
        // rejects a question with neither label nor hint, and so do we.
        let label = match &item.hint {
            Some(hint) => hint.clone(),
            // A section (an XLSForm group), a computed question (pyxform's typed calculate) and a question
            // labelled only by an image or sound (media are not shown) are labelled with their name.
            None if kind == "section"
                || item.calculation.is_some()
                || item.trigger.is_some()
                || has_media =>
            {
                let name = item
                    .name
                    .clone()
                    .unwrap_or_else(|| Located::new(String::new(), item.loc.clone()));
                let entries = self
                    .languages
                    .iter()
                    .map(|(language, _)| {
                        (
                            Located::new(language.code.clone(), name.loc.clone()),
                            name.clone(),
                        )
                    })
                    .collect();
                Texts {
                    entries,
                    loc: name.loc.clone(),
                }
            }
            None => {
                let name = item.name.as_ref().map_or("", |name| name.value.as_str());
                self.diags.error(
                    &item.loc,
                    codes::NO_LABEL,
                    format!("`{name}` has no label and no hint"),
                );
                return;
            }
        };
        let first = self
            .unlabelled_questions
            .get_or_insert((0, item.loc.clone()));
        first.0 += 1;
        item.label = Some(label);
    }

    /// `daftar_type` overrides the mapped kind with a native type XLSForm has no word for (`yes_no`,
    /// `money`, `group` at the top level); [`crate::export`] writes it.
    fn apply_daftar_type(&mut self, table: &Table<'_>, row: &Row, item: &mut ItemDoc) {
        if let Some(native) = table.value(row, "daftar_type") {
            if native.value == "yes_no" {
                item.choices = None;
            }
            item.kind = Some(native);
        }
    }

    /// The optional `daftar` sheet: `key | value` rows for what a workbook cannot otherwise hold
    /// (`monitoring`, `quota`, `table`, `metadata`, `paradata`).
    fn read_daftar_sheet(&mut self, sheet: &Sheet, doc: &mut Document) {
        let mut title: Vec<(Located<String>, Located<String>)> = Vec::new();
        for row in sheet.rows.iter().skip(1) {
            let loc = |col: u32| Loc::Cell {
                sheet: sheet.name.clone(),
                row: row.number,
                col,
            };
            let cell = |col: u32| {
                row.get(col)
                    .map(|text| Located::new(text.to_string(), loc(col)))
            };
            let Some(key) = cell(1) else { continue };
            match key.value.as_str() {
                "monitoring" => {
                    if let Some(name) = cell(2) {
                        doc.monitoring.push(name);
                    }
                }
                "title" => {
                    if let (Some(language), Some(text)) = (cell(2), cell(3)) {
                        title.push((language, text));
                    }
                }
                "paradata" => {
                    if let Some(value) = cell(2) {
                        doc.paradata = Some(Located::new(value.value == "true", value.loc));
                    }
                }
                "metadata" => {
                    if let (Some(name), Some(value)) = (cell(2), cell(3)) {
                        doc.metadata.push((name.value, value.value));
                    }
                }
                "table" => {
                    if let (Some(name), Some(file)) = (cell(2), cell(3)) {
                        doc.tables.push(TableDoc { name, file });
                    }
                }
                "quota" => {
                    let Some(name) = cell(2) else { continue };
                    let by = cell(3)
                        .map(|by| {
                            by.value
                                .split_whitespace()
                                .map(|field| Located::new(field.to_string(), by.loc.clone()))
                                .collect()
                        })
                        .unwrap_or_default();
                    let label = cell(5).map(|label| Texts {
                        entries: parse_language_map(&label.value)
                            .into_iter()
                            .map(|(language, text)| {
                                (
                                    Located::new(language, label.loc.clone()),
                                    Located::new(text, label.loc.clone()),
                                )
                            })
                            .collect(),
                        loc: label.loc.clone(),
                    });
                    doc.quotas.push(QuotaDoc {
                        name,
                        label,
                        by,
                        when: cell(4),
                        loc: key.loc.clone(),
                    });
                }
                // Read before the survey sheet, in `run`.
                "file_list" => {}
                _ => self.diags.warning(
                    &key.loc,
                    codes::IGNORED,
                    format!("unknown `daftar` sheet key `{}`", key.value),
                ),
            }
        }
        if let Some((_, first)) = title.first() {
            let loc = first.loc.clone();
            doc.title = Some(Texts {
                entries: title,
                loc,
            });
        }
    }

    /// `pulldata('fruits', …)` reads the form attachment `fruits.csv`: declare it as a table.
    fn declare_pulldata_tables(&mut self, doc: &mut Document) {
        let mut found: Vec<(String, Loc)> = Vec::new();
        fn visit(items: &[ItemDoc], found: &mut Vec<(String, Loc)>) {
            for item in items {
                for expr in [
                    &item.calculation,
                    &item.relevant,
                    &item.constraint,
                    &item.choice_filter,
                ]
                .into_iter()
                .flatten()
                {
                    let mut rest = expr.value.as_str();
                    while let Some(at) = rest.find("pulldata(") {
                        rest = &rest[at + "pulldata(".len()..];
                        let trimmed = rest.trim_start();
                        let quote = trimmed.chars().next();
                        if let Some(quote @ ('\'' | '"')) = quote
                            && let Some(end) = trimmed[1..].find(quote)
                        {
                            found.push((trimmed[1..1 + end].to_string(), expr.loc.clone()));
                        }
                    }
                }
                visit(&item.items, found);
            }
        }
        visit(&doc.items, &mut found);
        for (name, loc) in found {
            let taken = doc.tables.iter().any(|table| table.name.value == name)
                || doc.choice_lists.iter().any(|list| list.name.value == name);
            if !taken {
                doc.tables.push(TableDoc {
                    name: Located::new(name.clone(), loc.clone()),
                    file: Located::new(format!("{name}.csv"), loc),
                });
            }
        }
    }
}

fn settings_alias(key: &str) -> &str {
    match key {
        "set_form_title" | "title" => "form_title",
        "set_form_id" | "id_string" => "form_id",
        other => other,
    }
}

/// `{fr: text; ar: text}` language maps used in `daftar_*` cells: `fr=Texte | ar=نص`.
pub(crate) fn parse_language_map(text: &str) -> Vec<(String, String)> {
    text.split(" | ")
        .filter_map(|part| {
            part.split_once('=')
                .map(|(language, text)| (language.trim().to_string(), text.trim().to_string()))
        })
        .collect()
}

/// An expression string literal for `text`: single-quoted, double-quoted when it holds an apostrophe (an
/// XPath literal cannot escape its quote; a text with both loses its double quotes).
fn string_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else {
        format!("\"{}\"", text.replace('"', ""))
    }
}

/// XLSForm's `autocomplete` appearance (a choice list with a search box) is the native `search`.
fn appearance(cell: Located<String>) -> Located<String> {
    let words: Vec<&str> = cell
        .value
        .split_whitespace()
        .map(|word| {
            if word == "autocomplete" {
                "search"
            } else {
                word
            }
        })
        .collect();
    Located::new(words.join(" "), cell.loc)
}

/// pyxform's `BINDING_CONVERSIONS` on `relevant`, `constraint` and `calculation`: a cell that is exactly
/// `yes`/`TRUE`/`true`… means `true()`, `no`/`FALSE`/`false`… means `false()` (otherwise a bare `FALSE`
/// would read as a reference to a node named `FALSE`). With typographic quotes, the importer's only rewrite.
fn binding_conversion(cell: Located<String>) -> Located<String> {
    let converted = match cell.value.as_str() {
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" => "true()",
        "no" | "No" | "NO" | "false" | "False" | "FALSE" => "false()",
        _ => return cell,
    };
    Located::new(converted.to_string(), cell.loc)
}

/// `required`/`read_only`: `yes`/`true`/`true()` → always, `no`/`false`/`false()` → never, else an expression.
fn condition(cell: Located<String>) -> Located<Condition> {
    let value = match cell.value.as_str() {
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "true()" => Condition::Always(true),
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "false()" => Condition::Always(false),
        expr => Condition::When(expr.to_string()),
    };
    Located::new(value, cell.loc)
}

/// pyxform's `default_is_dynamic`, approximated on the text: a reference, a function call, a predicate, or
/// arithmetic makes a default an expression.
fn default_is_dynamic(default: &str) -> bool {
    default.contains("${")
        || default.contains('(')
        || default.contains('[')
        || default.contains('+')
        || default.contains('*')
        || default.contains(" div ")
        || default.contains(" mod ")
}

/// A questionnaire id from a form_id or file name: lowercase, with anything but letters, digits, `-` and
/// `_` replaced by `_`.
pub(crate) fn id_slug(text: &str) -> String {
    text.trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// What a survey row's `type` means.
#[derive(Debug, Clone, PartialEq)]
enum RowKind {
    Begin(&'static str),
    End(&'static str),
    Leaf(LeafKind),
    Audit,
    Dropped(&'static str),
    Unsupported(&'static str),
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
enum LeafKind {
    /// A type that maps one to one onto a native type.
    Plain(&'static str),
    Hidden,
    Range,
    Select {
        multiple: bool,
        list: String,
        from_file: bool,
        or_other: bool,
    },
}

fn leaf_or_other(leaf: &LeafKind) -> bool {
    matches!(leaf, LeafKind::Select { or_other: true, .. })
}

/// Parses a `type` cell with pyxform's aliases (`question_type_dictionary`, `aliases.select`,
/// `RE_BEGIN_CONTROL`).
fn parse_type(text: &str) -> RowKind {
    let words: Vec<&str> = text.split_whitespace().collect();
    let joined = words.join(" ");
    let lower = joined.to_lowercase();
    // begin/end group|repeat, with a space or an underscore.
    for (prefix, begin) in [("begin", true), ("end", false)] {
        for separator in [" ", "_"] {
            if let Some(rest) = lower.strip_prefix(&format!("{prefix}{separator}")) {
                let container = rest.split_whitespace().next().unwrap_or("");
                let kind = match container {
                    "group" => "group",
                    "repeat" | "lgroup" | "looped" => "repeat",
                    "loop" => {
                        return RowKind::Unsupported(
                            "`begin loop` (a repeat over a choice list) has no native form; write a roster",
                        );
                    }
                    _ => continue,
                };
                return if begin {
                    RowKind::Begin(kind)
                } else {
                    RowKind::End(kind)
                };
            }
        }
    }
    // Selects: `select_one LIST [or_other]`.
    const SELECTS: &[(&str, Option<bool>, bool)] = &[
        ("select_one_from_file", Some(false), true),
        ("select_multiple_from_file", Some(true), true),
        ("select one from file", Some(false), true),
        ("select multiple from file", Some(true), true),
        ("select all that apply from", Some(true), false),
        ("select multiple from", Some(true), false),
        ("select one from", Some(false), false),
        ("select one using", Some(false), false),
        ("select multiple using", Some(true), false),
        ("add select one prompt using", Some(false), false),
        ("add select multiple prompt using", Some(true), false),
        ("select all that apply", Some(true), false),
        ("select_one_external", None, false),
        ("select one external", None, false),
        ("select_multiple", Some(true), false),
        ("select_one", Some(false), false),
        ("select one", Some(false), false),
        ("select1", Some(false), false),
        ("q select1", Some(false), false),
        ("q select", Some(true), false),
        ("rank", None, false),
    ];
    for (command, multiple, from_file) in SELECTS {
        if let Some(rest) = joined
            .strip_prefix(command)
            .filter(|rest| rest.starts_with(' '))
        {
            let Some(multiple) = multiple else {
                return if *command == "rank" {
                    RowKind::Unsupported("ranking has no native type")
                } else {
                    RowKind::Unsupported(
                        "external choices (`select_one_external`) need an external data source",
                    )
                };
            };
            let mut parts = rest.split_whitespace();
            let Some(list) = parts.next() else {
                return RowKind::Unknown;
            };
            let remainder: Vec<&str> = parts.collect();
            let or_other = match remainder.join(" ").as_str() {
                "" => false,
                "or_other" | "or other" | "or specify other" => true,
                _ => return RowKind::Unknown,
            };
            return RowKind::Leaf(LeafKind::Select {
                multiple: *multiple,
                list: list.to_string(),
                from_file: *from_file,
                or_other,
            });
        }
    }
    // Legacy spellings: `add integer prompt`, `q int`.
    let core = lower
        .strip_prefix("add ")
        .and_then(|rest| rest.strip_suffix(" prompt"))
        .or_else(|| lower.strip_prefix("q "))
        .unwrap_or(&lower);
    let plain = |native| RowKind::Leaf(LeafKind::Plain(native));
    match core {
        "integer" | "int" => plain("integer"),
        "decimal" => plain("decimal"),
        "text" | "string" => plain("text"),
        "note" => plain("note"),
        "acknowledge" | "trigger" => plain("acknowledge"),
        "date" => plain("date"),
        "time" => plain("time"),
        "datetime" | "date time" => plain("datetime"),
        "geopoint" | "gps" | "location" => plain("geopoint"),
        "calculate" => plain("calculate"),
        "hidden" => RowKind::Leaf(LeafKind::Hidden),
        "range" => RowKind::Leaf(LeafKind::Range),
        "start" | "start time" | "get start time" => plain("start"),
        "end" | "end time" | "get end time" => plain("end"),
        "today" | "get today" => plain("today"),
        "deviceid" | "device id" | "get device id" | "imei" | "uri:deviceid" => plain("deviceid"),
        "username" | "uri:username" => plain("username"),
        "audit" => RowKind::Audit,
        "phonenumber" | "phone number" | "get phone number" | "uri:phonenumber"
        | "subscriberid" | "subscriber id" | "get subscriber id" | "uri:subscriberid"
        | "simserial" | "sim id" | "get sim id" | "uri:simserial" | "email" | "uri:email" => {
            RowKind::Dropped("device metadata that modern devices no longer give")
        }
        "image" | "photo" | "picture" => RowKind::Unsupported("photos are not collected"),
        "audio" | "background-audio" => RowKind::Unsupported("audio is not recorded"),
        "video" => RowKind::Unsupported("video is not recorded"),
        "file" => RowKind::Unsupported("file uploads are not collected"),
        "barcode" => RowKind::Unsupported("barcodes are not scanned in interviews"),
        "geotrace" | "geoshape" => RowKind::Unsupported("only geopoints are collected"),
        "start-geopoint" | "background-geopoint" => {
            RowKind::Unsupported("background location is recorded as paradata, not as a question")
        }
        "osm" => RowKind::Unsupported("OpenMapKit questions are not supported"),
        "xml-external" | "csv-external" => RowKind::Unsupported(
            "external secondary instances are not supported; use `pulldata` with a CSV table",
        ),
        "entity"
        | "number of days in last month"
        | "number of days in last six months"
        | "number of days in last year"
        | "percentage" => RowKind::Unsupported("this legacy type has no native form"),
        _ => RowKind::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_resolve_aliases_and_languages() {
        let check = |header: &str, key: &str, language: Option<&str>| {
            let (got_key, got_language) = split_header(header, survey_alias);
            assert_eq!(
                (got_key.as_str(), got_language.as_deref()),
                (key, language),
                "{header}"
            );
        };
        check("label::Français (fr)", "label", Some("Français (fr)"));
        check("label:Eng", "label", Some("Eng"));
        check("jr:count", "repeat_count", None);
        check("LABEL::EN", "label", Some("EN"));
        check("bind::relevant", "relevant", None);
        check("bind:relevant", "relevant", None);
        check("relevance", "relevant", None);
        check("jr:constraintMsg", "constraint_message", None);
        check(
            "bind::jr:constraintMsg::English (en)",
            "constraint_message",
            Some("English (en)"),
        );
        check("media::image::English", "image", Some("English"));
        check("control::jr:count", "repeat_count", None);
        check("Choice_Filter", "choice_filter", None);
    }

    #[test]
    fn types_parse_like_pyxform() {
        assert_eq!(parse_type("begin_repeat"), RowKind::Begin("repeat"));
        assert_eq!(parse_type("end  group"), RowKind::End("group"));
        assert_eq!(
            parse_type("add integer prompt"),
            RowKind::Leaf(LeafKind::Plain("integer"))
        );
        assert_eq!(
            parse_type("dateTime"),
            RowKind::Leaf(LeafKind::Plain("datetime"))
        );
        assert_eq!(
            parse_type("select_one yn or_other"),
            RowKind::Leaf(LeafKind::Select {
                multiple: false,
                list: "yn".into(),
                from_file: false,
                or_other: true
            })
        );
        assert_eq!(
            parse_type("select_multiple_from_file cities.csv"),
            RowKind::Leaf(LeafKind::Select {
                multiple: true,
                list: "cities.csv".into(),
                from_file: true,
                or_other: false
            })
        );
        assert_eq!(parse_type("select_one"), RowKind::Unknown);
        assert_eq!(parse_type("integr"), RowKind::Unknown);
        assert!(matches!(parse_type("rank fruits"), RowKind::Unsupported(_)));
    }
}
