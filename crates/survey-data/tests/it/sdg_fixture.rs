//! SDG 10.7.1 statistics on a small dataset computed by hand.

use std::collections::BTreeMap;

use survey_data::sdg::{Person, SdgRow, percentile, tables};

fn person(scope: &str, status: &str, sex: &str, c: f64, c_ext: f64, e: Option<f64>) -> Person {
    let mut groups = BTreeMap::new();
    groups.insert("sex", sex.to_string());
    groups.insert("perspective", "return".to_string());
    groups.insert("corridor", "R_ESP".to_string());
    groups.insert("occupation", "9".to_string());
    groups.insert("channel", "2".to_string());
    Person {
        scope: scope.into(),
        status: status.into(),
        cost_core: Some(c),
        cost_extended: Some(c_ext),
        earnings: e,
        groups,
    }
}

/// Persons (C core, C extended, E, all MAD):
///
/// | person | scope | status      | sex | C      | C ext  | E     | C/E | C ext/E |
/// | A      | core  | ok          | 1   | 0      | 0      | 5000  | 0   | 0       |
/// | B      | core  | ok          | 1   | 10000  | 11000  | 5000  | 2   | 2.2     |
/// | C      | core  | ok          | 2   | 3000   | 3000   | 6000  | 0.5 | 0.5     |
/// | D      | core  | ok          | 2   | 12000  | 12000  | 4000  | 3   | 3       |
/// | E      | core  | ok          | 1   | 7000   | 7700   | 7000  | 1   | 1.1     |
/// | F      | core  | zero_income | 1   | 2000   | 2000   | 0     | —   | —       |
/// | G      | core  | no_income   | 2   | 1000   | 1000   | —     | —   | —       |
/// | H      | short | ok          | 2   | 4000   | 4000   | 2000  | 2   | 2       |
fn fixture() -> Vec<Person> {
    vec![
        person("core", "ok", "1", 0.0, 0.0, Some(5000.0)),
        person("core", "ok", "1", 10000.0, 11000.0, Some(5000.0)),
        person("core", "ok", "2", 3000.0, 3000.0, Some(6000.0)),
        person("core", "ok", "2", 12000.0, 12000.0, Some(4000.0)),
        person("core", "ok", "1", 7000.0, 7700.0, Some(7000.0)),
        person("core", "zero_income", "1", 2000.0, 2000.0, Some(0.0)),
        person("core", "no_income", "2", 1000.0, 1000.0, None),
        person("short", "ok", "2", 4000.0, 4000.0, Some(2000.0)),
    ]
}

fn row<'a>(rows: &'a [SdgRow], variant: &str, breakdown: &str, group: &str) -> &'a SdgRow {
    rows.iter()
        .find(|r| r.variant == variant && r.breakdown == breakdown && r.group == group)
        .unwrap_or_else(|| panic!("no row {variant} {breakdown} {group}"))
}

#[track_caller]
fn check(r: &SdgRow, n: usize, mean: f64, median: f64, p80: f64) {
    let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-9);
    assert_eq!(r.summary.n, n, "{r:?}");
    assert!(close(r.summary.mean, mean), "mean {r:?}, expected {mean}");
    assert!(
        close(r.summary.median, median),
        "median {r:?}, expected {median}"
    );
    assert!(close(r.summary.p80, p80), "p80 {r:?}, expected {p80}");
}

#[test]
fn core_extended_nonzero_and_short_tables_match_the_hand_computation() {
    let rows = tables(&fixture());
    // Core, all: sorted ratios 0, 0.5, 1, 2, 3. n = 5, mean = 6.5 / 5 = 1.3.
    // Median: h = (5 − 1)·0.5 = 2 → x[2] (0-based) = 1.
    // P80: h = 4·0.8 = 3.2 → x[3] + 0.2·(x[4] − x[3]) = 2 + 0.2·1 = 2.2.
    // F (zero income) and G (no income) are out of the statistics and counted apart.
    let total = row(&rows, "core", "total", "");
    check(total, 5, 1.3, 1.0, 2.2);
    assert_eq!(
        (total.zero_income, total.no_income, total.no_rate),
        (1, 1, 0)
    );
    // Men: 0, 1, 2 → mean 1; median x[1] = 1; P80 h = 2·0.8 = 1.6 → 1 + 0.6·1 = 1.6.
    check(row(&rows, "core", "sex", "1"), 3, 1.0, 1.0, 1.6);
    // Women: 0.5, 3 → mean 1.75; median h = 0.5 → 0.5 + 0.5·2.5 = 1.75; P80 h = 0.8 → 0.5 + 0.8·2.5 = 2.5.
    let women = row(&rows, "core", "sex", "2");
    check(women, 2, 1.75, 1.75, 2.5);
    assert_eq!(women.no_income, 1);
    // Extended: 0, 0.5, 1.1, 2.2, 3 → mean 6.8 / 5 = 1.36; median 1.1; P80 2.2 + 0.2·0.8 = 2.36.
    check(row(&rows, "extended", "total", ""), 5, 1.36, 1.1, 2.36);
    // Non-zero subset M: 0.5, 1, 2, 3 → mean 1.625; median h = 1.5 → 1.5; P80 h = 2.4 → 2 + 0.4·1 = 2.4.
    check(row(&rows, "core_nonzero", "total", ""), 4, 1.625, 1.5, 2.4);
    // Short scope, never pooled: H alone, 4000 / 2000 = 2.
    check(row(&rows, "short", "total", ""), 1, 2.0, 2.0, 2.0);
    check(row(&rows, "core", "corridor", "R_ESP"), 5, 1.3, 1.0, 2.2);
}

#[test]
fn percentile_definition_seven() {
    assert_eq!(percentile(&[], 0.5), None);
    assert_eq!(percentile(&[4.0], 0.8), Some(4.0));
    // 1, 2, 3, 4: h = 3·0.5 = 1.5 → 2.5; h = 3·0.8 = 2.4 → 3 + 0.4 = 3.4.
    assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 0.5), Some(2.5));
    assert!((percentile(&[1.0, 2.0, 3.0, 4.0], 0.8).unwrap() - 3.4).abs() < 1e-12);
}
