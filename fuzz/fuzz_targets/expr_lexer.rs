//! The lexer never panics, and its tokens cover the source in order, on character boundaries, with
//! only whitespace between them.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|src: &str| {
    let (tokens, diagnostics) = survey_expr::tokenize(src);
    let mut previous_end = 0usize;
    for token in &tokens {
        let (start, end) = (token.span.start as usize, token.span.end as usize);
        assert!(start >= previous_end && start < end && end <= src.len(), "{token:?} in {src:?}");
        assert!(src.is_char_boundary(start) && src.is_char_boundary(end));
        assert!(src[previous_end..start].chars().all(char::is_whitespace), "a gap holds text: {src:?}");
        previous_end = end;
    }
    assert!(src[previous_end..].chars().all(char::is_whitespace));
    for diagnostic in &diagnostics {
        let (start, end) = (diagnostic.span.start as usize, diagnostic.span.end as usize);
        assert!(start <= end && end <= src.len());
        // Every lexical problem leaves an error token over the same text.
        assert!(tokens.iter().any(|t| t.kind == survey_expr::TokenKind::Error && t.span == diagnostic.span));
    }
});
