//! The parser never panics; spans stay in the source; and the canonical print of a parsed tree parses
//! back to the same tree and prints identically.
#![no_main]

use libfuzzer_sys::fuzz_target;
use survey_expr::{Span, parse};

fn in_bounds(src: &str, span: Span) -> bool {
    let (start, end) = (span.start as usize, span.end as usize);
    start <= end && end <= src.len() && src.is_char_boundary(start) && src.is_char_boundary(end)
}

fuzz_target!(|src: &str| {
    let (expr, diagnostics) = parse(src);
    assert_eq!(expr.is_some(), diagnostics.is_empty());
    for diagnostic in &diagnostics {
        assert!(in_bounds(src, diagnostic.span), "{diagnostic:?}");
    }
    let Some(expr) = expr else { return };
    expr.walk(&mut |node| assert!(in_bounds(src, node.span), "{node:?}"));
    let printed = expr.to_string();
    let (reparsed, diagnostics) = parse(&printed);
    let reparsed = reparsed.unwrap_or_else(|| panic!("{printed:?} does not parse: {diagnostics:?}"));
    assert!(expr.same_tree(&reparsed), "{src:?} printed as {printed:?} parses to another tree");
    assert_eq!(reparsed.to_string(), printed);
});
