//! `cargo xtask conformance`: does `daftar spec check` agree with pyxform on which XLSForms are valid?
//!
//! 1. Installs pyxform 4.5.0 (the verdicts) in a venv under `~/.cache/daftar-pyxform-venv`.
//! 2. Takes the test forms from pyxform's own test suite at run time, from PyPI: the newest source
//!    distribution that still ships its tests is pyxform 1.6.0 (`pyxform/tests_v1/*.py` with inline
//!    markdown-table XLSForms); later sdists leave `tests/` out. Nothing of it is committed.
//! 3. `conformance/extract.py` (run with pyxform 4.5.0) writes each distinct markdown table as an `.xlsx`
//!    with pyxform's own `md_table_to_workbook` and records whether pyxform 4.5.0 converts or rejects it.
//! 4. Runs our check (XLSForm import, then the compiler) on each workbook and compares, and does the same
//!    over the shared corpus of real forms (`/work/shared/xlsform-corpus`, verdicts in `accepted.txt` and
//!    `rejected.txt`), then prints and writes `crates/survey-xlsform/CONFORMANCE.md`.
//!
//! Options: `--corpus DIR` (default `/work/shared/xlsform-corpus` when present, `--no-corpus` to skip),
//! `--out FILE`, `--verbose` (print every disagreement), `--min-supported PERCENT` (default 90: the command
//! fails when the agreement on pyxform's forms that use supported features falls below it, so CI catches a
//! regression).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use survey_spec::{Diagnostic, Severity, SourceLoader};

/// The pyxform whose verdicts we compare with (the version formbench and the corpus were checked with).
pub const PYXFORM_VERSION: &str = "4.5.0";
const OPENPYXL_VERSION: &str = "3.1.5";
/// The newest pyxform source distribution on PyPI that still contains the test suite.
const PYXFORM_TESTS_SDIST: &str = "1.6.0";
const EXTRACT_PY: &str = include_str!("conformance/extract.py");
const DEFAULT_CORPUS: &str = "/work/shared/xlsform-corpus";

/// Error codes that mean "this XLSForm uses a feature Daftar does not support" (documented in
/// `crates/survey-xlsform/README.md`), as opposed to "this form is wrong".
/// `Q014` is a choice code with a space (pyxform allows it in `select_one` lists; Daftar codes never have
/// one, so that any list can back a multiple choice), `Q015` a duplicate choice code (pyxform allows it only
/// with the `allow_choice_duplicates` setting). `Q024`/`Q025` are the compiler's invalid-name and name-too-long errors: XLSForm names may contain `-` and `.` and be long, Daftar names are
/// Stata/SPSS-safe identifiers. `expr-unsupported-syntax` is raw XPath (`/data/x`, `../x`, `instance(…)`),
/// which Daftar's expression language leaves out in favour of `${name}`. `Q030` is an attachment that is not
/// there: pyxform never reads attachments, Daftar does, and pyxform's test suite ships none.
pub const UNSUPPORTED_CODES: &[&str] = &[
    survey_xlsform::UNSUPPORTED_TYPE,
    survey_xlsform::DYNAMIC_DEFAULT,
    survey_xlsform::LAST_SAVED,
    "Q014",
    "Q015",
    "Q024",
    "Q025",
    "Q030",
    "expr-unsupported-syntax",
];

/// Our verdict on one workbook.
pub struct Verdict {
    /// Every diagnostic of the import and the compiler.
    pub diagnostics: Vec<Diagnostic>,
}

impl Verdict {
    /// Whether the workbook passes `daftar spec check` (no error).
    pub fn accepts(&self) -> bool {
        !self
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// Whether an error says the form uses an unsupported feature.
    pub fn unsupported(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error && UNSUPPORTED_CODES.contains(&d.code))
    }

    fn first_error(&self) -> String {
        self.diagnostics
            .iter()
            .find(|d| d.severity == Severity::Error)
            .map(|d| format!("{}: {}", d.code, d.message))
            .unwrap_or_default()
    }

    fn error_codes(&self) -> Vec<&'static str> {
        let mut codes: Vec<&'static str> = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.code)
            .collect();
        codes.sort_unstable();
        codes.dedup();
        codes
    }
}

/// What `daftar spec check form.xlsx` does: import, then compile when the import has no error.
pub fn check_workbook(bytes: &[u8], file_name: &str, files: &dyn SourceLoader) -> Verdict {
    let (doc, mut diagnostics) = survey_xlsform::import(bytes, file_name, files);
    if let Some(doc) = doc
        && !diagnostics.iter().any(|d| d.severity == Severity::Error)
    {
        let (_, more) = survey_spec::compile(&doc, file_name, files);
        diagnostics.extend(more);
    }
    Verdict { diagnostics }
}

/// Files next to a form; for the corpus, attachments are stored as `FORMSTEM__name`.
struct Attachments {
    dir: PathBuf,
    prefix: Option<String>,
}

impl SourceLoader for Attachments {
    fn read(&self, relative_path: &str) -> Result<Vec<u8>, String> {
        let base = relative_path.rsplit('/').next().unwrap_or(relative_path);
        let path = match &self.prefix {
            Some(prefix) => self.dir.join(format!("{prefix}__{base}")),
            None => self.dir.join(relative_path),
        };
        std::fs::read(&path).map_err(|error| format!("{}: {error}", path.display()))
    }
}

fn home_cache() -> Result<PathBuf> {
    let home = std::env::var_os("HOME").context("HOME is not set")?;
    Ok(PathBuf::from(home).join(".cache"))
}

fn run_command(command: &mut Command, what: &str) -> Result<()> {
    let output = command
        .output()
        .with_context(|| format!("cannot start {what}"))?;
    if !output.status.success() {
        bail!(
            "{what} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// The venv with the pinned pyxform; created on first use. Returns its `python`.
pub fn ensure_pyxform_venv() -> Result<PathBuf> {
    let venv = home_cache()?.join("daftar-pyxform-venv");
    let python = venv.join("bin/python");
    let probe = Command::new(&python)
        .args(["-c", "import pyxform, openpyxl, sys; sys.exit(0 if pyxform.__version__ == sys.argv[1] else 1)"])
        .arg(PYXFORM_VERSION)
        .output();
    if probe.is_ok_and(|output| output.status.success()) {
        return Ok(python);
    }
    eprintln!(
        "installing pyxform {PYXFORM_VERSION} into {}",
        venv.display()
    );
    run_command(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv",
    )?;
    run_command(
        Command::new(venv.join("bin/pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &format!("pyxform=={PYXFORM_VERSION}"),
            &format!("openpyxl=={OPENPYXL_VERSION}"),
        ]),
        "pip install pyxform",
    )?;
    Ok(python)
}

/// pyxform's test modules, from the PyPI source distribution that ships them.
fn ensure_pyxform_tests(python: &Path) -> Result<PathBuf> {
    let dir = home_cache()?.join("daftar-pyxform-sdist");
    let tests = dir.join(format!("pyxform-{PYXFORM_TESTS_SDIST}/pyxform"));
    if tests.join("tests_v1").is_dir() {
        return Ok(tests);
    }
    std::fs::create_dir_all(&dir)?;
    eprintln!(
        "downloading the pyxform {PYXFORM_TESTS_SDIST} source distribution (it contains pyxform's tests)"
    );
    run_command(
        Command::new(python)
            .args([
                "-m",
                "pip",
                "download",
                "--quiet",
                "--disable-pip-version-check",
                "--no-deps",
                "--no-binary",
                ":all:",
            ])
            .arg(format!("pyxform=={PYXFORM_TESTS_SDIST}"))
            .arg("-d")
            .arg(&dir),
        "pip download pyxform sdist",
    )?;
    let archive = dir.join(format!("pyxform-{PYXFORM_TESTS_SDIST}.tar.gz"));
    run_command(
        Command::new(python)
            .args(["-c", "import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2], filter='data')"])
            .arg(&archive)
            .arg(&dir),
        "extracting the pyxform sdist",
    )?;
    if !tests.join("tests_v1").is_dir() {
        bail!("{} has no tests_v1/ after extraction", tests.display());
    }
    Ok(tests)
}

/// One form compared.
struct Compared {
    name: String,
    pyxform_accepts: bool,
    pyxform_error: String,
    verdict: Verdict,
}

impl Compared {
    fn agrees(&self) -> bool {
        self.pyxform_accepts == self.verdict.accepts()
    }
}

#[derive(Default)]
struct Tally {
    total: usize,
    agree: usize,
    supported: usize,
    supported_agree: usize,
    pyxform_accepts: usize,
    pyxform_rejects: usize,
    /// pyxform converts, we reject (and the form uses only supported features).
    false_rejects: usize,
    /// pyxform rejects, we accept.
    false_accepts: usize,
}

fn tally(forms: &[Compared]) -> Tally {
    let mut t = Tally::default();
    for form in forms {
        t.total += 1;
        if form.pyxform_accepts {
            t.pyxform_accepts += 1;
        } else {
            t.pyxform_rejects += 1;
        }
        if form.agrees() {
            t.agree += 1;
        }
        // A form rejected by both for whatever reason is agreement; a form pyxform converts and we reject for
        // an unsupported feature is out of the "supported" set.
        let unsupported = form.pyxform_accepts && form.verdict.unsupported();
        if !unsupported {
            t.supported += 1;
            if form.agrees() {
                t.supported_agree += 1;
            } else if form.pyxform_accepts {
                t.false_rejects += 1;
            } else {
                t.false_accepts += 1;
            }
        }
    }
    t
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "–".into()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}

pub fn run(args: &[String]) -> Result<()> {
    let mut corpus = Some(PathBuf::from(DEFAULT_CORPUS)).filter(|dir| dir.is_dir());
    let mut out = PathBuf::from("crates/survey-xlsform/CONFORMANCE.md");
    let mut verbose = false;
    // CI gate: the agreement on pyxform's forms that use supported features must not fall below this.
    let mut min_supported = 90.0;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--corpus" => {
                corpus = Some(PathBuf::from(
                    args.next().context("--corpus needs a directory")?,
                ))
            }
            "--no-corpus" => corpus = None,
            "--out" => out = PathBuf::from(args.next().context("--out needs a file")?),
            "--verbose" => verbose = true,
            "--min-supported" => {
                min_supported = args
                    .next()
                    .context("--min-supported needs a percentage")?
                    .parse()?
            }
            other => bail!(
                "unknown option `{other}`; options: --corpus DIR, --no-corpus, --out FILE, --verbose, --min-supported PERCENT"
            ),
        }
    }

    let python = ensure_pyxform_venv()?;
    let tests = ensure_pyxform_tests(&python)?;
    let work = home_cache()?.join("daftar-conformance");
    if work.exists() {
        std::fs::remove_dir_all(&work)?;
    }
    let forms_dir = work.join("forms");
    std::fs::create_dir_all(&forms_dir)?;
    let script = work.join("extract.py");
    std::fs::write(&script, EXTRACT_PY)?;
    eprintln!("extracting pyxform's markdown test forms and pyxform {PYXFORM_VERSION}'s verdicts");
    run_command(
        Command::new(&python)
            .arg(&script)
            .arg(&tests)
            .arg(&forms_dir),
        "extract.py",
    )?;

    let manifest = std::fs::read_to_string(forms_dir.join("manifest.jsonl"))?;
    let mut suite = Vec::new();
    for line in manifest.lines().filter(|line| !line.trim().is_empty()) {
        let record: serde_json::Value = serde_json::from_str(line)?;
        let field = |key: &str| record[key].as_str().unwrap_or_default().to_string();
        let bytes = std::fs::read(field("xlsx"))?;
        let name = format!("{} ({})", field("id"), field("source"));
        let files = Attachments {
            dir: forms_dir.clone(),
            prefix: None,
        };
        let verdict = check_workbook(&bytes, &format!("{}.xlsx", field("id")), &files);
        suite.push(Compared {
            name,
            pyxform_accepts: field("verdict") == "converts",
            pyxform_error: field("error"),
            verdict,
        });
    }

    let mut real = Vec::new();
    if let Some(corpus) = &corpus {
        let list = |file: &str| -> Result<Vec<String>> {
            Ok(std::fs::read_to_string(corpus.join(file))
                .with_context(|| format!("{}/{file}", corpus.display()))?
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(str::to_string)
                .collect())
        };
        // SOURCES.md records ODK Validate's verdict on the forms pyxform converts (`| fail: …` in its last column).
        let sources = std::fs::read_to_string(corpus.join("SOURCES.md")).unwrap_or_default();
        let validate_fails = |name: &str| {
            sources
                .lines()
                .any(|line| line.contains(&format!("`{name}`")) && line.contains("| fail:"))
        };
        for (file, accepts) in [("accepted.txt", true), ("rejected.txt", false)] {
            for name in list(file)? {
                let path = corpus.join("forms").join(&name);
                let bytes = std::fs::read(&path).with_context(|| path.display().to_string())?;
                let stem = name
                    .rsplit_once('.')
                    .map_or(name.as_str(), |(stem, _)| stem)
                    .to_string();
                let files = Attachments {
                    dir: corpus.join("forms"),
                    prefix: Some(stem),
                };
                let verdict = check_workbook(&bytes, &name, &files);
                let pyxform_error = if accepts && validate_fails(&name) {
                    "converts, but ODK Validate rejects the XForm".to_string()
                } else {
                    String::new()
                };
                real.push(Compared {
                    name,
                    pyxform_accepts: accepts,
                    pyxform_error,
                    verdict,
                });
            }
        }
    }

    // The report names files relative to the run's work folder, so that it is the same on every machine.
    let report = report(&suite, &real, verbose).replace(&format!("{}/", forms_dir.display()), "");
    print!("{report}");
    std::fs::write(&out, &report).with_context(|| out.display().to_string())?;
    eprintln!("wrote {}", out.display());
    let t = tally(&suite);
    let agreement = 100.0 * t.supported_agree as f64 / t.supported.max(1) as f64;
    if agreement < min_supported {
        bail!(
            "agreement with pyxform on forms using supported features is {agreement:.1}%, below {min_supported}% (--min-supported)"
        );
    }
    Ok(())
}

fn report(suite: &[Compared], real: &[Compared], verbose: bool) -> String {
    let mut out = String::new();
    let s = tally(suite);
    let _ = writeln!(
        out,
        "# XLSForm conformance: `daftar spec check` against pyxform {PYXFORM_VERSION}\n"
    );
    let _ = writeln!(
        out,
        "Generated by `cargo xtask conformance` (crates/xtask/src/conformance.rs). Our check is what `daftar spec check form.xlsx` runs: \
         the XLSForm import (survey-xlsform) and then the compiler (survey-spec); a form passes when neither reports an error. \
         pyxform's verdict is `convert(validate=False)`: converts or raises.\n"
    );
    let _ = writeln!(out, "## pyxform's own test forms\n");
    let _ = writeln!(
        out,
        "Source: every distinct markdown-table XLSForm in the test modules of the pyxform {PYXFORM_TESTS_SDIST} source distribution on PyPI \
         (the newest sdist that ships `tests_v1/`; later ones leave the tests out), written to `.xlsx` with pyxform's `md_table_to_workbook`, \
         judged by pyxform {PYXFORM_VERSION}.\n"
    );
    let _ = writeln!(out, "| | forms | agree | agreement |");
    let _ = writeln!(out, "|---|---:|---:|---:|");
    let _ = writeln!(
        out,
        "| all forms | {} | {} | **{}** |",
        s.total,
        s.agree,
        percent(s.agree, s.total)
    );
    let _ = writeln!(
        out,
        "| forms using supported features | {} | {} | **{}** |",
        s.supported,
        s.supported_agree,
        percent(s.supported_agree, s.supported)
    );
    let _ = writeln!(
        out,
        "\npyxform converts {} and rejects {}. {} forms pyxform converts use a feature we document as unsupported \
         (error codes {}; see README.md). On supported forms: {} that pyxform converts fail our check, {} that pyxform rejects pass it.\n",
        s.pyxform_accepts,
        s.pyxform_rejects,
        s.total - s.supported,
        UNSUPPORTED_CODES.join(", "),
        s.false_rejects,
        s.false_accepts
    );
    disagreement_table(&mut out, suite, verbose);

    if !real.is_empty() {
        let r = tally(real);
        let _ = writeln!(out, "## Real forms: /work/shared/xlsform-corpus\n");
        let _ = writeln!(
            out,
            "Verdicts of pyxform {PYXFORM_VERSION} from the corpus' `accepted.txt` / `rejected.txt`.\n"
        );
        let _ = writeln!(out, "| | forms | agree | agreement |");
        let _ = writeln!(out, "|---|---:|---:|---:|");
        let _ = writeln!(
            out,
            "| all forms | {} | {} | **{}** |",
            r.total,
            r.agree,
            percent(r.agree, r.total)
        );
        let _ = writeln!(
            out,
            "| forms using supported features | {} | {} | **{}** |\n",
            r.supported,
            r.supported_agree,
            percent(r.supported_agree, r.supported)
        );
        let validate_rejects = real
            .iter()
            .filter(|form| !form.pyxform_error.is_empty())
            .count();
        let (mut considered, mut agree_with_validate) = (0, 0);
        for form in real {
            let odk_accepts = form.pyxform_accepts && form.pyxform_error.is_empty();
            if odk_accepts && form.verdict.unsupported() {
                continue;
            }
            considered += 1;
            if odk_accepts == form.verdict.accepts() {
                agree_with_validate += 1;
            }
        }
        let _ = writeln!(
            out,
            "{validate_rejects} of the forms pyxform converts fail ODK Validate (per the corpus' SOURCES.md). With pyxform + ODK Validate \
             as the reference, on forms using supported features: {agree_with_validate} of {considered} agree (**{}**).\n",
            percent(agree_with_validate, considered)
        );
        let _ = writeln!(out, "| form | pyxform | ours | our first error |");
        let _ = writeln!(out, "|---|---|---|---|");
        for form in real {
            let ours = if form.verdict.accepts() {
                "passes".to_string()
            } else if form.verdict.unsupported() {
                "fails (unsupported feature)".to_string()
            } else {
                "fails".to_string()
            };
            let pyxform = match (form.pyxform_accepts, form.pyxform_error.is_empty()) {
                (true, true) => "converts",
                (true, false) => "converts (ODK Validate rejects)",
                (false, _) => "rejects",
            };
            let mark = if form.agrees() { "" } else { " **≠**" };
            let _ = writeln!(
                out,
                "| `{}` | {pyxform} | {ours}{mark} | {} |",
                form.name,
                cell(&form.verdict.first_error())
            );
        }
        out.push('\n');
    }
    out
}

fn cell(text: &str) -> String {
    let mut text = text.replace('|', "\\|").replace('\n', " ");
    if text.chars().count() > 160 {
        text = text.chars().take(157).collect::<String>() + "…";
    }
    text
}

/// What a compiler error means when pyxform converts the form anyway.
fn why(code: &str) -> Option<&'static str> {
    Some(match code {
        "Q020" => {
            "the form has no question (only `audit`, which becomes the paradata switch); Daftar refuses an empty questionnaire"
        }
        "Q055" => {
            "a default that is not a value of the item's type (`foo` for an integer); ODK would store it and fail at run time"
        }
        "expr-field-not-allowed" => {
            "a bare name outside a choice filter (an XPath child step such as `name` or `null`, which ODK evaluates to an empty node-set)"
        }
        "expr-unexpected-char" | "expr-trailing-input" | "expr-unterminated-string" => {
            "text that is not an expression; pyxform passes it through and ODK Validate rejects the XForm"
        }
        "expr-many-ref" => {
            "a reference from outside a roster to an item inside it, not aggregated (ODK silently takes the first row)"
        }
        _ => return None,
    })
}

/// Disagreements grouped by what we said (our error codes) or by pyxform's error when we accept.
fn disagreement_table(out: &mut String, forms: &[Compared], verbose: bool) {
    let mut groups: BTreeMap<String, Vec<&Compared>> = BTreeMap::new();
    for form in forms.iter().filter(|form| !form.agrees()) {
        let key = if form.pyxform_accepts {
            let kind = if form.verdict.unsupported() {
                "unsupported feature"
            } else {
                "we reject"
            };
            format!(
                "pyxform converts, {kind}: {}",
                form.verdict.error_codes().join(" ")
            )
        } else {
            "pyxform rejects, we accept".to_string()
        };
        groups.entry(key).or_default().push(form);
    }
    if groups.is_empty() {
        return;
    }
    let explained: Vec<(&str, &str)> = groups
        .keys()
        .filter(|key| key.contains("we reject"))
        .flat_map(|key| key.rsplit(": ").next().unwrap_or("").split(' '))
        .filter_map(|code| why(code).map(|why| (code, why)))
        .collect::<BTreeMap<_, _>>()
        .into_iter()
        .collect();
    if !explained.is_empty() {
        let _ = writeln!(
            out,
            "Why we reject forms pyxform converts (features we support):\n"
        );
        for (code, why) in explained {
            let _ = writeln!(out, "- `{code}`: {why}");
        }
        out.push('\n');
    }
    let _ = writeln!(out, "### Disagreements\n");
    let _ = writeln!(out, "| kind (our error codes) | forms | example | detail |");
    let _ = writeln!(out, "|---|---:|---|---|");
    for (key, members) in &groups {
        let shown = if verbose { members.len() } else { 1 };
        for (index, form) in members.iter().take(shown).enumerate() {
            let detail = if form.pyxform_accepts {
                form.verdict.first_error()
            } else {
                form.pyxform_error.clone()
            };
            let count = if index == 0 {
                members.len().to_string()
            } else {
                String::new()
            };
            let key = if index == 0 { key.as_str() } else { "" };
            let _ = writeln!(
                out,
                "| {key} | {count} | {} | {} |",
                cell(&form.name),
                cell(&detail)
            );
        }
    }
    out.push('\n');
}
