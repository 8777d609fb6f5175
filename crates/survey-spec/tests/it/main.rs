//! The questionnaire loader against corpora: every file in `tests/data/ok/` compiles without a diagnostic;
//! every file in `tests/data/err/` (named `CODE--what.yaml` after the code it triggers) gives exactly the diagnostics
//! recorded in its `.out` file (update with `UPDATE_EXPECT=1`).

use std::path::Path;

use survey_spec::SourceLoader;

struct Dir<'a>(&'a Path);

impl SourceLoader for Dir<'_> {
    fn read(&self, relative_path: &str) -> Result<Vec<u8>, String> {
        std::fs::read(self.0.join(relative_path)).map_err(|e| e.to_string())
    }
}

fn files(dir: &str) -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn diagnostics(path: &Path) -> (bool, String) {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let (q, diagnostics) = survey_spec::load(&text, &name, &Dir(path.parent().unwrap()));
    let out: String = diagnostics.iter().map(|d| format!("{d}\n")).collect();
    (q.is_some(), out)
}

#[test]
fn valid_questionnaires_compile_cleanly() {
    for path in files("ok") {
        let (ok, out) = diagnostics(&path);
        assert!(ok && out.is_empty(), "{}:\n{out}", path.display());
    }
}

#[test]
fn each_error_file_reports_its_code_and_nothing_unexpected() {
    let paths = files("err");
    assert!(paths.len() >= 50, "the corpus lost files");
    for path in paths {
        let (ok, out) = diagnostics(&path);
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let code = stem.split("--").next().unwrap();
        assert!(
            out.contains(&format!("[{code}]")),
            "{}: expected a diagnostic [{code}], got:\n{out}",
            path.display()
        );
        let is_warning_only = !out.contains(": error[");
        assert_eq!(
            ok,
            is_warning_only,
            "{}: a questionnaire is returned exactly when there is no error:\n{out}",
            path.display()
        );
        expect_test::expect_file![path.with_extension("out")].assert_eq(&out);
    }
}

#[test]
fn the_content_hash_ignores_layout_but_not_content() {
    let a = "daftar: 1\nid: t\nversion: \"1\"\nitems:\n  - {name: a, type: integer, label: A}\n";
    let b = "# a comment\ndaftar: 1\nversion: '1'\nid: t\nitems:\n  - name: a\n    label: A\n    type: integer\n";
    let c = "daftar: 1\nid: t\nversion: \"1\"\nitems:\n  - {name: a, type: integer, label: B}\n";
    let hash = |t: &str| {
        survey_spec::load(t, "x.yaml", &survey_spec::NoFiles)
            .0
            .unwrap()
            .content_hash()
            .to_string()
    };
    assert_eq!(hash(a), hash(b));
    assert_ne!(hash(a), hash(c));
}

#[test]
fn every_diagnostic_code_in_the_source_has_a_corpus_input() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut codes = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for (i, _) in text.match_indices("\"Q").chain(text.match_indices("\"S")) {
            let code = &text[i + 1..(i + 5).min(text.len())];
            if code[1..].chars().all(|c| c.is_ascii_digit()) && text[i + 5..].starts_with('"') {
                codes.insert(code.to_string());
            }
        }
    }
    assert!(codes.len() > 50, "found only {} codes", codes.len());
    let corpus: Vec<String> = files("err")
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().to_string())
        .collect();
    let missing: Vec<&String> = codes
        .iter()
        .filter(|c| !corpus.iter().any(|f| f.starts_with(&format!("{c}--"))))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without an input in tests/data/err: {missing:?}"
    );
}

/// A small deterministic generator for the mutation test.
struct Xorshift(u64);

impl Xorshift {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

#[test]
fn the_loader_never_panics_on_mutated_questionnaires() {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../questionnaire-specs/morocco-pilot");
    let original = std::fs::read_to_string(root.join("questionnaire.yaml")).unwrap();
    let lines: Vec<&str> = original.lines().collect();
    let mut rng = Xorshift(0x5eed_cafe);
    let tokens = [
        "${",
        "}",
        "(",
        ")",
        "'",
        "\"",
        ":",
        "- ",
        "[",
        "]",
        "{",
        "*a",
        "&a",
        "\t",
        "roster",
        "${hh_roster}",
        ". >",
        "items:",
        "\u{202E}",
        "\u{0}",
    ];
    for round in 0..300 {
        let mut mutated: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        for _ in 0..1 + rng.below(6) {
            let i = rng.below(mutated.len());
            match rng.below(4) {
                0 => {
                    mutated.remove(i);
                }
                1 => {
                    let j = rng.below(mutated.len());
                    mutated.swap(i, j);
                }
                2 => {
                    let line = &mut mutated[i];
                    let at = line
                        .char_indices()
                        .map(|(k, _)| k)
                        .nth(rng.below(line.chars().count() + 1))
                        .unwrap_or(line.len());
                    line.insert_str(at, tokens[rng.below(tokens.len())]);
                }
                _ => {
                    let j = rng.below(mutated.len());
                    let copy = mutated[j].clone();
                    mutated.insert(i, copy);
                }
            }
        }
        let text = mutated.join("\n");
        let result =
            std::panic::catch_unwind(|| survey_spec::load(&text, "mutated.yaml", &Dir(&root)));
        assert!(
            result.is_ok(),
            "round {round}: the loader panicked on:\n{text}"
        );
    }
}
