//! Data-driven corpora: `tests/data/ok/*.txt` hold expressions that must check cleanly and print back
//! to themselves up to spacing; `tests/data/err/CODE.txt` hold expressions that must report `CODE`.
//! Every diagnostic code documented in the crate has an `err` file, and every `err` file is documented.

use std::path::PathBuf;

use survey_expr::{CheckOptions, Severity, parse, parse_and_check};

use crate::TestScope;

fn data_dir(kind: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(kind)
}

/// The non-empty, non-comment lines of every `.txt` file in a directory, with the file stem.
fn corpus(kind: &str) -> Vec<(String, Vec<String>)> {
    let mut files: Vec<_> = std::fs::read_dir(data_dir(kind))
        .expect("corpus directory")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).expect("readable corpus file");
            let lines = text
                .lines()
                .filter(|line| !line.is_empty() && !line.starts_with('#'))
                .map(str::to_string)
                .collect();
            (stem, lines)
        })
        .collect()
}

/// Options by file name: `choice_filter*` allows bare names, `constraint*` allows `.`.
fn options_for(stem: &str) -> CheckOptions {
    CheckOptions {
        allow_fields: stem.starts_with("choice_filter"),
        allow_current: stem.starts_with("constraint"),
    }
}

fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn ok_corpus_checks_cleanly() {
    let scope = TestScope::new();
    let mut count = 0;
    for (stem, lines) in corpus("ok") {
        for line in lines {
            let (expr, _, diagnostics) = parse_and_check(&line, &scope, &options_for(&stem));
            assert!(diagnostics.is_empty(), "{stem}: {line}\n{diagnostics:#?}");
            let printed = expr.unwrap().to_string();
            // Canonical printing only changes spacing, redundant parentheses and quotes.
            let normalise = |s: &str| squash(s).replace('"', "'").replace(['(', ')'], "");
            assert_eq!(
                normalise(&printed),
                normalise(&line),
                "{stem}: printed as {printed}"
            );
            count += 1;
        }
    }
    assert!(count >= 40, "the ok corpus has {count} expressions");
}

#[test]
fn err_corpus_reports_its_code() {
    let scope = TestScope::new();
    for (code, lines) in corpus("err") {
        assert!(!lines.is_empty(), "{code}.txt is empty");
        for line in lines {
            let (_, _, diagnostics) = parse_and_check(&line, &scope, &CheckOptions::default());
            assert!(
                diagnostics.iter().any(|d| d.code == code),
                "{code}.txt: `{line}` does not report {code}: {diagnostics:#?}"
            );
            // A warning file holds expressions that are otherwise fine.
            if diagnostics
                .iter()
                .any(|d| d.code == code && d.severity == Severity::Warning)
            {
                assert!(parse(&line).0.is_some());
            }
        }
    }
}

#[test]
fn every_documented_code_has_a_corpus_and_back() {
    let lib = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .unwrap();
    let mut documented: Vec<String> = lib
        .lines()
        .filter_map(|line| line.strip_prefix("//! | `expr-"))
        .map(|rest| format!("expr-{}", rest.split('`').next().unwrap()))
        .collect();
    documented.sort();
    let mut with_corpus: Vec<String> = corpus("err").into_iter().map(|(code, _)| code).collect();
    with_corpus.sort();
    assert_eq!(documented, with_corpus);
    assert!(documented.len() >= 20);
}
