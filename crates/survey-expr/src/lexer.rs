//! The lexer: source text to tokens.
//!
//! The lexer never stops at the first problem: every character it cannot use becomes an
//! [`TokenKind::Error`] token plus a diagnostic, so the parser can keep going and report what follows.
//! Whether `and`, `or`, `div` and `mod` are operators or names depends on where they stand (XPath 1.0
//! §3.7), so the lexer emits them as [`TokenKind::Ident`] and the parser decides.

use crate::{Diagnostic, Span};

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A number literal: `12`, `1.5`, `.5`, `3.`.
    Number,
    /// A string literal in single or double quotes.
    Str,
    /// A reference to a question: `${name}`.
    Ref,
    /// A name: function name, bare choice-filter column, or the operators `and or div mod`.
    Ident,
    /// `.`
    Dot,
    /// `..`
    DotDot,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `,`
    Comma,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// Text the lexer could not use; a diagnostic has already been reported for it.
    Error,
}

/// One token with its place in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// What the token is.
    pub kind: TokenKind,
    /// Byte range of the token in the source.
    pub span: Span,
}

impl Token {
    /// The source text of the token.
    pub fn text<'s>(&self, src: &'s str) -> &'s str {
        src.get(self.span.start as usize..self.span.end as usize)
            .unwrap_or("")
    }
}

/// Splits `src` into tokens. Whitespace is skipped; everything else is covered by exactly one token.
///
/// Never panics. Every problem is reported as a diagnostic and leaves an [`TokenKind::Error`] token.
pub fn tokenize(src: &str) -> (Vec<Token>, Vec<Diagnostic>) {
    let mut lexer = Lexer {
        src,
        bytes: src.as_bytes(),
        pos: 0,
        tokens: Vec::new(),
        diagnostics: Vec::new(),
    };
    lexer.run();
    (lexer.tokens, lexer.diagnostics)
}

/// Whether `c` may start a name.
pub(crate) fn is_name_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

/// Whether `c` may continue a name (XPath NCName characters: letters, digits, `_`, `-`, `.`).
pub(crate) fn is_name_char(c: char) -> bool {
    c == '_' || c == '-' || c == '.' || c.is_alphanumeric()
}

/// Whether `name` is valid inside `${...}`.
pub(crate) fn is_valid_ref_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if is_name_start(c)) && chars.all(is_name_char)
}

struct Lexer<'s> {
    src: &'s str,
    bytes: &'s [u8],
    pos: usize,
    tokens: Vec<Token>,
    diagnostics: Vec<Diagnostic>,
}

impl Lexer<'_> {
    fn peek_char(&self) -> Option<char> {
        self.src
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
    }

    fn char_at(&self, pos: usize) -> Option<char> {
        self.src.get(pos..).and_then(|rest| rest.chars().next())
    }

    fn push(&mut self, kind: TokenKind, start: usize, end: usize) {
        self.tokens.push(Token {
            kind,
            span: Span::from_range(start, end),
        });
    }

    fn error(&mut self, code: &'static str, start: usize, end: usize, message: String) {
        self.diagnostics.push(Diagnostic::error(
            code,
            Span::from_range(start, end),
            message,
        ));
        self.push(TokenKind::Error, start, end);
    }

    fn run(&mut self) {
        while let Some(c) = self.peek_char() {
            let start = self.pos;
            if c.is_whitespace() {
                self.pos += c.len_utf8();
                continue;
            }
            match c {
                '0'..='9' => self.number(start),
                '.' => {
                    if self.bytes.get(start + 1).is_some_and(u8::is_ascii_digit) {
                        self.number(start);
                    } else if self.bytes.get(start + 1) == Some(&b'.') {
                        self.pos += 2;
                        self.push(TokenKind::DotDot, start, self.pos);
                    } else {
                        self.pos += 1;
                        self.push(TokenKind::Dot, start, self.pos);
                    }
                }
                '\'' | '"' => self.string(start, c),
                '$' => self.reference(start),
                '(' => self.single(TokenKind::LParen),
                ')' => self.single(TokenKind::RParen),
                ',' => self.single(TokenKind::Comma),
                '+' => self.single(TokenKind::Plus),
                '-' => self.single(TokenKind::Minus),
                '*' => self.single(TokenKind::Star),
                '=' => {
                    if self.bytes.get(start + 1) == Some(&b'=') {
                        self.pos += 2;
                        self.error(
                            "expr-unsupported-syntax",
                            start,
                            self.pos,
                            "`==` is not an operator here: write a single `=` to test equality"
                                .into(),
                        );
                    } else {
                        self.single(TokenKind::Eq);
                    }
                }
                '!' => {
                    if self.bytes.get(start + 1) == Some(&b'=') {
                        self.pos += 2;
                        self.push(TokenKind::Ne, start, self.pos);
                    } else {
                        self.pos += 1;
                        self.error(
                            "expr-unsupported-syntax",
                            start,
                            self.pos,
                            "`!` is not an operator here: write `not(...)` to negate, or `!=` for \"not equal\"".into(),
                        );
                    }
                }
                '<' | '>' => {
                    let with_eq = self.bytes.get(start + 1) == Some(&b'=');
                    let kind = match (c, with_eq) {
                        ('<', false) => TokenKind::Lt,
                        ('<', true) => TokenKind::Le,
                        ('>', false) => TokenKind::Gt,
                        _ => TokenKind::Ge,
                    };
                    self.pos += if with_eq { 2 } else { 1 };
                    self.push(kind, start, self.pos);
                }
                '&' | '|' => {
                    let doubled = self.bytes.get(start + 1) == Some(&(c as u8));
                    self.pos += if doubled { 2 } else { 1 };
                    let message = if c == '&' {
                        "`&` is not an operator here: write `and` to combine conditions"
                    } else {
                        "`|` is not supported: write `or` to combine conditions"
                    };
                    self.error("expr-unsupported-syntax", start, self.pos, message.into());
                }
                '/' | '[' | ']' | '@' => {
                    self.pos += 1;
                    // A whole path (`/data/group/age`) is one mistake.
                    if c == '/' {
                        while let Some(next) =
                            self.peek_char().filter(|&n| n == '/' || is_name_char(n))
                        {
                            self.pos += next.len_utf8();
                        }
                    }
                    let message = if c == '/' {
                        "XPath paths (`/data/...`) are not supported: refer to a question as `${name}`, and divide with `div`"
                    } else {
                        "XPath predicates and attributes (`[...]`, `@`) are not supported: refer to a question as `${name}`"
                    };
                    self.error("expr-unsupported-syntax", start, self.pos, message.into());
                }
                c if is_name_start(c) => self.ident(start),
                c => {
                    self.pos += c.len_utf8();
                    self.error(
                        "expr-unexpected-char",
                        start,
                        self.pos,
                        format!("the character `{}` cannot appear here", c.escape_debug()),
                    );
                }
            }
        }
    }

    fn single(&mut self, kind: TokenKind) {
        let start = self.pos;
        self.pos += 1;
        self.push(kind, start, self.pos);
    }

    fn eat_digits(&mut self) {
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
    }

    fn number(&mut self, start: usize) {
        self.eat_digits();
        if self.bytes.get(self.pos) == Some(&b'.') && self.bytes.get(self.pos + 1) != Some(&b'.') {
            self.pos += 1;
            self.eat_digits();
        }
        // A number glued to letters or another dot (`1e5`, `2x`, `1.2.3`) is one mistake, not two tokens.
        // A `-` is not glued: `2-3` is a subtraction.
        let glued = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
        if self.peek_char().is_some_and(glued) {
            while let Some(c) = self.peek_char().filter(|&c| glued(c)) {
                self.pos += c.len_utf8();
            }
            let text = &self.src[start..self.pos];
            self.error(
                "expr-bad-number",
                start,
                self.pos,
                format!("`{text}` is not a number: write digits with at most one `.` (no exponent, no unit)"),
            );
            return;
        }
        self.push(TokenKind::Number, start, self.pos);
    }

    fn string(&mut self, start: usize, quote: char) {
        let body = start + 1;
        match self.src[body..].find(quote) {
            Some(offset) => {
                self.pos = body + offset + 1;
                self.push(TokenKind::Str, start, self.pos);
            }
            None => {
                self.pos = self.src.len();
                self.error(
                    "expr-unterminated-string",
                    start,
                    self.pos,
                    format!("this text is never closed: add a `{quote}` at its end"),
                );
            }
        }
    }

    fn reference(&mut self, start: usize) {
        if self.bytes.get(start + 1) != Some(&b'{') {
            self.pos = start + 1;
            self.error(
                "expr-unexpected-char",
                start,
                self.pos,
                "`$` must start a question reference like `${name}`".into(),
            );
            return;
        }
        // Scan the name up to `}`; stop early at characters that cannot be part of a name so that a
        // missing `}` is reported where it is missing, not at the end of the expression.
        let mut end = start + 2;
        while let Some(c) = self.char_at(end) {
            if c == '}'
                || c.is_whitespace()
                || matches!(c, '$' | '\'' | '"' | '(' | ')' | ',' | '{')
            {
                break;
            }
            end += c.len_utf8();
        }
        let name = &self.src[start + 2..end];
        if self.bytes.get(end) != Some(&b'}') {
            self.pos = end;
            self.error(
                "expr-unterminated-ref",
                start,
                end,
                format!("the reference `${{{name}` is never closed: add a `}}`"),
            );
            return;
        }
        self.pos = end + 1;
        if !is_valid_ref_name(name) {
            let message = if name.is_empty() {
                "`${}` names no question: write the question's name between the braces".to_string()
            } else {
                format!(
                    "`{name}` is not a valid question name: names start with a letter or `_` and contain letters, digits, `_`, `-` or `.`"
                )
            };
            self.error("expr-bad-ref-name", start, self.pos, message);
            return;
        }
        self.push(TokenKind::Ref, start, self.pos);
    }

    fn ident(&mut self, start: usize) {
        self.eat_name();
        // One namespace prefix is allowed: `jr:choice-name`.
        if self.bytes.get(self.pos) == Some(&b':')
            && self.char_at(self.pos + 1).is_some_and(is_name_start)
        {
            self.pos += 1;
            self.eat_name();
        }
        self.push(TokenKind::Ident, start, self.pos);
    }

    fn eat_name(&mut self) {
        while let Some(c) = self.peek_char().filter(|&c| is_name_char(c)) {
            self.pos += c.len_utf8();
        }
    }
}
