//! Evaluation: coercions, empty values, dates, and every function of the library.

use expect_test::{Expect, expect};
use survey_expr::{CheckOptions, Severity, Value, eval, eval_bool, parse_and_check};

use crate::{TestContext, TestScope, render_value};

/// Evaluates each line of `inputs` (checked with `.` and bare names allowed) in the test interview and
/// shows `input => value`. Fails on any check error.
#[track_caller]
fn check(inputs: &str, expect: Expect) {
    check_allowing(inputs, None, expect);
}

/// As [`check`], tolerating errors with the code `allowed` (the checker still resolves every slot).
#[track_caller]
fn check_allowing(inputs: &str, allowed: Option<&str>, expect: Expect) {
    let scope = TestScope::new();
    let ctx = TestContext::new();
    let options = CheckOptions {
        allow_fields: true,
        allow_current: true,
    };
    let mut actual = String::new();
    for input in inputs
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
    {
        let (expr, _, diagnostics) = parse_and_check(input, &scope, &options);
        let errors: Vec<_> = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error && Some(d.code) != allowed)
            .collect();
        assert!(errors.is_empty(), "{input}: {errors:?}");
        let expr = expr.unwrap();
        let value = eval(&expr, &ctx);
        assert_eq!(
            eval_bool(&expr, &ctx),
            value.to_bool(),
            "eval_bool agrees with eval for {input}"
        );
        actual.push_str(&format!("{input} => {}\n", render_value(&value)));
    }
    expect.assert_eq(&actual);
}

#[test]
fn arithmetic_and_empty_values() {
    check(
        "
        1 + 2 * 3
        7 div 2
        7 mod 3
        -7 mod 3
        1 div 0
        -1 div 0
        0 div 0
        ${age} + 1
        ${empty} + 1
        ${name} * 2
        ${hh_size} * 2
        ' 12 ' + 1
        '1,5' * 2
        '1e3' + 0
        -${age}
        ${flag} + 1
        0.1 + 0.2
        1 div 3
        100000000000000000000 * 10
        ",
        expect![[r#"
            1 + 2 * 3 => number 7
            7 div 2 => number 3.5
            7 mod 3 => number 1
            -7 mod 3 => number -1
            1 div 0 => number Infinity
            -1 div 0 => number -Infinity
            0 div 0 => number NaN
            ${age} + 1 => number 35
            ${empty} + 1 => number NaN
            ${name} * 2 => number NaN
            ${hh_size} * 2 => number 6
            ' 12 ' + 1 => number 13
            '1,5' * 2 => number 3
            '1e3' + 0 => number NaN
            -${age} => number -34
            ${flag} + 1 => number 2
            0.1 + 0.2 => number 0.30000000000000004
            1 div 3 => number 0.3333333333333333
            100000000000000000000 * 10 => number 1000000000000000000000
        "#]],
    );
}

#[test]
fn equality_coercions() {
    check(
        "
        ${sex} = 2
        ${sex} = '2'
        ${sex} = 2.0
        '02' = 2
        '02' = '2'
        ${age} = '34'
        ${empty} = ''
        ${empty} = 0
        ${empty} != 0
        'abc' != 1
        0.1 + 0.2 = 0.3
        true() = 'false'
        false() = ''
        ${flag} = true()
        1 = true()
        0 = false()
        ${dob} = '2000-03-01'
        ${dob} = date('2000-03-01')
        ${dob} = 11017
        ${visit} = '2026-11-23T10:30:15.250+01:00'
        ${visit} = '2026-11-23T09:30:15.250Z'
        ${visit} = ${visit}
        ",
        expect![[r#"
            ${sex} = 2 => true
            ${sex} = '2' => true
            ${sex} = 2.0 => true
            '02' = 2 => true
            '02' = '2' => false
            ${age} = '34' => true
            ${empty} = '' => true
            ${empty} = 0 => false
            ${empty} != 0 => true
            'abc' != 1 => true
            0.1 + 0.2 = 0.3 => true
            true() = 'false' => true
            false() = '' => true
            ${flag} = true() => true
            1 = true() => true
            0 = false() => true
            ${dob} = '2000-03-01' => true
            ${dob} = date('2000-03-01') => true
            ${dob} = 11017 => true
            ${visit} = '2026-11-23T10:30:15.250+01:00' => true
            ${visit} = '2026-11-23T09:30:15.250Z' => true
            ${visit} = ${visit} => true
        "#]],
    );
}

#[test]
fn relational_coercions_and_nan() {
    check(
        "
        ${age} > 18
        ${empty} < 1
        ${empty} >= 1
        ${empty} = ${empty}
        'abc' < 'abd'
        '10' > '9'
        ${dob} < '2000-03-02'
        ${dob} > '1999-12-31'
        today() > ${dob}
        ${visit} > '2026-11-23'
        ${visit} < '2026-11-24'
        ${start_time} < '09:00'
        ${start_time} > '08:29:59'
        true() > false()
        ",
        expect![[r#"
            ${age} > 18 => true
            ${empty} < 1 => false
            ${empty} >= 1 => false
            ${empty} = ${empty} => true
            'abc' < 'abd' => false
            '10' > '9' => true
            ${dob} < '2000-03-02' => true
            ${dob} > '1999-12-31' => true
            today() > ${dob} => true
            ${visit} > '2026-11-23' => true
            ${visit} < '2026-11-24' => true
            ${start_time} < '09:00' => true
            ${start_time} > '08:29:59' => true
            true() > false() => true
        "#]],
    );
}

#[test]
fn logic() {
    check(
        "
        1 and 0
        1 or 0
        'false' and 1
        '' or 0
        not(${empty})
        not('0')
        boolean('false')
        boolean(0)
        boolean(0 div 0)
        boolean(-1)
        boolean(${dob})
        boolean-from-string('true')
        boolean-from-string('TRUE')
        boolean-from-string('1')
        boolean-from-string('yes')
        boolean-from-string(${flag})
        true()
        false()
        ",
        expect![[r#"
            1 and 0 => false
            1 or 0 => true
            'false' and 1 => true
            '' or 0 => false
            not(${empty}) => true
            not('0') => false
            boolean('false') => true
            boolean(0) => false
            boolean(0 div 0) => false
            boolean(-1) => true
            boolean(${dob}) => true
            boolean-from-string('true') => true
            boolean-from-string('TRUE') => true
            boolean-from-string('1') => true
            boolean-from-string('yes') => false
            boolean-from-string(${flag}) => true
            true() => true
            false() => false
        "#]],
    );
}

#[test]
fn strings_and_numbers_print_as_xpath() {
    check(
        "
        string(1)
        string(1.50)
        string(-0)
        string(0 div 0)
        string(1 div 0)
        string(0.000001)
        string(123456789012)
        string(true())
        string(${dob})
        string(${visit})
        string(${age})
        number('  -3.25 ')
        number('')
        number('12abc')
        number(true())
        number(${dob})
        number('2000-03-01')
        number('1970-01-02T12:00:00Z')
        number('18:00')
        number(${visit})
        ",
        expect![[r#"
            string(1) => "1"
            string(1.50) => "1.5"
            string(-0) => "0"
            string(0 div 0) => "NaN"
            string(1 div 0) => "Infinity"
            string(0.000001) => "0.000001"
            string(123456789012) => "123456789012"
            string(true()) => "true"
            string(${dob}) => "2000-03-01"
            string(${visit}) => "2026-11-23T10:30:15.250+01:00"
            string(${age}) => "34"
            number('  -3.25 ') => number -3.25
            number('') => number NaN
            number('12abc') => number NaN
            number(true()) => number 1
            number(${dob}) => number 11017
            number('2000-03-01') => number 11017
            number('1970-01-02T12:00:00Z') => number 1.5
            number('18:00') => number 0.75
            number(${visit}) => number 20780.39600983796
        "#]],
    );
}

#[test]
fn string_functions() {
    check(
        "
        concat(${name}, ' (', ${age}, ')')
        concat(${member_name})
        concat('a', ${member_name}, 'z')
        join(', ', ${member_name})
        join('-', 'a', ${age}, true())
        string-length(${name})
        string-length('فاطمة')
        substr('hello', 1)
        substr('hello', 1, 3)
        substr('hello', -3)
        substr('hello', 0, -1)
        substr('hello', 4, 2)
        substr('hello', 10)
        substr('héllo', 1, 2)
        substring-before('a-b-c', '-')
        substring-before('abc', 'x')
        substring-after('a-b-c', '-')
        substring-after('abc', '')
        contains(${name}, 'Zahra')
        starts-with(${name}, 'Fat')
        ends-with(${name}, 'x')
        translate('bar', 'abc', 'ABC')
        translate('--aaa--', 'a-', 'A')
        normalize-space('  a \t b   c  ')
        ",
        expect![[r#"
            concat(${name}, ' (', ${age}, ')') => "Fatima Zahra (34)"
            concat(${member_name}) => "AliSara"
            concat('a', ${member_name}, 'z') => "aAliSaraz"
            join(', ', ${member_name}) => "Ali, , Sara"
            join('-', 'a', ${age}, true()) => "a-34-true"
            string-length(${name}) => number 12
            string-length('فاطمة') => number 5
            substr('hello', 1) => "ello"
            substr('hello', 1, 3) => "el"
            substr('hello', -3) => "llo"
            substr('hello', 0, -1) => "hell"
            substr('hello', 4, 2) => ""
            substr('hello', 10) => ""
            substr('héllo', 1, 2) => "é"
            substring-before('a-b-c', '-') => "a"
            substring-before('abc', 'x') => ""
            substring-after('a-b-c', '-') => "b-c"
            substring-after('abc', '') => "abc"
            contains(${name}, 'Zahra') => true
            starts-with(${name}, 'Fat') => true
            ends-with(${name}, 'x') => false
            translate('bar', 'abc', 'ABC') => "BAr"
            translate('--aaa--', 'a-', 'A') => "AAA"
            normalize-space('  a 	 b   c  ') => "a b c"
        "#]],
    );
}

#[test]
fn regex_matches_the_whole_value() {
    check(
        "
        regex('0612345678', '0[67][0-9]{8}')
        regex('x0612345678', '0[67][0-9]{8}')
        regex('0612345678x', '0[67][0-9]{8}')
        regex('ab', 'a|b')
        regex('AB12', '^[A-Z]+[0-9]+$')
        regex(${name}, concat('Fat', '.*'))
        regex(${name}, concat('[', ''))
        regex('', '.*')
        ",
        expect![[r#"
            regex('0612345678', '0[67][0-9]{8}') => true
            regex('x0612345678', '0[67][0-9]{8}') => false
            regex('0612345678x', '0[67][0-9]{8}') => false
            regex('ab', 'a|b') => false
            regex('AB12', '^[A-Z]+[0-9]+$') => true
            regex(${name}, concat('Fat', '.*')) => true
            regex(${name}, concat('[', '')) => false
            regex('', '.*') => true
        "#]],
    );
}

#[test]
fn choice_functions() {
    check(
        "
        selected(${langs}, 'fr')
        selected(${langs}, ' ar ')
        selected(${langs}, 'f')
        selected(${langs}, '')
        selected(${sex}, '2')
        selected(${empty}, 'fr')
        count-selected(${langs})
        count-selected(${empty})
        count-selected('  a   b ')
        selected-at(${langs}, 0)
        selected-at(${langs}, 1)
        selected-at(${langs}, 2)
        selected-at(${langs}, -1)
        jr:choice-name(${sex}, '${sex}')
        jr:choice-name('1', '${sex}')
        jr:choice-name('9', '${sex}')
        jr:choice-name(selected-at(${langs}, 0), '${langs}')
        ",
        expect![[r#"
            selected(${langs}, 'fr') => true
            selected(${langs}, ' ar ') => true
            selected(${langs}, 'f') => false
            selected(${langs}, '') => false
            selected(${sex}, '2') => true
            selected(${empty}, 'fr') => false
            count-selected(${langs}) => number 2
            count-selected(${empty}) => number 0
            count-selected('  a   b ') => number 2
            selected-at(${langs}, 0) => "fr"
            selected-at(${langs}, 1) => "ar"
            selected-at(${langs}, 2) => ""
            selected-at(${langs}, -1) => ""
            jr:choice-name(${sex}, '${sex}') => "Femme"
            jr:choice-name('1', '${sex}') => "Homme"
            jr:choice-name('9', '${sex}') => ""
            jr:choice-name(selected-at(${langs}, 0), '${langs}') => "Français"
        "#]],
    );
}

#[test]
fn number_functions() {
    check(
        "
        int(3.7)
        int(-3.7)
        int('')
        round(2.5)
        round(-2.5)
        round(2.4)
        round(-2.6)
        round(1.005, 2)
        round(3.14159, 3)
        round(-1.25, 1)
        round(1234.5, -2)
        round(1250, -2)
        round(1, 31)
        round(${empty})
        pow(2, 10)
        pow(2, 0.5)
        abs(-4)
        sqrt(16)
        sqrt(-1)
        log(exp(2))
        log10(1000)
        exp10(3)
        round(pi(), 5)
        round(sin(pi() div 2), 10)
        round(cos(0), 10)
        round(tan(0), 10)
        round(asin(1), 5)
        round(acos(1), 5)
        round(atan(1), 5)
        round(atan2(1, 1), 5)
        ",
        expect![[r#"
            int(3.7) => number 3
            int(-3.7) => number -3
            int('') => number NaN
            round(2.5) => number 3
            round(-2.5) => number -2
            round(2.4) => number 2
            round(-2.6) => number -3
            round(1.005, 2) => number 1.01
            round(3.14159, 3) => number 3.142
            round(-1.25, 1) => number -1.2
            round(1234.5, -2) => number 1200
            round(1250, -2) => number 1300
            round(1, 31) => number NaN
            round(${empty}) => number NaN
            pow(2, 10) => number 1024
            pow(2, 0.5) => number 1.4142135623730951
            abs(-4) => number 4
            sqrt(16) => number 4
            sqrt(-1) => number NaN
            log(exp(2)) => number 2
            log10(1000) => number 3
            exp10(3) => number 1000
            round(pi(), 5) => number 3.14159
            round(sin(pi() div 2), 10) => number 1
            round(cos(0), 10) => number 1
            round(tan(0), 10) => number 0
            round(asin(1), 5) => number 1.5708
            round(acos(1), 5) => number 0
            round(atan(1), 5) => number 0.7854
            round(atan2(1, 1), 5) => number 0.7854
        "#]],
    );
}

#[test]
fn aggregates() {
    check(
        "
        sum(${member_age})
        sum(${member_age}, ${age}, '')
        sum(${age})
        count(${members})
        count(${episodes})
        count(${member_age})
        count(${age})
        count-non-empty(${member_name})
        count-non-empty(${member_age})
        count-non-empty(${empty})
        min(${member_age})
        max(${member_age})
        max(${member_age}, ${age}, '50')
        min(${member_age}, -1)
        max(${empty}, '')
        min(${episode_country})
        join(' ', ${episode_country})
        ",
        expect![[r#"
            sum(${member_age}) => number 52
            sum(${member_age}, ${age}, '') => number 86
            sum(${age}) => number 34
            count(${members}) => number 3
            count(${episodes}) => number 0
            count(${member_age}) => number 3
            count(${age}) => number 1
            count-non-empty(${member_name}) => number 2
            count-non-empty(${member_age}) => number 2
            count-non-empty(${empty}) => number 0
            min(${member_age}) => number 12
            max(${member_age}) => number 40
            max(${member_age}, ${age}, '50') => number 50
            min(${member_age}, -1) => number -1
            max(${empty}, '') => number NaN
            min(${episode_country}) => number NaN
            join(' ', ${episode_country}) => ""
        "#]],
    );
}

#[test]
fn roster_values_compare_existentially() {
    // The checker rejects these (`expr-many-ref`), but evaluation still follows XPath: a node-set
    // compares true when any of its values does, and stands for its first value elsewhere.
    check_allowing(
        "
        ${member_sex} = '1'
        ${member_sex} = '3'
        ${member_sex} != '2'
        ${member_sex} != ${member_sex}
        ${member_age} > 39
        ${member_age} < 12
        ${member_age} <= 12
        ${episode_country} = ''
        ${episode_country} != ''
        ${member_age} = true()
        ${member_age} != true()
        ${episode_country} = false()
        ${episode_country} != false()
        ${episode_country} != 'x'
        ${member_age} + 1
        string(${member_name})
        ",
        Some("expr-many-ref"),
        expect![[r#"
            ${member_sex} = '1' => true
            ${member_sex} = '3' => false
            ${member_sex} != '2' => true
            ${member_sex} != ${member_sex} => true
            ${member_age} > 39 => true
            ${member_age} < 12 => false
            ${member_age} <= 12 => true
            ${episode_country} = '' => false
            ${episode_country} != '' => false
            ${member_age} = true() => true
            ${member_age} != true() => false
            ${episode_country} = false() => true
            ${episode_country} != false() => false
            ${episode_country} != 'x' => false
            ${member_age} + 1 => number 41
            string(${member_name}) => "Ali"
        "#]],
    );
}

#[test]
fn rosters_positions_and_indexes() {
    check(
        "
        position(..)
        position(${members})
        position(${episodes})
        indexed-repeat(${member_name}, ${members}, 1)
        indexed-repeat(${member_name}, ${members}, 3)
        indexed-repeat(${member_name}, ${members}, 0)
        indexed-repeat(${member_name}, ${members}, ${empty})
        indexed-repeat(${member_name}, ${members}, position(..) + 1)
        indexed-repeat(${episode_country}, ${members}, 2, ${episodes}, 1)
        ",
        expect![[r#"
            position(..) => number 2
            position(${members}) => number 2
            position(${episodes}) => number 1
            indexed-repeat(${member_name}, ${members}, 1) => "Ali"
            indexed-repeat(${member_name}, ${members}, 3) => "Sara"
            indexed-repeat(${member_name}, ${members}, 0) => "Ali"
            indexed-repeat(${member_name}, ${members}, ${empty}) => "Ali"
            indexed-repeat(${member_name}, ${members}, position(..) + 1) => "Sara"
            indexed-repeat(${episode_country}, ${members}, 2, ${episodes}, 1) => "17@[(8, 2), (16, 1)]"
        "#]],
    );
}

#[test]
fn conditionals_once_and_coalesce() {
    check(
        "
        if(${age} >= 18, 'adult', 'minor')
        if(${empty}, 'yes', 'no')
        if('false', 'yes', 'no')
        coalesce(${empty}, 'fallback')
        coalesce(${name}, 'fallback')
        coalesce(${empty} + 1, 0)
        once(uuid())
        once(. + 1)
        uuid()
        ",
        expect![[r#"
            if(${age} >= 18, 'adult', 'minor') => "adult"
            if(${empty}, 'yes', 'no') => "no"
            if('false', 'yes', 'no') => "yes"
            coalesce(${empty}, 'fallback') => "fallback"
            coalesce(${name}, 'fallback') => "Fatima Zahra"
            coalesce(${empty} + 1, 0) => number 0
            once(uuid()) => "7"
            once(. + 1) => "7"
            uuid() => "0190a6a0-0000-7000-8000-000000000001"
        "#]],
    );
    // `once` computes only while the item is empty.
    let scope = TestScope::new();
    let mut ctx = TestContext::new();
    ctx.current = Value::empty();
    let (expr, _, _) = parse_and_check(
        "once(concat('id-', uuid()))",
        &scope,
        &CheckOptions::default(),
    );
    assert_eq!(
        eval(&expr.unwrap(), &ctx).to_string_value(),
        "id-0190a6a0-0000-7000-8000-000000000001"
    );
}

#[test]
fn checklists() {
    check(
        "
        checklist(2, -1, ${age} > 18, ${empty}, ${flag})
        checklist(-1, 1, ${age} > 18, ${empty}, ${flag})
        checklist(1, 2, ${member_age})
        checklist(3, 3, ${member_name})
        weighted-checklist(5, 10, ${age} > 18, 3, ${flag}, 4, ${empty}, 100)
        weighted-checklist(8, 10, ${age} > 18, 3, ${flag}, 4)
        ",
        expect![[r#"
            checklist(2, -1, ${age} > 18, ${empty}, ${flag}) => true
            checklist(-1, 1, ${age} > 18, ${empty}, ${flag}) => false
            checklist(1, 2, ${member_age}) => true
            checklist(3, 3, ${member_name}) => false
            weighted-checklist(5, 10, ${age} > 18, 3, ${flag}, 4, ${empty}, 100) => true
            weighted-checklist(8, 10, ${age} > 18, 3, ${flag}, 4) => false
        "#]],
    );
}

#[test]
fn lookups_and_currency() {
    check(
        "
        pulldata('fx_rates', 'rate', 'currency', 'EUR')
        pulldata('fx_rates', 'rate', 'currency', 'EUR') * ${amount}
        pulldata('fx_rates', 'rate', 'currency', 'XXX')
        currency(${income})
        currency(${amount})
        ",
        expect![[r#"
            pulldata('fx_rates', 'rate', 'currency', 'EUR') => "10.8"
            pulldata('fx_rates', 'rate', 'currency', 'EUR') * ${amount} => number 1080
            pulldata('fx_rates', 'rate', 'currency', 'XXX') => ""
            currency(${income}) => "MAD"
            currency(${amount}) => ""
        "#]],
    );
}

#[test]
fn dates() {
    check(
        "
        today()
        now()
        today() - ${dob}
        ${dob} + 1
        date(${dob} + 1)
        date(0)
        date(-1)
        date(19000.9)
        date('2024-02-29')
        date('2023-02-29')
        date('2026-11-23T23:30:00-05:00')
        date(${visit})
        date('')
        date('soon')
        date(1 div 0)
        date-time(0.5)
        date-time('2026-01-02')
        date-time('2026-01-02T03:04:05+02:00')
        decimal-date-time('1970-01-02T12:00:00Z')
        decimal-date-time(${visit})
        decimal-date-time(${dob})
        decimal-date-time('')
        decimal-time('18:00:00')
        decimal-time(${start_time})
        decimal-time(${visit})
        decimal-time(1.25)
        int((today() - ${dob}) div 365.25)
        format-date(${dob}, '%Y-%m-%d %y %n/%e %b %a')
        format-date(${dob}, '%d/%m/%Y')
        format-date('1999-12-05', '%e %b %Y, %a')
        format-date(${visit}, '%Y-%m-%d %H:%M')
        format-date-time(${visit}, '%Y-%m-%dT%H:%M:%S.%3 %h')
        format-date-time(now(), '%d/%m/%Y %H:%M')
        format-date(today(), '%Y')
        format-date(0, '%Y-%m-%d %H')
        format-date(0.75, '%H:%M %Q 100%% %')
        format-date('', '%Y')
        format-date('tomorrow', '%Y')
        format-date('0099-01-01', '%Y %y')
        ",
        expect![[r#"
            today() => date 2026-11-24
            now() => datetime 2026-11-24T00:30:00.000+01:00
            today() - ${dob} => number 9764
            ${dob} + 1 => number 11018
            date(${dob} + 1) => date 2000-03-02
            date(0) => date 1970-01-01
            date(-1) => date 1969-12-31
            date(19000.9) => date 2022-01-08
            date('2024-02-29') => date 2024-02-29
            date('2023-02-29') => ""
            date('2026-11-23T23:30:00-05:00') => date 2026-11-23
            date(${visit}) => date 2026-11-23
            date('') => ""
            date('soon') => ""
            date(1 div 0) => ""
            date-time(0.5) => datetime 1970-01-01T12:00:00.000Z
            date-time('2026-01-02') => datetime 2026-01-02T00:00:00.000Z
            date-time('2026-01-02T03:04:05+02:00') => datetime 2026-01-02T03:04:05.000+02:00
            decimal-date-time('1970-01-02T12:00:00Z') => number 1.5
            decimal-date-time(${visit}) => number 20780.39600983796
            decimal-date-time(${dob}) => number 11017
            decimal-date-time('') => number NaN
            decimal-time('18:00:00') => number 0.75
            decimal-time(${start_time}) => number 0.3541666666666667
            decimal-time(${visit}) => number 0.43767650462962965
            decimal-time(1.25) => number 0.25
            int((today() - ${dob}) div 365.25) => number 26
            format-date(${dob}, '%Y-%m-%d %y %n/%e %b %a') => "2000-03-01 00 3/1 Mar Wed"
            format-date(${dob}, '%d/%m/%Y') => "01/03/2000"
            format-date('1999-12-05', '%e %b %Y, %a') => "5 Dec 1999, Sun"
            format-date(${visit}, '%Y-%m-%d %H:%M') => "2026-11-23 10:30"
            format-date-time(${visit}, '%Y-%m-%dT%H:%M:%S.%3 %h') => "2026-11-23T10:30:15.250 10"
            format-date-time(now(), '%d/%m/%Y %H:%M') => "24/11/2026 00:30"
            format-date(today(), '%Y') => "2026"
            format-date(0, '%Y-%m-%d %H') => "1970-01-01 00"
            format-date(0.75, '%H:%M %Q 100%% %') => "18:00 %Q 100% %"
            format-date('', '%Y') => ""
            format-date('tomorrow', '%Y') => ""
            format-date('0099-01-01', '%Y %y') => "0099 99"
        "#]],
    );
}

#[test]
fn choice_filter_fields() {
    check(
        "
        region = 'north'
        name = 'casa' and region != ${sex}
        unknown_column = ''
        ",
        expect![[r#"
            region = 'north' => true
            name = 'casa' and region != ${sex} => true
            unknown_column = '' => true
        "#]],
    );
}

#[test]
fn unchecked_expressions_evaluate_to_empty() {
    // An expression that was never checked has no slots and no functions: it still evaluates, totally.
    let (expr, _) = survey_expr::parse("${age} + count-selected(${langs})");
    let value = eval(&expr.unwrap(), &TestContext::new());
    assert!(value.to_number().is_nan());
}

#[test]
fn value_conversions() {
    let nodeset = Value::Nodeset(vec![Value::Num(2.0), Value::str("x")]);
    assert_eq!(nodeset.to_number(), 2.0);
    assert_eq!(nodeset.to_string_value(), "2");
    assert!(nodeset.to_bool());
    assert!(!nodeset.is_empty());
    let none = Value::Nodeset(vec![]);
    assert!(none.to_number().is_nan());
    assert_eq!(none.to_string_value(), "");
    assert!(!none.to_bool());
    assert!(none.is_empty());
    assert!(Value::Num(f64::NAN).is_empty());
    assert!(Value::empty().is_empty());
    assert!(!Value::Bool(false).is_empty());
    assert!(!Value::Date(0).is_empty());
    assert_eq!(Value::Date(-1).to_string(), "1969-12-31");
    assert_eq!(Value::from(0.5).to_string(), "0.5");
    assert_eq!(Value::from(true).to_string(), "true");
    assert_eq!(Value::from("x").to_string(), "x");
}

#[test]
fn every_function_is_evaluated_here() {
    let source = include_str!("eval.rs");
    let missing: Vec<&str> = survey_expr::Func::all_names()
        .into_iter()
        .filter(|name| !source.contains(&format!("{name}(")))
        .collect();
    assert!(
        missing.is_empty(),
        "functions without an evaluation test: {missing:?}"
    );
}

#[test]
fn deepest_accepted_expressions_check_and_evaluate() {
    let scope = TestScope::new();
    let ctx = TestContext::new();
    let depth = survey_expr::MAX_DEPTH - 1;
    let chain = vec!["${age}"; depth].join(" + ");
    let signs = format!("{}${{age}}", "-".repeat(depth - 1));
    let nested = format!("{}1{}", "abs(".repeat(depth - 1), ")".repeat(depth - 1));
    let sign = if (depth - 1).is_multiple_of(2) {
        1.0
    } else {
        -1.0
    };
    for (src, expected) in [
        (chain, 34.0 * depth as f64),
        (signs, sign * 34.0),
        (nested, 1.0),
    ] {
        let (expr, _, diagnostics) = parse_and_check(&src, &scope, &CheckOptions::default());
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(eval(&expr.unwrap(), &ctx).to_number(), expected);
    }
}
