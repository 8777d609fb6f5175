//! The native YAML writer quotes safely: documents full of awkward text (quotes, `#`, `: `, newlines,
//! tabs, YAML keywords, numbers, leading and trailing spaces, Arabic, control characters) are written, read
//! back by the native reader, and written again to the same text.

use survey_spec::Loc;
use survey_spec::document::{
    ChoiceDoc, ChoiceListDoc, ChoiceSource, Condition, Document, ItemDoc, Located, Texts,
};

/// xorshift64*, seeded, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const PIECES: &[&str] = &[
    "yes", "No", "true", "null", "~", "1", "0.5", "1e3", "0x1F", "-", "- x", "? y", ": ", "#",
    " # c", "'", "''", "\"", "\\", "\\n", "\n", "\t", "\r\n", " ", "  ", "{", "}", "[", "]", ",",
    "&a", "*a", "!tag", "%", "@", "`", "|", ">", "${x}", "é", "نعم", "\u{200f}", "\u{1}", "\u{7f}",
    "\u{2028}", "\u{feff}", "Ménage", "a: b",
];

fn nasty(rng: &mut Rng) -> String {
    let parts = 1 + rng.next() % 4;
    (0..parts).map(|_| rng.pick(PIECES)).collect()
}

fn l(text: String) -> Located<String> {
    Located::new(text, Loc::Unknown)
}

fn texts(rng: &mut Rng) -> Option<Texts> {
    Some(Texts {
        entries: vec![
            (l("fr".into()), l(nasty(rng))),
            (l("ar".into()), l(nasty(rng))),
        ],
        loc: Loc::Unknown,
    })
}

fn document(rng: &mut Rng) -> Document {
    let mut items = Vec::new();
    for index in 0..6 {
        items.push(ItemDoc {
            name: Some(l(format!("q{index}"))),
            kind: Some(l(if index % 2 == 0 {
                "text".into()
            } else {
                "single".into()
            })),
            label: texts(rng),
            hint: texts(rng),
            relevant: Some(l(nasty(rng))),
            required: Some(Located::new(Condition::When(nasty(rng)), Loc::Unknown)),
            constraint_message: texts(rng),
            default: Some(l(nasty(rng))),
            choices: (index % 2 == 1).then(|| l("list".into())),
            appearance: Some(l(nasty(rng))),
            parameters: vec![("start".into(), l(nasty(rng)))],
            ..ItemDoc::default()
        });
    }
    let choices = (0..4)
        .map(|_| ChoiceDoc {
            code: l(nasty(rng)),
            label: texts(rng),
            data: vec![("region".into(), l(nasty(rng)))],
            loc: Loc::Unknown,
        })
        .collect();
    Document {
        format: Some(l("1".into())),
        id: Some(l("awkward".into())),
        version: Some(l(nasty(rng))),
        title: texts(rng),
        languages: vec![l("fr".into()), l("ar".into())],
        default_language: Some(l("fr".into())),
        metadata: vec![("note".into(), nasty(rng)), ("sources".into(), nasty(rng))],
        instance_name: Some(l(nasty(rng))),
        choice_lists: vec![ChoiceListDoc {
            name: l("list".into()),
            source: ChoiceSource::Inline(choices),
        }],
        items,
        ..Document::default()
    }
}

#[test]
fn awkward_text_survives_the_native_writer_and_reader() {
    let mut rng = Rng(0xda47_a71a_u64);
    for case in 0..200 {
        let doc = document(&mut rng);
        let yaml = survey_xlsform::to_native_yaml(&doc);
        let (read, diagnostics) = survey_spec::native::read(&yaml, "awkward.yaml");
        let read = read.unwrap_or_else(|| panic!("case {case}: {diagnostics:#?}\n{yaml}"));
        let again = survey_xlsform::to_native_yaml(&read);
        if again != yaml {
            let line = yaml
                .lines()
                .zip(again.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "case {case}: the text changed at line {}:\nwritten: {:?}\nread back and written: {:?}",
                line + 1,
                yaml.lines().nth(line),
                again.lines().nth(line)
            );
        }
    }
}
