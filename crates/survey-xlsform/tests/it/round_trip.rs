//! Document → XLSForm → Document gives the same questionnaire (compared as native YAML, which leaves out
//! locations), including what XLSForm has no word for (`yes_no`, `money`, soft checks, quotas…).

use survey_spec::Loc;
use survey_spec::document::{
    CheckDoc, ChoiceDoc, ChoiceListDoc, ChoiceSource, Condition, Document, ItemDoc, Located,
    QuotaDoc, TableDoc, Texts,
};

use crate::Files;

fn l(text: &str) -> Located<String> {
    Located::new(text.to_string(), Loc::Unknown)
}

fn t(entries: &[(&str, &str)]) -> Option<Texts> {
    Some(Texts {
        entries: entries
            .iter()
            .map(|(language, text)| (l(language), l(text)))
            .collect(),
        loc: Loc::Unknown,
    })
}

fn item(name: &str, kind: &str, label: &[(&str, &str)]) -> ItemDoc {
    ItemDoc {
        name: Some(l(name)),
        kind: Some(l(kind)),
        label: if label.is_empty() { None } else { t(label) },
        ..ItemDoc::default()
    }
}

fn choice(code: &str, fr: &str, ar: &str, data: &[(&str, &str)]) -> ChoiceDoc {
    ChoiceDoc {
        code: l(code),
        label: t(&[("fr", fr), ("ar", ar)]),
        data: data
            .iter()
            .map(|(key, value)| (key.to_string(), l(value)))
            .collect(),
        loc: Loc::Unknown,
    }
}

fn rich_document() -> Document {
    let mut consent = item(
        "consent",
        "yes_no",
        &[("fr", "Accord ?"), ("ar", "موافقة؟")],
    );
    consent.required = Some(Located::new(Condition::Always(true), Loc::Unknown));
    let mut size = item("hh_size", "integer", &[("fr", "Taille"), ("ar", "الحجم")]);
    size.relevant = Some(l("${consent} = 'yes'"));
    size.constraint = Some(l(". >= 1"));
    size.constraint_message = t(&[("fr", "Au moins 1"), ("ar", "واحد على الأقل")]);
    size.warning = Some(l(". <= 20"));
    size.warning_message = t(&[("fr", "Grand ménage ?"), ("ar", "أسرة كبيرة؟")]);
    size.checks = vec![CheckDoc {
        expr: l(". != 13"),
        soft: true,
        message: t(&[("fr", "Vérifier"), ("ar", "تحقق")]),
    }];
    size.preload = Some(l("expected_size"));
    let mut cost = item("cost", "money", &[("fr", "Coût"), ("ar", "التكلفة")]);
    cost.currencies = Some(l("currencies"));
    let mut region = item("region", "single", &[("fr", "Région"), ("ar", "الجهة")]);
    region.appearance = Some(l("minimal"));
    let mut province = item(
        "province",
        "single",
        &[("fr", "Province"), ("ar", "الإقليم")],
    );
    province.choice_filter = Some(l("region = ${region}"));
    let mut country = item("country", "single", &[("fr", "Pays"), ("ar", "البلد")]);
    country.appearance = Some(l("search"));
    let mut score = item("score", "integer", &[("fr", "Note"), ("ar", "النقطة")]);
    score.parameters = vec![
        ("start".into(), l("0")),
        ("end".into(), l("10")),
        ("step".into(), l("1")),
    ];
    let mut age = item("age", "integer", &[("fr", "Âge"), ("ar", "العمر")]);
    age.read_only = Some(Located::new(
        Condition::When("${consent} = 'no'".into()),
        Loc::Unknown,
    ));
    let mut members = item("members", "roster", &[("fr", "Membres"), ("ar", "الأفراد")]);
    members.max_rows = Some(l("30"));
    members.row_label = t(&[("fr", "Membre ${age}"), ("ar", "فرد ${age}")]);
    members.items = vec![
        age,
        item("works", "yes_no", &[("fr", "Travaille ?"), ("ar", "يعمل؟")]),
    ];
    let mut when = item("when", "datetime", &[("fr", "Quand"), ("ar", "متى")]);
    when.default = Some(l("2026-01-01T10:00:00Z"));
    let mut total = item("total", "calculate", &[]);
    total.calculation = Some(l("sum(${age})"));
    total.trigger = Some(l("${hh_size}"));
    let mut household = item("household", "section", &[("fr", "Ménage"), ("ar", "الأسرة")]);
    household.appearance = Some(l("field-list"));
    household.items = vec![
        consent, size, cost, region, province, country, score, members,
    ];
    let mut inner_group = item("inner", "group", &[("fr", "Groupe"), ("ar", "مجموعة")]);
    inner_group.items = vec![item("note1", "note", &[("fr", "Merci"), ("ar", "شكرا")])];
    let mut top_group = item("top_group", "group", &[("fr", "Fin"), ("ar", "النهاية")]);
    top_group.items = vec![
        inner_group,
        item("ok", "acknowledge", &[("fr", "OK"), ("ar", "حسنا")]),
    ];

    Document {
        format: Some(l("1")),
        id: Some(l("rich-form")),
        version: Some(l("2026.11.1")),
        title: t(&[("fr", "Enquête"), ("ar", "مسح")]),
        languages: vec![l("fr"), l("ar")],
        default_language: Some(l("fr")),
        metadata: vec![("translation_ar".into(), "awaits review".into())],
        paradata: Some(Located::new(false, Loc::Unknown)),
        instance_name: Some(l("concat('hh-', ${hh_size})")),
        choice_lists: vec![
            ChoiceListDoc {
                name: l("region"),
                source: ChoiceSource::Inline(vec![
                    choice("1", "Nord", "الشمال", &[]),
                    choice("2", "Sud", "الجنوب", &[]),
                ]),
            },
            ChoiceListDoc {
                name: l("province"),
                source: ChoiceSource::Inline(vec![
                    choice("11", "Tanger", "طنجة", &[("region", "1")]),
                    choice("21", "Agadir", "أكادير", &[("region", "2")]),
                ]),
            },
            ChoiceListDoc {
                name: l("currencies"),
                source: ChoiceSource::Inline(vec![
                    choice("MAD", "Dirham", "درهم", &[]),
                    choice("EUR", "Euro", "يورو", &[]),
                ]),
            },
            ChoiceListDoc {
                name: l("countries"),
                source: ChoiceSource::File(l("countries.csv")),
            },
        ],
        tables: vec![TableDoc {
            name: l("fx_rates"),
            file: l("lists/fx_rates.csv"),
        }],
        monitoring: vec![l("region")],
        quotas: vec![QuotaDoc {
            name: l("by_region"),
            label: t(&[("fr", "Par région"), ("ar", "حسب الجهة")]),
            by: vec![l("region")],
            when: Some(l("${consent} = 'yes'")),
            loc: Loc::Unknown,
        }],
        items: vec![
            item("started", "start", &[]),
            household,
            when,
            total,
            {
                let mut country_item = item(
                    "home",
                    "single",
                    &[("fr", "Pays d'origine"), ("ar", "بلد الأصل")],
                );
                country_item.choices = Some(l("countries"));
                country_item
            },
            top_group,
        ],
    }
    .with_choices()
}

trait WithChoices {
    fn with_choices(self) -> Self;
}

impl WithChoices for Document {
    /// Points the select items at their lists (kept apart above to keep the tree readable).
    fn with_choices(mut self) -> Document {
        fn visit(items: &mut [ItemDoc]) {
            for item in items {
                if let Some(name) = &item.name {
                    let list = match name.value.as_str() {
                        "region" => Some("region"),
                        "province" => Some("province"),
                        "country" => Some("countries"),
                        _ => None,
                    };
                    if let Some(list) = list {
                        item.choices = Some(l(list));
                    }
                }
                visit(&mut item.items);
            }
        }
        visit(&mut self.items);
        self
    }
}

#[test]
fn a_rich_document_survives_export_and_import() {
    let doc = rich_document();
    let bytes = survey_xlsform::export(&doc).expect("export");
    crate::compiled::assert_pyxform_converts(&bytes, "rich-form");
    let mut files = Files::default();
    files.0.insert(
        "countries.csv".into(),
        "name,label::fr,label::ar\nma,Maroc,المغرب\n"
            .as_bytes()
            .to_vec(),
    );
    let (back, diagnostics) = survey_xlsform::import(&bytes, "rich.xlsx", &files);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let back = back.expect("a document");
    pretty_assert_eq(
        &survey_xlsform::to_native_yaml(&doc),
        &survey_xlsform::to_native_yaml(&back),
    );
}

#[test]
fn the_exported_workbook_reads_back_with_cell_locations() {
    let bytes = survey_xlsform::export(&rich_document()).expect("export");
    let (back, _) = survey_xlsform::import(&bytes, "rich.xlsx", &Files::default());
    let back = back.expect("a document");
    let household = &back.items[1];
    assert_eq!(
        household.name.as_ref().map(|name| name.loc.to_string()),
        Some("survey!B3".to_string())
    );
    let size = &household.items[1];
    assert_eq!(
        size.constraint
            .as_ref()
            .map(|c| c.loc.to_string())
            .as_deref(),
        Some("survey!G5")
    );
}

#[track_caller]
fn pretty_assert_eq(left: &str, right: &str) {
    if left != right {
        let first = left
            .lines()
            .zip(right.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "documents differ from line {}:\n--- original\n{}\n--- round trip\n{}",
            first + 1,
            left.lines()
                .skip(first)
                .take(8)
                .collect::<Vec<_>>()
                .join("\n"),
            right
                .lines()
                .skip(first)
                .take(8)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
