//! [`Document`] → XLSForm workbook (rust_xlsxwriter).
//!
//! The workbook is a plain XLSForm that pyxform converts: `survey`, `choices` and `settings` sheets with
//! `label::Français (fr)` style columns. What XLSForm cannot say travels in places pyxform ignores, so that
//! [`crate::import`] reads the same questionnaire back: `daftar_*` columns on the survey sheet (`daftar_type`
//! for `yes_no`, `money` and top-level `group`s, `daftar_warning`, `daftar_checks`, `daftar_preload`,
//! `daftar_max_rows`, `daftar_row_label`, `daftar_currencies`) and a `daftar` sheet (monitoring fields,
//! quotas, tables, metadata, translated titles, `paradata: false`).

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};
use survey_spec::document::{ChoiceSource, Condition, Document, ItemDoc, Located, Texts};

use crate::ExportError;
use crate::languages::header_name;

impl From<XlsxError> for ExportError {
    fn from(error: XlsxError) -> ExportError {
        ExportError::Workbook(error.to_string())
    }
}

/// The choice list written for native `yes_no` items, which XLSForm does not have.
pub(crate) const YES_NO_LIST: &str = "daftar_yes_no";

/// How a survey-sheet column gets a row's cell from an item.
type CellOf = Box<dyn Fn(&ItemDoc) -> Option<String>>;
/// Reads a translatable field of an item.
type TextsOf = fn(&ItemDoc) -> &Option<Texts>;
/// Reads a plain field of an item as cell text.
type TextOf = fn(&ItemDoc) -> Option<String>;

/// A survey-sheet column: its header and how to get a row's cell from an item.
struct SurveyColumn {
    header: String,
    cell: CellOf,
}

/// See [`crate::export`].
pub(crate) fn export(doc: &Document) -> Result<Vec<u8>, ExportError> {
    let languages: Vec<String> = doc
        .languages
        .iter()
        .map(|language| language.value.clone())
        .collect();
    // A questionnaire without declared languages (plain strings) is written with plain `label` columns.
    let plain = languages.is_empty();
    let default_language = doc
        .default_language
        .as_ref()
        .map(|language| language.value.clone())
        .or_else(|| languages.first().cloned());

    let mut workbook = Workbook::new();
    let rows = survey_rows(doc);
    let columns = survey_columns(&rows, &languages, plain);
    {
        let sheet = workbook.add_worksheet();
        sheet.set_name("survey")?;
        for (index, column) in columns.iter().enumerate() {
            sheet.write_string(0, col(index)?, &column.header)?;
        }
        let needs_daftar_type =
            rows.iter().any(|row| matches!(row, SurveyRow::Item(item, top_level) if daftar_type(item, *top_level).is_some()));
        if needs_daftar_type {
            sheet.write_string(0, col(columns.len())?, "daftar_type")?;
        }
        for (row_index, row) in rows.iter().enumerate() {
            let row_number = u32::try_from(row_index + 1).map_err(|_| ExportError::TooLarge)?;
            match row {
                SurveyRow::Item(item, top_level) => {
                    sheet.write_string(row_number, 0, xlsform_type(item, doc))?;
                    for (index, column) in columns.iter().enumerate().skip(1) {
                        if let Some(text) = (column.cell)(item) {
                            sheet.write_string(row_number, col(index)?, &text)?;
                        }
                    }
                    if let Some(native) = daftar_type(item, *top_level) {
                        sheet.write_string(row_number, col(columns.len())?, &native)?;
                    }
                }
                SurveyRow::Audit => {
                    sheet.write_string(row_number, 0, "audit")?;
                }
                SurveyRow::End(kind) => {
                    sheet.write_string(row_number, 0, *kind)?;
                }
            }
        }
    }
    write_choices(workbook.add_worksheet(), doc, &languages, plain)?;
    {
        let sheet = workbook.add_worksheet();
        sheet.set_name("settings")?;
        let mut settings: Vec<(&str, String)> = Vec::new();
        if let Some(id) = &doc.id {
            settings.push(("form_id", id.value.clone()));
        }
        if let Some(title) = &doc.title {
            let text = default_language
                .as_deref()
                .and_then(|language| title.get(language));
            if let Some(text) =
                text.or_else(|| title.entries.first().map(|(_, text)| text.value.as_str()))
            {
                settings.push(("form_title", text.to_string()));
            }
        }
        if let Some(version) = &doc.version {
            settings.push(("version", version.value.clone()));
        }
        if let Some(language) = &default_language
            && !plain
        {
            settings.push(("default_language", header_name(language)));
        }
        if let Some(name) = &doc.instance_name {
            settings.push(("instance_name", name.value.clone()));
        }
        for (index, (key, value)) in settings.iter().enumerate() {
            sheet.write_string(0, col(index)?, *key)?;
            sheet.write_string(1, col(index)?, value)?;
        }
    }
    write_daftar_sheet(&mut workbook, doc)?;
    Ok(workbook.save_to_buffer()?)
}

fn col(index: usize) -> Result<u16, ExportError> {
    u16::try_from(index).map_err(|_| ExportError::TooLarge)
}

enum SurveyRow<'a> {
    /// An item, and whether it is at the top level.
    Item(&'a ItemDoc, bool),
    End(&'static str),
    Audit,
}

fn survey_rows(doc: &Document) -> Vec<SurveyRow<'_>> {
    fn walk<'a>(items: &'a [ItemDoc], top_level: bool, rows: &mut Vec<SurveyRow<'a>>) {
        for item in items {
            rows.push(SurveyRow::Item(item, top_level));
            match kind(item) {
                "section" | "group" => {
                    walk(&item.items, false, rows);
                    rows.push(SurveyRow::End("end group"));
                }
                "roster" => {
                    walk(&item.items, false, rows);
                    rows.push(SurveyRow::End("end repeat"));
                }
                _ => {}
            }
        }
    }
    let mut rows = Vec::new();
    if doc.paradata.as_ref().is_none_or(|paradata| paradata.value) {
        rows.push(SurveyRow::Audit);
    }
    walk(&doc.items, true, &mut rows);
    rows
}

fn kind(item: &ItemDoc) -> &str {
    item.kind.as_ref().map_or("", |kind| kind.value.as_str())
}

/// The XLSForm `type` cell of an item.
fn xlsform_type(item: &ItemDoc, doc: &Document) -> String {
    let list = item
        .choices
        .as_ref()
        .map_or("", |choices| choices.value.as_str());
    let from_file = doc
        .choice_lists
        .iter()
        .find_map(|choice_list| match &choice_list.source {
            ChoiceSource::File(file) if choice_list.name.value == list => Some(file.value.clone()),
            _ => None,
        });
    match kind(item) {
        "section" | "group" => "begin group".into(),
        "roster" => "begin repeat".into(),
        "datetime" => "dateTime".into(),
        "yes_no" => format!("select_one {YES_NO_LIST}"),
        "money" => "decimal".into(),
        "integer" | "decimal" if is_range(item) => "range".into(),
        "single" => match from_file {
            Some(file) => format!("select_one_from_file {file}"),
            None => format!("select_one {list}"),
        },
        "multiple" => match from_file {
            Some(file) => format!("select_multiple_from_file {file}"),
            None => format!("select_multiple {list}"),
        },
        other => other.to_string(),
    }
}

/// An integer or decimal with `start`, `end` and `step` is an XLSForm `range`.
fn is_range(item: &ItemDoc) -> bool {
    ["start", "end", "step"]
        .iter()
        .all(|key| item.parameters.iter().any(|(existing, _)| existing == key))
}

/// The native type when XLSForm's word for it reads back as something else.
fn daftar_type(item: &ItemDoc, top_level: bool) -> Option<String> {
    match kind(item) {
        "yes_no" | "money" => Some(kind(item).to_string()),
        "group" if top_level => Some("group".into()),
        "section" if !top_level => Some("section".into()),
        _ => None,
    }
}

fn texts_cell(texts: &Option<Texts>, language: &str, plain: bool) -> Option<String> {
    let texts = texts.as_ref()?;
    let text = texts.get(language).or_else(|| {
        if plain {
            texts.entries.first().map(|(_, text)| text.value.as_str())
        } else {
            None
        }
    });
    text.map(str::to_string)
}

fn condition_cell(condition: &Option<Located<Condition>>) -> Option<String> {
    condition.as_ref().map(|condition| match &condition.value {
        Condition::Always(true) => "yes".to_string(),
        Condition::Always(false) => "no".to_string(),
        Condition::When(expr) => expr.clone(),
    })
}

fn language_map(texts: &Texts) -> String {
    texts
        .entries
        .iter()
        .map(|(language, text)| format!("{}={}", language.value, text.value))
        .collect::<Vec<_>>()
        .join(" | ")
}

fn survey_columns(rows: &[SurveyRow<'_>], languages: &[String], plain: bool) -> Vec<SurveyColumn> {
    let items: Vec<&ItemDoc> = rows
        .iter()
        .filter_map(|row| match row {
            SurveyRow::Item(item, _) => Some(*item),
            _ => None,
        })
        .collect();
    let mut columns: Vec<SurveyColumn> = Vec::new();
    // The type cell needs the document (for file-backed lists) and is written by `export` itself.
    columns.push(SurveyColumn {
        header: "type".into(),
        cell: Box::new(|_| None),
    });
    columns.push(SurveyColumn {
        header: "name".into(),
        cell: Box::new(|item: &ItemDoc| item.name.as_ref().map(|name| name.value.clone())),
    });
    let translated: [(&str, TextsOf); 6] = [
        ("label", |item| &item.label),
        ("hint", |item| &item.hint),
        ("required_message", |item| &item.required_message),
        ("constraint_message", |item| &item.constraint_message),
        ("daftar_warning_message", |item| &item.warning_message),
        ("daftar_row_label", |item| &item.row_label),
    ];
    let plain_columns: [(&str, TextOf); 14] = [
        ("relevant", |item| {
            item.relevant.as_ref().map(|v| v.value.clone())
        }),
        ("required", |item| condition_cell(&item.required)),
        ("constraint", |item| {
            item.constraint.as_ref().map(|v| v.value.clone())
        }),
        ("calculation", |item| {
            item.calculation.as_ref().map(|v| v.value.clone())
        }),
        ("trigger", |item| {
            item.trigger.as_ref().map(|v| v.value.clone())
        }),
        ("default", |item| {
            item.default.as_ref().map(|v| v.value.clone())
        }),
        ("choice_filter", |item| {
            item.choice_filter.as_ref().map(|v| v.value.clone())
        }),
        ("repeat_count", |item| {
            item.repeat_count.as_ref().map(|v| v.value.clone())
        }),
        ("appearance", |item| {
            // The native `search` (a searchable choice list) is XLSForm's `autocomplete`.
            item.appearance.as_ref().map(|v| {
                v.value
                    .split_whitespace()
                    .map(|word| {
                        if word == "search" {
                            "autocomplete"
                        } else {
                            word
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
        }),
        ("read_only", |item| condition_cell(&item.read_only)),
        ("parameters", |item| {
            (!item.parameters.is_empty()).then(|| {
                item.parameters
                    .iter()
                    .map(|(key, value)| {
                        // The native geopoint `accuracy` is ODK's `capture-accuracy`.
                        let key = if key == "accuracy" && kind(item) == "geopoint" {
                            "capture-accuracy"
                        } else {
                            key
                        };
                        format!("{key}={}", value.value)
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
        }),
        ("daftar_warning", |item| {
            item.warning.as_ref().map(|v| v.value.clone())
        }),
        ("daftar_preload", |item| {
            item.preload.as_ref().map(|v| v.value.clone())
        }),
        ("daftar_currencies", |item| {
            item.currencies.as_ref().map(|v| v.value.clone())
        }),
    ];
    for (index, (key, get)) in translated.into_iter().enumerate() {
        if key == "label" || items.iter().any(|item| get(item).is_some()) {
            if plain {
                columns.push(SurveyColumn {
                    header: key.to_string(),
                    cell: Box::new(move |item: &ItemDoc| texts_cell(get(item), "", true)),
                });
            } else {
                for language in languages {
                    let language = language.clone();
                    columns.push(SurveyColumn {
                        header: format!("{key}::{}", header_name(&language)),
                        cell: Box::new(move |item: &ItemDoc| {
                            texts_cell(get(item), &language, false)
                        }),
                    });
                }
            }
        }
        // Plain columns go after hint (the usual XLSForm layout: type, name, label, hint, logic…).
        if index == 1 {
            for (key, get) in plain_columns {
                if items.iter().any(|item| get(item).is_some()) {
                    columns.push(SurveyColumn {
                        header: key.to_string(),
                        cell: Box::new(get),
                    });
                }
            }
        }
    }
    if items.iter().any(|item| !item.checks.is_empty()) {
        columns.push(SurveyColumn {
            header: "daftar_checks".into(),
            cell: Box::new(|item: &ItemDoc| {
                (!item.checks.is_empty()).then(|| {
                    item.checks
                        .iter()
                        .map(|check| {
                            let key = if check.soft { "warning" } else { "constraint" };
                            match &check.message {
                                Some(message) => format!(
                                    "{key}: {} => {}",
                                    check.expr.value,
                                    language_map(message)
                                ),
                                None => format!("{key}: {}", check.expr.value),
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                })
            }),
        });
    }
    if items.iter().any(|item| item.max_rows.is_some()) {
        columns.push(SurveyColumn {
            header: "daftar_max_rows".into(),
            cell: Box::new(|item: &ItemDoc| item.max_rows.as_ref().map(|v| v.value.clone())),
        });
    }
    columns
}

fn write_choices(
    sheet: &mut Worksheet,
    doc: &Document,
    languages: &[String],
    plain: bool,
) -> Result<(), ExportError> {
    sheet.set_name("choices")?;
    let mut headers: Vec<String> = vec!["list_name".into(), "name".into()];
    if plain {
        headers.push("label".into());
    } else {
        headers.extend(
            languages
                .iter()
                .map(|language| format!("label::{}", header_name(language))),
        );
    }
    let label_columns = headers.len();
    let mut data_keys: Vec<String> = Vec::new();
    for list in &doc.choice_lists {
        if let ChoiceSource::Inline(choices) = &list.source {
            for choice in choices {
                for (key, _) in &choice.data {
                    if !data_keys.contains(key) {
                        data_keys.push(key.clone());
                    }
                }
            }
        }
    }
    headers.extend(data_keys.iter().cloned());
    for (index, header) in headers.iter().enumerate() {
        sheet.write_string(0, col(index)?, header)?;
    }
    let mut row: u32 = 1;
    let yes_no_used = any_item(&doc.items, &|item| kind(item) == "yes_no");
    if yes_no_used {
        for (code, labels) in [
            ("yes", [("fr", "Oui"), ("ar", "نعم"), ("en", "Yes")]),
            ("no", [("fr", "Non"), ("ar", "لا"), ("en", "No")]),
        ] {
            sheet.write_string(row, 0, YES_NO_LIST)?;
            sheet.write_string(row, 1, code)?;
            for (index, language) in languages.iter().enumerate() {
                let label = labels
                    .iter()
                    .find(|(code, _)| code == language)
                    .map_or(labels[2].1, |(_, label)| *label);
                sheet.write_string(row, col(2 + index)?, label)?;
            }
            if languages.is_empty() {
                sheet.write_string(row, 2, labels[2].1)?;
            }
            row += 1;
        }
    }
    for list in &doc.choice_lists {
        let ChoiceSource::Inline(choices) = &list.source else {
            continue;
        };
        for choice in choices {
            sheet.write_string(row, 0, &list.name.value)?;
            sheet.write_string(row, 1, &choice.code.value)?;
            if plain {
                if let Some(text) = texts_cell(&choice.label, "", true) {
                    sheet.write_string(row, 2, &text)?;
                }
            } else {
                for (index, language) in languages.iter().enumerate() {
                    if let Some(text) = texts_cell(&choice.label, language, false) {
                        sheet.write_string(row, col(2 + index)?, &text)?;
                    }
                }
            }
            for (key, value) in &choice.data {
                if let Some(index) = data_keys.iter().position(|existing| existing == key) {
                    sheet.write_string(row, col(label_columns + index)?, &value.value)?;
                }
            }
            row = row.checked_add(1).ok_or(ExportError::TooLarge)?;
        }
    }
    Ok(())
}

fn any_item(items: &[ItemDoc], predicate: &dyn Fn(&ItemDoc) -> bool) -> bool {
    items
        .iter()
        .any(|item| predicate(item) || any_item(&item.items, predicate))
}

/// The `daftar` sheet, written only when the document has something XLSForm cannot hold.
fn write_daftar_sheet(workbook: &mut Workbook, doc: &Document) -> Result<(), ExportError> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for name in &doc.monitoring {
        rows.push(vec!["monitoring".into(), name.value.clone()]);
    }
    for quota in &doc.quotas {
        let by = quota
            .by
            .iter()
            .map(|field| field.value.clone())
            .collect::<Vec<_>>()
            .join(" ");
        rows.push(vec![
            "quota".into(),
            quota.name.value.clone(),
            by,
            quota
                .when
                .as_ref()
                .map(|when| when.value.clone())
                .unwrap_or_default(),
            quota.label.as_ref().map(language_map).unwrap_or_default(),
        ]);
    }
    for list in &doc.choice_lists {
        if let ChoiceSource::File(file) = &list.source {
            rows.push(vec![
                "file_list".into(),
                list.name.value.clone(),
                file.value.clone(),
            ]);
        }
    }
    for table in &doc.tables {
        rows.push(vec![
            "table".into(),
            table.name.value.clone(),
            table.file.value.clone(),
        ]);
    }
    for (key, value) in &doc.metadata {
        rows.push(vec!["metadata".into(), key.clone(), value.clone()]);
    }
    if let Some(title) = &doc.title
        && title.entries.len() > 1
    {
        for (language, text) in &title.entries {
            rows.push(vec![
                "title".into(),
                language.value.clone(),
                text.value.clone(),
            ]);
        }
    }
    if doc
        .paradata
        .as_ref()
        .is_some_and(|paradata| !paradata.value)
    {
        rows.push(vec!["paradata".into(), "false".into()]);
    }
    if rows.is_empty() {
        return Ok(());
    }
    let sheet = workbook.add_worksheet();
    sheet.set_name("daftar")?;
    for (index, header) in ["key", "a", "b", "c", "d"].iter().enumerate() {
        sheet.write_string(0, col(index)?, *header)?;
    }
    for (row_index, row) in rows.iter().enumerate() {
        let row_number = u32::try_from(row_index + 1).map_err(|_| ExportError::TooLarge)?;
        for (index, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(row_number, col(index)?, cell)?;
            }
        }
    }
    Ok(())
}
