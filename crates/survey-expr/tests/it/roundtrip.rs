//! Seeded random testing of the parser: it never panics, spans stay inside the source, and printing a
//! parsed tree and parsing the print gives the same tree (the same properties the fuzz targets check).

use survey_expr::{BinOp, Expr, ExprKind, Slot, Span, parse, tokenize};

/// SplitMix64: a tiny deterministic generator, so that a failure reproduces from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn span_ok(src: &str, span: Span) -> bool {
    span.start <= span.end
        && (span.end as usize) <= src.len()
        && src.is_char_boundary(span.start as usize)
        && src.is_char_boundary(span.end as usize)
}

/// The properties every input must have. Returns the problem, if any.
fn properties(src: &str) -> Result<(), String> {
    let (tokens, lex_diagnostics) = tokenize(src);
    let mut previous_end = 0;
    for token in &tokens {
        if !span_ok(src, token.span) || (token.span.start as usize) < previous_end {
            return Err(format!("token {token:?} out of order or out of bounds"));
        }
        previous_end = token.span.end as usize;
    }
    let (expr, diagnostics) = parse(src);
    if let Some(d) = lex_diagnostics
        .iter()
        .chain(&diagnostics)
        .find(|d| !span_ok(src, d.span))
    {
        return Err(format!("diagnostic span out of bounds: {d:?}"));
    }
    if expr.is_some() != diagnostics.is_empty() {
        return Err("a tree must come exactly when there is no diagnostic".into());
    }
    let Some(expr) = expr else { return Ok(()) };
    let mut bad_span = None;
    expr.walk(&mut |node| {
        if !span_ok(src, node.span) {
            bad_span = Some(node.span);
        }
    });
    if let Some(span) = bad_span {
        return Err(format!("node span {span:?} out of bounds"));
    }
    let printed = expr.to_string();
    let (reparsed, diagnostics) = parse(&printed);
    let Some(reparsed) = reparsed else {
        return Err(format!(
            "the print `{printed}` does not parse: {diagnostics:?}"
        ));
    };
    if !expr.same_tree(&reparsed) {
        return Err(format!("the print `{printed}` parses to another tree"));
    }
    if reparsed.to_string() != printed {
        return Err(format!(
            "printing is not stable: `{printed}` then `{reparsed}`"
        ));
    }
    Ok(())
}

const FRAGMENTS: &[&str] = &[
    "${age}",
    "${a_b}",
    "${x.y-z}",
    "${",
    "}",
    "$",
    "'text'",
    "\"it's\"",
    "'",
    "\"",
    "''",
    "1",
    "0.5",
    ".5",
    "3.",
    "12.",
    "1e5",
    ".",
    "..",
    "(",
    ")",
    ",",
    "+",
    "-",
    "*",
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "and",
    "or",
    "div",
    "mod",
    "not(",
    "if(",
    "concat(",
    "count-selected(",
    "jr:choice-name(",
    "'${sex}'",
    "position(",
    "region",
    "name",
    "true()",
    "/",
    "[",
    "]",
    "@",
    "|",
    "&",
    "!",
    "==",
    "é",
    "فاطمة",
    "\u{a0}",
    "\t",
    "#",
    "€",
    "jr:",
    ":",
    "a:b:c",
    "-.5",
    "1.2.3",
];

fn random_source(rng: &mut Rng) -> String {
    let mut out = String::new();
    for _ in 0..rng.below(24) {
        out.push_str(rng.pick::<&str>(FRAGMENTS));
        if rng.below(3) > 0 {
            out.push(' ');
        }
    }
    out
}

fn random_name(rng: &mut Rng) -> Box<str> {
    (*rng.pick(&[
        "age", "a", "x_1", "é", "a-b", "a.b", "_", "and", "div", "region", "name",
    ]))
    .into()
}

const OPS: &[BinOp] = &[
    BinOp::Or,
    BinOp::And,
    BinOp::Eq,
    BinOp::Ne,
    BinOp::Lt,
    BinOp::Le,
    BinOp::Gt,
    BinOp::Ge,
    BinOp::Add,
    BinOp::Sub,
    BinOp::Mul,
    BinOp::Div,
    BinOp::Mod,
];

/// A random tree of the shapes the parser produces.
fn random_tree(rng: &mut Rng, depth: usize) -> Expr {
    let span = Span::new(0, 0);
    let leaf = depth == 0 || rng.below(3) == 0;
    let kind = if leaf {
        match rng.below(7) {
            0 => ExprKind::Str((*rng.pick(&["", "a b", "it's", "say \"hi\"", "${x}", "é"])).into()),
            1 => ExprKind::Num(*rng.pick(&[
                0.0,
                1.0,
                0.5,
                12.25,
                1e21,
                1e-7,
                123_456_789.125,
                f64::MAX,
            ])),
            2 => ExprKind::Ref {
                name: random_name(rng),
                slot: Slot::UNRESOLVED,
            },
            3 => ExprKind::Field(random_name(rng)),
            4 => ExprKind::Current,
            5 => ExprKind::Parent,
            _ => ExprKind::Call {
                func: survey_expr::Func::Unknown,
                name: "true".into(),
                args: vec![],
            },
        }
    } else {
        match rng.below(4) {
            0 => ExprKind::Neg(Box::new(random_tree(rng, depth - 1))),
            1 => {
                let name = *rng.pick(&["concat", "if", "jr:choice-name", "count-selected", "f"]);
                let mut args: Vec<Expr> = (0..rng.below(4))
                    .map(|_| random_tree(rng, depth - 1))
                    .collect();
                // The parser reads `'${item}'` there as a reference, so the tree has a reference or a
                // string that does not look like one.
                if name == "jr:choice-name" && args.len() >= 2 {
                    args[1] = if rng.below(2) == 0 {
                        Expr::new(
                            ExprKind::Ref {
                                name: "sex".into(),
                                slot: Slot::UNRESOLVED,
                            },
                            span,
                        )
                    } else {
                        Expr::new(ExprKind::Str("sex".into()), span)
                    };
                }
                ExprKind::Call {
                    func: survey_expr::Func::Unknown,
                    name: name.into(),
                    args,
                }
            }
            _ => ExprKind::Binary {
                op: *rng.pick(OPS),
                lhs: Box::new(random_tree(rng, depth - 1)),
                rhs: Box::new(random_tree(rng, depth - 1)),
            },
        }
    };
    Expr::new(kind, span)
}

#[test]
fn random_token_soup_never_panics_and_round_trips() {
    let mut rng = Rng(0x5EED_0001);
    let mut parsed = 0;
    for case in 0..20_000 {
        let src = random_source(&mut rng);
        if let Err(problem) = properties(&src) {
            panic!("case {case}, source {src:?}: {problem}");
        }
        parsed += usize::from(parse(&src).0.is_some());
    }
    // The soup must reach the interesting part: some inputs parse.
    assert!(parsed > 250, "only {parsed} inputs parsed");
}

#[test]
fn random_trees_print_and_parse_back() {
    let mut rng = Rng(0x5EED_0002);
    for case in 0..5_000 {
        let tree = random_tree(&mut rng, 6);
        let printed = tree.to_string();
        let (reparsed, diagnostics) = parse(&printed);
        let Some(reparsed) = reparsed else {
            panic!("case {case}: `{printed}` does not parse: {diagnostics:?}");
        };
        assert!(
            tree.same_tree(&reparsed),
            "case {case}: `{printed}` parses to `{reparsed}`"
        );
        if let Err(problem) = properties(&printed) {
            panic!("case {case}, source {printed:?}: {problem}");
        }
    }
}

#[test]
fn random_byte_strings_never_panic() {
    let mut rng = Rng(0x5EED_0003);
    for case in 0..20_000 {
        let bytes: Vec<u8> = (0..rng.below(40))
            .map(|_| *rng.pick(b"${}()'\"., =<>!-+*/azAZ09_:\t\xc3\xa9\xff"))
            .collect();
        let src = String::from_utf8_lossy(&bytes);
        if let Err(problem) = properties(&src) {
            panic!("case {case}, source {src:?}: {problem}");
        }
    }
}
