//! Parsing: trees, precedence, and syntax errors with their spans.

use expect_test::{Expect, expect};
use survey_expr::{TokenKind, parse, tokenize};

use crate::{render_diagnostics, sexp};

/// Parses `input` and shows the tree (prefix form) or the diagnostics.
#[track_caller]
fn check(input: &str, expect: Expect) {
    let (expr, diagnostics) = parse(input);
    let mut actual = String::new();
    if let Some(expr) = &expr {
        actual.push_str(&sexp(expr));
        actual.push('\n');
    }
    actual.push_str(&render_diagnostics(input, &diagnostics));
    assert_eq!(
        expr.is_some(),
        diagnostics.is_empty(),
        "a tree comes exactly when there is no error"
    );
    expect.assert_eq(&actual);
}

#[test]
fn literals_and_references() {
    check(
        "${age}",
        expect![[r#"
        $age
    "#]],
    );
    check(
        "'it''s'",
        expect![[r#"
        error[expr-trailing-input] 4..7 `'s'`: two texts side by side: to put a quote inside a text, enclose the text in the other kind of quotes ("it's")
    "#]],
    );
    check(
        r#""it's""#,
        expect![[r#"
        "it's"
    "#]],
    );
    check(
        "12.50",
        expect![[r#"
        12.5
    "#]],
    );
    check(
        ".5 + 3.",
        expect![[r#"
        (+ 0.5 3)
    "#]],
    );
    check(
        ".",
        expect![[r#"
        .
    "#]],
    );
    check(
        "position(..)",
        expect![[r#"
        (position ..)
    "#]],
    );
    check(
        "region = ${a_region} and name != 'x'",
        expect![[r#"
        (and (= field:region $a_region) (!= field:name "x"))
    "#]],
    );
}

#[test]
fn precedence_follows_xpath() {
    check(
        "1 + 2 * 3",
        expect![[r#"
        (+ 1 (* 2 3))
    "#]],
    );
    check(
        "1 - 2 - 3",
        expect![[r#"
        (- (- 1 2) 3)
    "#]],
    );
    check(
        "(1 + 2) * 3",
        expect![[r#"
        (* (+ 1 2) 3)
    "#]],
    );
    check(
        "-${a} * 2",
        expect![[r#"
        (* (neg $a) 2)
    "#]],
    );
    check(
        "--1",
        expect![[r#"
        (neg (neg 1))
    "#]],
    );
    check(
        "${a} > 1 or ${b} < 2 and ${c} = 3",
        expect![[r#"
        (or (> $a 1) (and (< $b 2) (= $c 3)))
    "#]],
    );
    check(
        "${a} = 1 != ${b} < 2 + 3 div 4 mod 5",
        expect![[r#"
        (!= (= $a 1) (< $b (+ 2 (mod (div 3 4) 5))))
    "#]],
    );
    check(
        "1 <= 2 >= 3",
        expect![[r#"
        (>= (<= 1 2) 3)
    "#]],
    );
}

#[test]
fn operator_names_depend_on_position() {
    // `div`, `mod`, `and`, `or` are names where a value is expected and operators after a value.
    check(
        "div div mod",
        expect![[r#"
        (div field:div field:mod)
    "#]],
    );
    check(
        "and and or",
        expect![[r#"
        (and field:and field:or)
    "#]],
    );
}

#[test]
fn calls_with_dashes_and_prefixes() {
    check(
        "count-selected(${langs})",
        expect![[r#"
        (count-selected $langs)
    "#]],
    );
    check(
        "jr:choice-name(${sex}, '${sex}')",
        expect![[r#"
        (jr:choice-name $sex $sex)
    "#]],
    );
    check(
        "jr:choice-name(${sex}, 'sex')",
        expect![[r#"
        (jr:choice-name $sex "sex")
    "#]],
    );
    check(
        "true()",
        expect![[r#"
        (true)
    "#]],
    );
    check(
        "concat(${a}, ' ', if(${b} = '', 'x', ${b}))",
        expect![[r#"
        (concat $a " " (if (= $b "") "x" $b))
    "#]],
    );
    check(
        "indexed-repeat(${member_name}, ${members}, position(..) - 1)",
        expect![[r#"
        (indexed-repeat $member_name $members (- (position ..) 1))
    "#]],
    );
}

#[test]
fn unicode_and_whitespace() {
    check(
        "${name} = 'فاطمة'\n\tand\u{a0}${x} != \"é\"",
        expect![[r#"
        (and (= $name "فاطمة") (!= $x "é"))
    "#]],
    );
}

#[test]
fn lexical_errors_have_spans() {
    check(
        "",
        expect![[r#"
        error[expr-empty] 0..0 ``: the expression is empty
    "#]],
    );
    check(
        "   ",
        expect![[r#"
        error[expr-empty] 0..3 `   `: the expression is empty
    "#]],
    );
    check(
        "${a} # 2",
        expect![[r#"
        error[expr-unexpected-char] 5..6 `#`: the character `#` cannot appear here
    "#]],
    );
    check(
        "$a + 1",
        expect![[r#"
        error[expr-unexpected-char] 0..1 `$`: `$` must start a question reference like `${name}`
    "#]],
    );
    check(
        "${a} = 'yes",
        expect![[r#"
        error[expr-unterminated-string] 7..11 `'yes`: this text is never closed: add a `'` at its end
    "#]],
    );
    check(
        "${age + 1",
        expect![[r#"
        error[expr-unterminated-ref] 0..5 `${age`: the reference `${age` is never closed: add a `}`
    "#]],
    );
    check(
        "${} = 1",
        expect![[r#"
        error[expr-bad-ref-name] 0..3 `${}`: `${}` names no question: write the question's name between the braces
    "#]],
    );
    check(
        "${1st} = 1",
        expect![[r#"
        error[expr-bad-ref-name] 0..6 `${1st}`: `1st` is not a valid question name: names start with a letter or `_` and contain letters, digits, `_`, `-` or `.`
    "#]],
    );
    check(
        "1e5 + 1.2.3",
        expect![[r#"
        error[expr-bad-number] 0..3 `1e5`: `1e5` is not a number: write digits with at most one `.` (no exponent, no unit)
        error[expr-bad-number] 6..11 `1.2.3`: `1.2.3` is not a number: write digits with at most one `.` (no exponent, no unit)
    "#]],
    );
    check(
        "/data/age > 1",
        expect![[r#"
        error[expr-unsupported-syntax] 0..9 `/data/age`: XPath paths (`/data/...`) are not supported: refer to a question as `${name}`, and divide with `div`
    "#]],
    );
    check(
        "${a} == 1 && !${b}",
        expect![[r#"
        error[expr-unsupported-syntax] 5..7 `==`: `==` is not an operator here: write a single `=` to test equality
        error[expr-unsupported-syntax] 10..12 `&&`: `&` is not an operator here: write `and` to combine conditions
        error[expr-unsupported-syntax] 13..14 `!`: `!` is not an operator here: write `not(...)` to negate, or `!=` for "not equal"
    "#]],
    );
}

#[test]
fn syntax_errors_have_spans() {
    check(
        "${a} +",
        expect![[r#"
        error[expr-expected-operand] 6..6 ``: the expression ends too early: a value is missing at the end
    "#]],
    );
    check(
        "()",
        expect![[r#"
        error[expr-expected-operand] 1..2 `)`: expected a value (a number, 'text', ${name}, a function call...), found `)`
    "#]],
    );
    check(
        "${a} 1",
        expect![[r#"
        error[expr-trailing-input] 5..6 `1`: unexpected `1` after a complete expression: is an operator (`and`, `or`, `+`, ...) or a `,` missing?
    "#]],
    );
    check(
        "(1 + 2",
        expect![[r#"
        error[expr-unclosed-paren] 0..1 `(`: this `(` is never closed: expected `)`, found the end of the expression
    "#]],
    );
    check(
        "concat('a'",
        expect![[r#"
        error[expr-unclosed-paren] 6..7 `(`: the call to `concat(` is never closed: expected `,` or `)` before the end
    "#]],
    );
    check(
        "concat('a' 'b')",
        expect![[r#"
        error[expr-expected-comma] 11..14 `'b'`: expected `,` or `)` in the call to `concat(`, found `'b'`
    "#]],
    );
    check(
        "1)",
        expect![[r#"
        error[expr-trailing-input] 1..2 `)`: unexpected `)` after a complete expression: is an operator (`and`, `or`, `+`, ...) or a `,` missing?
    "#]],
    );
}

#[test]
fn several_errors_in_one_pass() {
    // One error per argument: recovery resumes at each `,`.
    check(
        "if(${a} >, 1 +, 'x)",
        expect![[r#"
        error[expr-expected-operand] 9..10 `,`: expected a value (a number, 'text', ${name}, a function call...), found `,`
        error[expr-expected-operand] 14..15 `,`: expected a value (a number, 'text', ${name}, a function call...), found `,`
        error[expr-unterminated-string] 16..19 `'x)`: this text is never closed: add a `'` at its end
    "#]],
    );
}

#[test]
fn depth_is_limited() {
    let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
    let (expr, diagnostics) = parse(&deep);
    assert!(expr.is_none());
    assert_eq!(
        diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(),
        ["expr-too-deep"]
    );

    let chain = vec!["1"; 5_000].join(" + ");
    let (expr, diagnostics) = parse(&chain);
    assert!(expr.is_none());
    assert_eq!(
        diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(),
        ["expr-too-deep"]
    );

    let signs = format!("{}1", "-".repeat(100_000));
    assert_eq!(
        parse(&signs).1.iter().map(|d| d.code).collect::<Vec<_>>(),
        ["expr-too-deep"]
    );

    // A long but realistic condition is fine.
    let ok = (0..100)
        .map(|i| format!("selected(${{langs}}, 'l{i}')"))
        .collect::<Vec<_>>()
        .join(" or ");
    assert!(parse(&ok).0.is_some());
}

#[test]
fn tokens_cover_the_source() {
    let src = "count-selected(${a}) >= .5 and jr:choice-name(., '${b}') != \"x\"";
    let (tokens, diagnostics) = tokenize(src);
    assert!(diagnostics.is_empty());
    let shown: Vec<String> = tokens
        .iter()
        .map(|t| format!("{:?}:{}", t.kind, t.text(src)))
        .collect();
    expect![[r#"
        Ident:count-selected LParen:( Ref:${a} RParen:) Ge:>= Number:.5 Ident:and Ident:jr:choice-name LParen:( Dot:. Comma:, Str:'${b}' RParen:) Ne:!= Str:"x""#]]
    .assert_eq(&shown.join(" "));
    assert!(tokens.iter().all(|t| t.kind != TokenKind::Error));
}

#[test]
fn canonical_printing() {
    let print = |src: &str| {
        parse(src)
            .0
            .map(|e| e.to_string())
            .unwrap_or_else(|| "<error>".into())
    };
    let shown: Vec<String> = [
        "${a}+1*(2-3)",
        "${a}-1",
        "2-${a}",
        "(${a} + 1) * 2",
        "1 - (2 - 3)",
        "(1 - 2) - 3",
        "-(1 + 2)",
        "- - 1",
        "(${a} or ${b}) and ${c}",
        "${a} or (${b} and ${c})",
        r#"concat("it's", 'say "hi"', "")"#,
        "jr:choice-name( ${x} ,\"${x}\" )",
        "jr:choice-name(${x}, ${x})",
        "position( .. )",
        "region=${r}",
        "12.50 + .5 + 3.",
        "x div-1",
        "x div -1",
    ]
    .iter()
    .map(|src| format!("{src}  ->  {}", print(src)))
    .collect();
    expect![[r#"
        ${a}+1*(2-3)  ->  ${a} + 1 * (2 - 3)
        ${a}-1  ->  ${a} - 1
        2-${a}  ->  2 - ${a}
        (${a} + 1) * 2  ->  (${a} + 1) * 2
        1 - (2 - 3)  ->  1 - (2 - 3)
        (1 - 2) - 3  ->  1 - 2 - 3
        -(1 + 2)  ->  -(1 + 2)
        - - 1  ->  --1
        (${a} or ${b}) and ${c}  ->  (${a} or ${b}) and ${c}
        ${a} or (${b} and ${c})  ->  ${a} or ${b} and ${c}
        concat("it's", 'say "hi"', "")  ->  concat("it's", 'say "hi"', '')
        jr:choice-name( ${x} ,"${x}" )  ->  jr:choice-name(${x}, '${x}')
        jr:choice-name(${x}, ${x})  ->  jr:choice-name(${x}, '${x}')
        position( .. )  ->  position(..)
        region=${r}  ->  region = ${r}
        12.50 + .5 + 3.  ->  12.5 + 0.5 + 3
        x div-1  ->  <error>
        x div -1  ->  x div -1"#]]
    .assert_eq(&shown.join("\n"));
}
