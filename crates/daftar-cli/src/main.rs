//! `daftar`: check, play and evaluate questionnaires (see `docs/cli.md` for the contract).
//!
//! Exit codes: 0 success; 1 the questionnaire has errors (`spec check`); 2 bad input (unreadable file,
//! malformed script, invalid option), with a message on standard error.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod clock;
mod eval;
mod expect;
mod export;
mod keys;
mod load;
mod play;
mod spec;

#[derive(Parser)]
#[command(
    name = "daftar",
    version,
    about = "Daftar questionnaire tools: check, play and evaluate questionnaires"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Questionnaire files: check and describe them.
    #[command(subcommand)]
    Spec(SpecCommand),
    /// Play a scripted interview and print the resulting state as JSON.
    Play {
        /// The questionnaire.
        #[arg(long)]
        spec: PathBuf,
        /// The script: a JSON array of steps.
        #[arg(long)]
        answers: PathBuf,
        /// The instant the interview takes place (RFC 3339); default: now.
        #[arg(long)]
        now: Option<String>,
        /// Time zone for dates (IANA name like `Africa/Casablanca`, or an offset like `+01:00`).
        #[arg(long)]
        tz: Option<String>,
        /// Language of messages (a declared language code).
        #[arg(long)]
        lang: Option<String>,
        /// Compare the result with an expectation file instead of printing it; exit 1 on any difference.
        #[arg(long)]
        expect: Option<PathBuf>,
    },
    /// Evaluate an expression, optionally against a questionnaire and answers.
    Eval {
        /// The expression (XLSForm syntax).
        expr: String,
        /// A questionnaire whose items the expression may reference.
        #[arg(long)]
        spec: Option<PathBuf>,
        /// A script of answers (the `play` format) applied first.
        #[arg(long)]
        answers: Option<PathBuf>,
        /// The instant for `now()` and `today()` (RFC 3339); default: now.
        #[arg(long)]
        now: Option<String>,
        /// Time zone (IANA name or offset).
        #[arg(long)]
        tz: Option<String>,
    },
    /// The survey's key pair.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Download a survey's data as one zip from a sync server (CSV per roster level, Stata/SPSS labels,
    /// codebook, paradata, SDG 10.7.1 tables). Password from DAFTAR_PASSWORD or standard input, survey
    /// passphrase from DAFTAR_SURVEY_PASSPHRASE or the next line.
    Export {
        /// The server's address, e.g. https://daftar.example.org.
        #[arg(long)]
        server: String,
        /// The data manager's user name.
        #[arg(long)]
        user: String,
        /// The survey id.
        #[arg(long)]
        survey: String,
        /// The zip to write.
        #[arg(long)]
        out: PathBuf,
        /// `raw` (default) or a cleaned version number.
        #[arg(long)]
        version: Option<String>,
    },
    /// Check the shipped questionnaires and play the pilot's scripted interviews (the demo).
    Demo {
        /// The folder of questionnaires.
        #[arg(long, default_value = "questionnaire-specs")]
        dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Generate a survey key pair: the private key to a 0600 file, the public key printed and written
    /// next to it (`FILE` with the extension `.pub.pem`).
    New {
        /// Where to write the private key.
        #[arg(short, long, default_value = "survey-key.pem")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum SpecCommand {
    /// Check questionnaires; one line per problem, exit 1 if any error.
    Check {
        /// Questionnaire files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print a JSON array of diagnostics instead.
        #[arg(long)]
        json: bool,
    },
    /// Convert an XLSForm workbook to the native format.
    Import {
        /// The workbook (.xlsx).
        file: PathBuf,
        /// The native questionnaire to write (.yaml).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Convert a questionnaire to an XLSForm workbook that pyxform accepts.
    Export {
        /// The questionnaire (.yaml or .json).
        file: PathBuf,
        /// The workbook to write (.xlsx).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Pack a questionnaire and the CSV files it refers to into one bundle (.zip) for upload.
    Bundle {
        /// The questionnaire (.yaml, .json or .xlsx).
        file: PathBuf,
        /// The bundle to write (.zip).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Describe a questionnaire: items, rosters, expressions, languages.
    Stats {
        /// The questionnaire.
        file: PathBuf,
        /// Print JSON instead.
        #[arg(long)]
        json: bool,
    },
}

/// Prints a line on standard output. A reader that went away (`daftar ... | head`) ends the program
/// quietly instead of a panic.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::emit(format_args!($($arg)*))
    };
}
pub(crate) use say;

pub(crate) fn emit(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(error) = writeln!(out, "{args}") {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("daftar: cannot write the output: {error}");
        std::process::exit(2);
    }
}

/// An error caused by the user's input: exit code 2.
#[derive(Debug)]
pub struct BadInput(pub String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Spec(SpecCommand::Check { files, json }) => spec::check(&files, json),
        Command::Spec(SpecCommand::Stats { file, json }) => spec::stats(&file, json),
        Command::Spec(SpecCommand::Bundle { file, output }) => spec::bundle(&file, &output),
        Command::Spec(SpecCommand::Import { file, output }) => {
            spec::convert(&file, &output, spec::Target::Native)
        }
        Command::Spec(SpecCommand::Export { file, output }) => {
            spec::convert(&file, &output, spec::Target::Xlsform)
        }
        Command::Play {
            spec,
            answers,
            expect: Some(expectation),
            ..
        } => spec::expect_run(&spec, &answers, &expectation),
        Command::Play {
            spec,
            answers,
            now,
            tz,
            lang,
            expect: None,
        } => play::run(
            &spec,
            &answers,
            now.as_deref(),
            tz.as_deref(),
            lang.as_deref(),
        ),
        Command::Eval {
            expr,
            spec,
            answers,
            now,
            tz,
        } => eval::run(
            &expr,
            spec.as_deref(),
            answers.as_deref(),
            now.as_deref(),
            tz.as_deref(),
        ),
        Command::Keys(KeysCommand::New { out }) => keys::new(&out),
        Command::Export {
            server,
            user,
            survey,
            out,
            version,
        } => export::run(&server, &user, &survey, version.as_deref(), &out),
        Command::Demo { dir } => spec::demo(&dir),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("daftar: {error:#}");
            ExitCode::from(2)
        }
    }
}
