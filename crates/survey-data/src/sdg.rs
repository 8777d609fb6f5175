//! SDG indicator 10.7.1 tables: recruitment cost borne by the worker as a share of the first full month's
//! earnings, per person, summarised by group (questionnaire-content.md §3).
//!
//! Who counts, per variant:
//!
//! - `core`: `rc_scope = core` and `rci_status = ok` (earnings known and above zero). The ratio is
//!   recomputed unrounded from the columns `rc_C_core_mad / rc_E_mad` (the questionnaire's `rc_rci` is
//!   rounded to 3 decimals). Zero costs count as a ratio of 0.
//! - `extended`: the same persons, numerator `rc_C_ext_mad` (loan interest added).
//! - `core_nonzero`: the Lao-style subset M of `core` with costs above zero (supplementary, T9).
//! - `short`: `rc_scope = short` (seasonal and short-term; supplementary, never pooled into `core`).
//!
//! Persons of the variant's scope with `rci_status` `zero_income`, `no_income` or `no_rate` have no ratio:
//! they are counted in their own columns and left out of the statistics.
//!
//! Percentiles (the median and the 80th percentile, our reading of S1's "4th quintile") use linear
//! interpolation between order statistics, Hyndman and Fan's definition 7 (R's default, Excel's
//! `PERCENTILE.INC`): for sorted values x₁…xₙ and p in [0, 1], h = (n − 1)·p + 1 and
//! Q(p) = x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋). Statistics are unweighted: the pilot has no design weights.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::dataset::{Dataset, Table};

/// One person's inputs, read from the roster table.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    /// `rc_scope`.
    pub scope: String,
    /// `rci_status`.
    pub status: String,
    /// Core numerator in MAD.
    pub cost_core: Option<f64>,
    /// Extended numerator in MAD.
    pub cost_extended: Option<f64>,
    /// Earnings in MAD.
    pub earnings: Option<f64>,
    /// Breakdown values by breakdown name (`sex`, `corridor`, `occupation`, `channel`, `perspective`).
    pub groups: BTreeMap<&'static str, String>,
}

/// The breakdowns and the column each reads.
pub const BREAKDOWNS: [(&str, &str); 5] = [
    ("perspective", "rc_anchor"),
    ("sex", "m_sex"),
    ("corridor", "q_corridor"),
    ("occupation", "rc_isco_major"),
    ("channel", "rc_channel"),
];

/// The variants, in table order.
pub const VARIANTS: [&str; 4] = ["core", "extended", "core_nonzero", "short"];

/// Summary statistics of a set of ratios.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Number of ratios.
    pub n: usize,
    /// Mean.
    pub mean: Option<f64>,
    /// Median (definition 7).
    pub median: Option<f64>,
    /// 80th percentile (definition 7).
    pub p80: Option<f64>,
}

/// Definition 7 percentile of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// Mean, median and 80th percentile.
pub fn summarise(values: &[f64]) -> Summary {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mean = if sorted.is_empty() {
        None
    } else {
        Some(sorted.iter().sum::<f64>() / sorted.len() as f64)
    };
    Summary {
        n: sorted.len(),
        mean,
        median: percentile(&sorted, 0.5),
        p80: percentile(&sorted, 0.8),
    }
}

/// One line of the tables.
#[derive(Debug, Clone, PartialEq)]
pub struct SdgRow {
    /// The variant (`core`, `extended`, `core_nonzero`, `short`).
    pub variant: &'static str,
    /// The breakdown (`total` or one of [`BREAKDOWNS`]).
    pub breakdown: &'static str,
    /// The group's code (empty for `total`; `(missing)` when the column is empty).
    pub group: String,
    /// The ratio statistics.
    pub summary: Summary,
    /// Persons of the scope with zero earnings (no ratio).
    pub zero_income: usize,
    /// Persons of the scope with unknown earnings (no ratio).
    pub no_income: usize,
    /// Persons of the scope with earnings in an unlisted currency (no ratio).
    pub no_rate: usize,
}

fn number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|f| f.is_finite())
}

/// The table holding `rc_scope` (the person roster).
pub fn person_table(dataset: &Dataset) -> Option<&Table> {
    dataset
        .tables
        .iter()
        .find(|t| t.column("rc_scope").is_some())
}

/// Reads the persons with a cost module (`rc_scope` `core` or `short`).
pub fn persons(table: &Table) -> Vec<Person> {
    let col = |name: &str| table.column(name);
    let get = |row: &Vec<String>, name: &str| -> String {
        col(name)
            .and_then(|i| row.get(i))
            .cloned()
            .unwrap_or_default()
    };
    table
        .rows
        .values()
        .filter(|row| matches!(get(row, "rc_scope").as_str(), "core" | "short"))
        .map(|row| Person {
            scope: get(row, "rc_scope"),
            status: get(row, "rci_status"),
            cost_core: number(&get(row, "rc_C_core_mad")),
            cost_extended: number(&get(row, "rc_C_ext_mad")),
            earnings: number(&get(row, "rc_E_mad")),
            groups: BREAKDOWNS
                .iter()
                .map(|&(breakdown, column)| {
                    let value = get(row, column);
                    let value = if value.is_empty() {
                        "(missing)".to_string()
                    } else {
                        value
                    };
                    (breakdown, value)
                })
                .collect(),
        })
        .collect()
}

/// The ratio of a person under a variant, or `None` when the person has no ratio or is outside it.
fn ratio(person: &Person, variant: &str) -> Option<f64> {
    let scope = if variant == "short" { "short" } else { "core" };
    if person.scope != scope || person.status != "ok" {
        return None;
    }
    let earnings = person.earnings.filter(|e| *e > 0.0)?;
    let cost = if variant == "extended" {
        person.cost_extended?
    } else {
        person.cost_core?
    };
    if variant == "core_nonzero" && cost <= 0.0 {
        return None;
    }
    Some(cost / earnings)
}

fn in_scope(person: &Person, variant: &str) -> bool {
    let scope = if variant == "short" { "short" } else { "core" };
    person.scope == scope
}

/// Every variant × breakdown × group.
pub fn tables(persons: &[Person]) -> Vec<SdgRow> {
    let mut out = Vec::new();
    for variant in VARIANTS {
        let breakdowns = std::iter::once("total").chain(BREAKDOWNS.iter().map(|(b, _)| *b));
        for breakdown in breakdowns {
            let mut groups: BTreeMap<String, Vec<&Person>> = BTreeMap::new();
            for p in persons.iter().filter(|p| in_scope(p, variant)) {
                let group = if breakdown == "total" {
                    String::new()
                } else {
                    p.groups.get(breakdown).cloned().unwrap_or_default()
                };
                groups.entry(group).or_default().push(p);
            }
            if breakdown == "total" && groups.is_empty() {
                groups.insert(String::new(), Vec::new());
            }
            for (group, members) in groups {
                let ratios: Vec<f64> = members.iter().filter_map(|p| ratio(p, variant)).collect();
                let count = |status: &str| members.iter().filter(|p| p.status == status).count();
                out.push(SdgRow {
                    variant,
                    breakdown,
                    group,
                    summary: summarise(&ratios),
                    zero_income: count("zero_income"),
                    no_income: count("no_income"),
                    no_rate: count("no_rate"),
                });
            }
        }
    }
    out
}

/// The tables of a dataset (empty when the questionnaire has no cost module).
pub fn tables_of(dataset: &Dataset) -> Vec<SdgRow> {
    person_table(dataset)
        .map(|t| tables(&persons(t)))
        .unwrap_or_default()
}

fn fmt(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.4}")).unwrap_or_default()
}

/// The tables as CSV: `variant,breakdown,group,n,mean,median,p80,zero_income,no_income,no_rate`, ratios in
/// months of earnings with 4 decimals.
pub fn tables_csv(rows: &[SdgRow]) -> String {
    let mut s =
        String::from("variant,breakdown,group,n,mean,median,p80,zero_income,no_income,no_rate\n");
    for r in rows {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{}",
            r.variant,
            r.breakdown,
            csv_field(&r.group),
            r.summary.n,
            fmt(r.summary.mean),
            fmt(r.summary.median),
            fmt(r.summary.p80),
            r.zero_income,
            r.no_income,
            r.no_rate
        );
    }
    s
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
