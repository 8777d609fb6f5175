//! Checking: name resolution, static types, and every diagnostic code of the checker.

use expect_test::{Expect, expect};
use survey_expr::{
    CheckOptions, Func, Slot, check, parse, parse_and_check, reference_names, references, usage,
};

use crate::{TestScope, plain, render_diagnostics, sexp};

/// Checks `input` as an ordinary expression and shows the resolved tree, its type and the diagnostics.
#[track_caller]
fn check_with(input: &str, options: CheckOptions, expect: Expect) {
    let (expr, syntax) = parse(input);
    assert!(syntax.is_empty(), "syntax errors in {input}: {syntax:?}");
    let mut expr = expr.unwrap();
    let (value_type, diagnostics) = check(&mut expr, &TestScope::new(), &options);
    let actual = format!(
        "{} : {value_type:?}\n{}",
        sexp(&expr),
        render_diagnostics(input, &diagnostics)
    );
    expect.assert_eq(&actual);
}

#[track_caller]
fn check_expr(input: &str, expect: Expect) {
    check_with(input, plain(), expect);
}

#[test]
fn resolves_slots_and_types() {
    check_expr(
        "${age} >= 15 and selected(${langs}, 'fr')",
        expect![[r#"
        (and (>= $age#0 15) (selected $langs#3 "fr")) : Boolean
    "#]],
    );
    check_expr(
        "${age} + 1",
        expect![[r#"
        (+ $age#0 1) : Number
    "#]],
    );
    check_expr(
        "concat(${name}, '!')",
        expect![[r#"
        (concat $name#1 "!") : String
    "#]],
    );
    check_expr(
        "if(${age} > 18, ${income}, '')",
        expect![[r#"
        (if (> $age#0 18) $income#11 "") : Number
    "#]],
    );
    check_expr(
        "if(${age} > 18, ${income}, 'none')",
        expect![[r#"
        (if (> $age#0 18) $income#11 "none") : Any
    "#]],
    );
    check_expr(
        "coalesce(${dob}, today())",
        expect![[r#"
        (coalesce $dob#4 (today)) : Date
    "#]],
    );
    check_expr(
        "now()",
        expect![[r#"
        (now) : DateTime
    "#]],
    );
    check_expr(
        "indexed-repeat(${member_age}, ${members}, 1)",
        expect![[r#"
        (indexed-repeat $member_age#9 $members#8 1) : Number
    "#]],
    );
    check_expr(
        "once(uuid())",
        expect![[r#"
        (once (uuid)) : String
    "#]],
    );
}

#[test]
fn aggregates_accept_roster_values() {
    check_expr(
        "sum(${member_age}) + count(${members}) + count-non-empty(${member_name}) + max(${member_age}, ${age}) + min(${member_age})",
        expect![[r#"
            (+ (+ (+ (+ (sum $member_age#9) (count $members#8)) (count-non-empty $member_name#10)) (max $member_age#9 $age#0)) (min $member_age#9)) : Number
        "#]],
    );
    check_expr(
        "join(', ', ${member_name})",
        expect![[r#"
        (join ", " $member_name#10) : String
    "#]],
    );
    check_expr(
        "position(..) + position(${members})",
        expect![[r#"
        (+ (position ..) (position $members#8)) : Number
    "#]],
    );
}

#[test]
fn unknown_references_suggest_a_name() {
    check_expr(
        "${agee} > 15",
        expect![[r#"
        (> $agee 15) : Boolean
        error[expr-unknown-ref] 0..7 `${agee}`: `${agee}` is not a question in this questionnaire; did you mean `${age}`?
    "#]],
    );
    check_expr(
        "${Income} > 0",
        expect![[r#"
        (> $Income 0) : Boolean
        error[expr-unknown-ref] 0..9 `${Income}`: `${Income}` is not a question in this questionnaire; did you mean `${income}`?
    "#]],
    );
    check_expr(
        "${zzz} > 0",
        expect![[r#"
        (> $zzz 0) : Boolean
        error[expr-unknown-ref] 0..6 `${zzz}`: `${zzz}` is not a question in this questionnaire
    "#]],
    );
}

#[test]
fn unknown_functions_suggest_a_name() {
    check_expr(
        "count_selected(${langs})",
        expect![[r#"
        (count_selected $langs#3) : Any
        error[expr-unknown-function] 0..24 `count_selected(${langs})`: `count_selected()` is not a known function; did you mean `count-selected()`?
    "#]],
    );
    check_expr(
        "instance('x')",
        expect![[r#"
        (instance "x") : Any
        error[expr-unknown-function] 0..13 `instance('x')`: `instance()` is not supported: look values up with pulldata('table', 'column', 'key_column', key)
    "#]],
    );
    check_expr(
        "random()",
        expect![[r#"
        (random) : Any
        error[expr-unknown-function] 0..8 `random()`: `random()` is not supported: expressions must give the same result on every device
    "#]],
    );
}

#[test]
fn arity() {
    check_expr(
        "if(${age} > 1, 'x')",
        expect![[r#"
        (if (> $age#0 1) "x") : String
        error[expr-arity] 0..19 `if(${age} > 1, 'x')`: `if()` takes 3 arguments, not 2
    "#]],
    );
    check_expr(
        "today(1)",
        expect![[r#"
        (today 1) : Date
        error[expr-arity] 0..8 `today(1)`: `today()` takes no arguments, not 1
    "#]],
    );
    check_expr(
        "concat()",
        expect![[r#"
        (concat) : String
        error[expr-arity] 0..8 `concat()`: `concat()` takes at least 1 argument, not 0
    "#]],
    );
    check_expr(
        "round(1, 2, 3)",
        expect![[r#"
        (round 1 2 3) : Number
        error[expr-arity] 0..14 `round(1, 2, 3)`: `round()` takes 1 to 2 arguments, not 3
    "#]],
    );
    check_expr(
        "indexed-repeat(${member_age}, ${members})",
        expect![[r#"
        (indexed-repeat $member_age#9 $members#8) : Number
        error[expr-arity] 0..41 `indexed-repeat(${member_age}, ${members})`: `indexed-repeat()` takes 3, 5, 7, 9 or 11 arguments: the item, then pairs of roster and row number, not 2
    "#]],
    );
    check_expr(
        "weighted-checklist(1, 2, ${age})",
        expect![[r#"
        (weighted-checklist 1 2 $age#0) : Boolean
        error[expr-arity] 0..32 `weighted-checklist(1, 2, ${age})`: `weighted-checklist()` takes an even number of arguments: min, max, then pairs of value and weight, not 3
    "#]],
    );
}

#[test]
fn roster_values_need_an_aggregate() {
    check_expr(
        "${member_age} > 18",
        expect![[r#"
        (> $member_age#9 18) : Boolean
        error[expr-many-ref] 0..13 `${member_age}`: `${member_age}` is inside a roster, so here it has one value per row: aggregate it with sum(), count(), count-non-empty(), min(), max(), join(), concat() or indexed-repeat()
    "#]],
    );
    check_expr(
        "sum(${member_age} * 2)",
        expect![[r#"
            (sum (* $member_age#9 2)) : Number
            error[expr-many-ref] 4..17 `${member_age}`: `${member_age}` is inside a roster: an aggregate takes it directly, as in `sum(${member_age})`, not inside a computation; compute the value in a calculation inside the roster and aggregate that
        "#]],
    );
    check_expr(
        "${members} > 2",
        expect![[r#"
        (> $members#8 2) : Boolean
        error[expr-roster-value] 0..10 `${members}`: `${members}` is a roster, which has no value of its own: count its rows with `count(${members})` or refer to a question inside it
    "#]],
    );
    check_expr(
        "sum(${members})",
        expect![[r#"
        (sum $members#8) : Number
        error[expr-roster-value] 4..14 `${members}`: `${members}` is a roster, which has no value of its own: count its rows with `count(${members})` or refer to a question inside it
    "#]],
    );
}

#[test]
fn bad_arguments() {
    check_expr(
        "indexed-repeat(${member_age}, ${age}, 1)",
        expect![[r#"
        (indexed-repeat $member_age#9 $age#0 1) : Number
        error[expr-bad-argument] 30..36 `${age}`: `${age}` is not a roster; this argument must name a roster
    "#]],
    );
    check_expr(
        "indexed-repeat(${member_age}, 'members', 1)",
        expect![[r#"
        (indexed-repeat $member_age#9 "members" 1) : Number
        error[expr-bad-argument] 30..39 `'members'`: argument 2 of `indexed-repeat()` must name a roster: `${roster}`
    "#]],
    );
    check_expr(
        "jr:choice-name(${sex}, 'sex')",
        expect![[r#"
        (jr:choice-name $sex#2 "sex") : String
        error[expr-bad-argument] 23..28 `'sex'`: the second argument of `jr:choice-name()` names the choice question in quotes: '${question}'
    "#]],
    );
    check_expr(
        "position(1)",
        expect![[r#"
        (position 1) : Number
        error[expr-bad-argument] 9..10 `1`: `position()` takes `..` (the current row) or a roster `${name}`
    "#]],
    );
    check_expr(
        "currency(${income} + 1)",
        expect![[r#"
        (currency (+ $income#11 1)) : String
        error[expr-bad-argument] 9..22 `${income} + 1`: `currency()` needs a question written as `${name}` here, not a computed value
    "#]],
    );
    check_expr(
        "pulldata('', 'rate', 'currency', 'EUR')",
        expect![[r#"
        (pulldata "" "rate" "currency" "EUR") : String
        error[expr-bad-argument] 9..11 `''`: the table name of `pulldata()` is empty
    "#]],
    );
}

#[test]
fn fields_current_and_parent_depend_on_where_the_expression_is() {
    check_expr(
        "region = 'north'",
        expect![[r#"
        (= field:region "north") : Boolean
        error[expr-field-not-allowed] 0..6 `region`: `region` is a bare name, which only a choice filter understands (as a column of the choice list); refer to a question as `${name}`
    "#]],
    );
    check_expr(
        "age > 3",
        expect![[r#"
        (> field:age 3) : Boolean
        error[expr-field-not-allowed] 0..3 `age`: to use the answer to `age`, write `${age}`
    "#]],
    );
    check_expr(
        "true",
        expect![[r#"
        field:true : Any
        error[expr-field-not-allowed] 0..4 `true`: `true` is a function: call it as `true()`
    "#]],
    );
    check_with(
        "region = ${sex} and name != 'x'",
        CheckOptions {
            allow_fields: true,
            allow_current: false,
        },
        expect![[r#"
            (and (= field:region $sex#2) (!= field:name "x")) : Boolean
        "#]],
    );
    check_expr(
        ". > 3",
        expect![[r#"
        (> . 3) : Boolean
        error[expr-current-not-allowed] 0..1 `.`: `.` (this question's own value) has no meaning here; refer to the question by `${name}`
    "#]],
    );
    check_with(
        ". > 3 and . < 10",
        CheckOptions {
            allow_fields: false,
            allow_current: true,
        },
        expect![[r#"
        (and (> . 3) (< . 10)) : Boolean
    "#]],
    );
    check_expr(
        ".. = 1",
        expect![[r#"
        (= .. 1) : Boolean
        error[expr-parent-misuse] 0..2 `..`: `..` is only understood as `position(..)`, the row number in the current roster
    "#]],
    );
}

#[test]
fn regex_literals_are_compiled_when_checked() {
    check_expr(
        "regex(${name}, '[0-9')",
        expect![[r#"
        (regex $name#1 "[0-9") : Boolean
        error[expr-bad-regex] 15..21 `'[0-9'`: '[0-9' is not a valid regular expression: error: unclosed character class
    "#]],
    );
    let (expr, _, diagnostics) =
        parse_and_check("regex(${name}, '^[A-Z]')", &TestScope::new(), &plain());
    assert!(diagnostics.is_empty());
    let survey_expr::ExprKind::Call {
        func: Func::Regex(cache),
        ..
    } = expr.unwrap().kind
    else {
        panic!("a call")
    };
    assert!(
        cache.compiled().is_some(),
        "a literal pattern is compiled by the checker"
    );
    // A computed pattern is left for evaluation.
    let (expr, _, _) = parse_and_check("regex(${name}, ${name})", &TestScope::new(), &plain());
    let survey_expr::ExprKind::Call {
        func: Func::Regex(cache),
        ..
    } = expr.unwrap().kind
    else {
        panic!("a call")
    };
    assert!(cache.compiled().is_none());
}

#[test]
fn type_warnings() {
    check_expr(
        "${name} + 1",
        expect![[r#"
        (+ $name#1 1) : Number
        warning[expr-type-mismatch] 0..7 `${name}`: cannot add a text: it is not a number, so the result will be empty (NaN)
    "#]],
    );
    check_expr(
        "${age} * 'abc'",
        expect![[r#"
        (* $age#0 "abc") : Number
        warning[expr-type-mismatch] 9..14 `'abc'`: cannot multiply the text 'abc': it is not a number, so the result will be empty (NaN)
    "#]],
    );
    check_expr(
        "${age} * '2'",
        expect![[r#"
        (* $age#0 "2") : Number
    "#]],
    );
    check_expr(
        "${dob} > 1990",
        expect![[r#"
        (> $dob#4 1990) : Boolean
        warning[expr-type-mismatch] 9..13 `1990`: a date compared with the number 1990 is compared with day 1990 after 1970-01-01; to compare years write `format-date(..., '%Y')`, or compare with a date like '1990-01-01'
    "#]],
    );
    check_expr(
        "${dob} < '2000-1-1'",
        expect![[r#"
        (< $dob#4 "2000-1-1") : Boolean
        warning[expr-type-mismatch] 9..19 `'2000-1-1'`: '2000-1-1' is not a date: write dates as 'YYYY-MM-DD'
    "#]],
    );
    check_expr(
        "${dob} < '2000-01-01' and ${dob} != ''",
        expect![[r#"
        (and (< $dob#4 "2000-01-01") (!= $dob#4 "")) : Boolean
    "#]],
    );
    check_expr(
        "selected(${sex}, 1)",
        expect![[r#"
        (selected $sex#2 1) : Boolean
        warning[expr-type-mismatch] 17..18 `1`: choice codes are text: write `'1'` in quotes
    "#]],
    );
    check_expr(
        "count-selected(${age})",
        expect![[r#"
        (count-selected $age#0) : Number
        warning[expr-type-mismatch] 15..21 `${age}`: `count-selected()` looks into a list of choice codes, but `${age}` is a number
    "#]],
    );
    check_expr(
        "jr:choice-name(${age}, '${age}')",
        expect![[r#"
        (jr:choice-name $age#0 $age#0) : String
        warning[expr-type-mismatch] 23..31 `'${age}'`: `jr:choice-name()` needs a choice question, but `${age}` is a number
    "#]],
    );
    check_expr(
        "format-date(${age}, '%Y')",
        expect![[r#"
        (format-date $age#0 "%Y") : String
        warning[expr-type-mismatch] 12..18 `${age}`: `format-date()` formats a date, but `${age}` is a number
    "#]],
    );
    check_expr(
        "-${loc}",
        expect![[r#"
        (neg $loc#7) : Number
        warning[expr-type-mismatch] 1..7 `${loc}`: cannot negate a geopoint: it is not a number, so the result will be empty (NaN)
    "#]],
    );
}

#[test]
fn multiple_choice_compared_with_a_code() {
    check_expr(
        "${langs} = 'fr'",
        expect![[r#"
        (= $langs#3 "fr") : Boolean
        warning[expr-multiple-compare] 0..8 `${langs}`: `${langs}` is a multiple choice: `=` compares the whole list of selected codes; to test one code write `selected(${langs}, 'fr')`
    "#]],
    );
    // Testing for an empty answer is fine.
    check_expr(
        "${langs} != ''",
        expect![[r#"
        (!= $langs#3 "") : Boolean
    "#]],
    );
}

#[test]
fn bad_date_format() {
    check_expr(
        "format-date(${dob}, '%d/%m/%Y %Q')",
        expect![[r#"
        (format-date $dob#4 "%d/%m/%Y %Q") : String
        warning[expr-bad-date-format] 20..33 `'%d/%m/%Y %Q'`: `%Q` is not a date format directive (use %Y %y %m %n %b %d %e %a %H %h %M %S %3, or %% for a percent sign); it will be printed as is
    "#]],
    );
    check_expr(
        "format-date-time(${visit}, '%e %b %Y %H:%M:%S.%3 %a %n %y %h %%')",
        expect![[r#"
        (format-date-time $visit#5 "%e %b %Y %H:%M:%S.%3 %a %n %y %h %%") : String
    "#]],
    );
}

#[test]
fn references_and_usage() {
    let (expr, _, diagnostics) = parse_and_check(
        "if(${age} > 1, jr:choice-name(${sex}, '${sex}'), count(${members}) + ${age}) and today() > ${dob}",
        &TestScope::new(),
        &plain(),
    );
    assert!(
        diagnostics
            .iter()
            .all(|d| d.severity == survey_expr::Severity::Warning),
        "{diagnostics:?}"
    );
    let expr = expr.unwrap();
    assert_eq!(references(&expr), [Slot(0), Slot(2), Slot(8), Slot(4)]);
    assert_eq!(reference_names(&expr), ["age", "sex", "members", "dob"]);
    expect![[r#"
        Usage {
            clock: true,
            random: false,
            position: false,
            current: false,
            fields: false,
            tables: false,
            language: true,
        }
    "#]]
    .assert_debug_eq(&usage(&expr));

    let (expr, _, _) = parse_and_check(
        "once(uuid()) = . or position(..) = 1 or pulldata('t', 'c', 'k', region) = now()",
        &TestScope::new(),
        &CheckOptions {
            allow_fields: true,
            allow_current: true,
        },
    );
    expect![[r#"
        Usage {
            clock: true,
            random: true,
            position: true,
            current: true,
            fields: true,
            tables: true,
            language: false,
        }
    "#]]
    .assert_debug_eq(&usage(&expr.unwrap()));

    // Unknown names are not references.
    let (expr, _, _) = parse_and_check("${nope} + ${age}", &TestScope::new(), &plain());
    assert_eq!(references(&expr.unwrap()), [Slot(0)]);
}
