//! The parser: tokens to a syntax tree, by precedence climbing.
//!
//! It reports every syntax error it can find in one pass: after an error it skips to the next `,` or
//! `)` and carries on, without reporting the consequences of the first error. Trees are limited to
//! [`MAX_DEPTH`] levels so that no later recursive walk (checking, evaluation, printing, dropping) can
//! exhaust the stack, whatever the input.

use crate::ast::{BinOp, Expr, ExprKind, Slot};
use crate::func::Func;
use crate::lexer::{Token, TokenKind, is_valid_ref_name, tokenize};
use crate::{Diagnostic, Span};

/// The deepest tree (and the deepest nesting of parentheses, calls and signs) the parser accepts.
pub const MAX_DEPTH: usize = 256;

/// Parses an expression. Returns the tree when there is no syntax error, and every diagnostic.
///
/// Never panics, whatever `src` holds.
pub fn parse(src: &str) -> (Option<Expr>, Vec<Diagnostic>) {
    if src.len() > u32::MAX as usize {
        let diagnostic = Diagnostic::error(
            "expr-too-deep",
            Span::new(0, 0),
            "this expression is too long to be understood".into(),
        );
        return (None, vec![diagnostic]);
    }
    let (tokens, diagnostics) = tokenize(src);
    let mut parser = Parser {
        src,
        tokens,
        pos: 0,
        diagnostics,
        recovering: false,
        too_deep: false,
        nesting: 0,
    };
    if parser.tokens.is_empty() {
        if parser.diagnostics.is_empty() {
            parser.diagnostics.push(Diagnostic::error(
                "expr-empty",
                Span::new(0, src.len() as u32),
                "the expression is empty".into(),
            ));
        }
        return (None, parser.diagnostics);
    }
    let expr = parser.expression();
    if let Some(token) = parser.peek()
        && !parser.too_deep
    {
        let text = token.text(src);
        let previous = parser
            .pos
            .checked_sub(1)
            .and_then(|i| parser.tokens.get(i))
            .copied();
        let message = match previous {
            // `'it''s'`: XPath has no escapes inside quotes.
            Some(before) if token.kind == TokenKind::Str && before.kind == TokenKind::Str && before.span.end == token.span.start => {
                "two texts side by side: to put a quote inside a text, enclose the text in the other kind of quotes (\"it's\")".to_string()
            }
            _ => format!("unexpected `{text}` after a complete expression: is an operator (`and`, `or`, `+`, ...) or a `,` missing?"),
        };
        parser.report("expr-trailing-input", token.span, message);
    }
    let failed = !parser.diagnostics.is_empty();
    let mut diagnostics = parser.diagnostics;
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    (if failed { None } else { Some(expr.expr) }, diagnostics)
}

/// A parsed node with the depth of its tree.
struct Node {
    expr: Expr,
    depth: usize,
}

struct Parser<'s> {
    src: &'s str,
    tokens: Vec<Token>,
    pos: usize,
    diagnostics: Vec<Diagnostic>,
    /// Set after a syntax error until the next `,` or `)`: errors in between are consequences.
    recovering: bool,
    /// Set once the depth limit is hit: the rest of the input is not parsed.
    too_deep: bool,
    nesting: usize,
}

fn placeholder(span: Span) -> Node {
    Node {
        expr: Expr::new(ExprKind::Str("".into()), span),
        depth: 1,
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<Token> {
        self.tokens.get(self.pos).copied()
    }

    fn peek_kind(&self) -> Option<TokenKind> {
        self.peek().map(|t| t.kind)
    }

    fn advance(&mut self) -> Option<Token> {
        let token = self.peek();
        if token.is_some() {
            self.pos += 1;
        }
        token
    }

    fn end_span(&self) -> Span {
        let end = self.src.len() as u32;
        Span::new(end, end)
    }

    fn report(&mut self, code: &'static str, span: Span, message: String) {
        if !self.recovering {
            self.diagnostics
                .push(Diagnostic::error(code, span, message));
        }
        self.recovering = true;
    }

    fn depth_exceeded(&mut self, span: Span) -> bool {
        if !self.too_deep {
            self.report(
                "expr-too-deep",
                span,
                format!("this expression nests more than {MAX_DEPTH} levels deep; split it into calculations"),
            );
            self.too_deep = true;
        }
        // Nothing after this point is parsed.
        self.pos = self.tokens.len();
        true
    }

    fn node(&mut self, kind: ExprKind, span: Span, depth: usize) -> Node {
        if depth > MAX_DEPTH && !self.too_deep {
            self.depth_exceeded(span);
        }
        Node {
            expr: Expr::new(kind, span),
            depth,
        }
    }

    fn expression(&mut self) -> Node {
        self.binary(1)
    }

    /// The binary operator at the current position, if the token there is one.
    fn peek_operator(&self) -> Option<BinOp> {
        let token = self.peek()?;
        Some(match token.kind {
            TokenKind::Eq => BinOp::Eq,
            TokenKind::Ne => BinOp::Ne,
            TokenKind::Lt => BinOp::Lt,
            TokenKind::Le => BinOp::Le,
            TokenKind::Gt => BinOp::Gt,
            TokenKind::Ge => BinOp::Ge,
            TokenKind::Plus => BinOp::Add,
            TokenKind::Minus => BinOp::Sub,
            TokenKind::Star => BinOp::Mul,
            // After an operand, these names are operators (XPath 1.0 §3.7).
            TokenKind::Ident => match token.text(self.src) {
                "or" => BinOp::Or,
                "and" => BinOp::And,
                "div" => BinOp::Div,
                "mod" => BinOp::Mod,
                _ => return None,
            },
            _ => return None,
        })
    }

    fn binary(&mut self, min_precedence: u8) -> Node {
        let mut lhs = self.unary();
        loop {
            // Text the lexer rejected where an operator should be (`==`, `&&`): already reported, so
            // swallow it and the operand after it without reporting their consequences.
            if self.peek_kind() == Some(TokenKind::Error) {
                self.advance();
                self.recovering = true;
                if self.starts_operand() {
                    self.unary();
                }
                continue;
            }
            let Some(op) = self.peek_operator() else {
                break;
            };
            let precedence = op.precedence();
            if precedence < min_precedence || self.too_deep {
                break;
            }
            self.advance();
            let rhs = self.binary(precedence + 1);
            let span = lhs.expr.span.to(rhs.expr.span);
            let depth = 1 + lhs.depth.max(rhs.depth);
            let kind = ExprKind::Binary {
                op,
                lhs: Box::new(lhs.expr),
                rhs: Box::new(rhs.expr),
            };
            lhs = self.node(kind, span, depth);
        }
        lhs
    }

    fn starts_operand(&self) -> bool {
        match self.peek_kind() {
            Some(TokenKind::Ident) => self.peek_operator().is_none(),
            Some(kind) => matches!(
                kind,
                TokenKind::Number
                    | TokenKind::Str
                    | TokenKind::Ref
                    | TokenKind::Dot
                    | TokenKind::DotDot
                    | TokenKind::LParen
                    | TokenKind::Minus
                    | TokenKind::Error
            ),
            None => false,
        }
    }

    fn enter(&mut self, span: Span) -> bool {
        self.nesting += 1;
        if self.nesting > MAX_DEPTH {
            self.depth_exceeded(span);
            return false;
        }
        true
    }

    fn unary(&mut self) -> Node {
        let Some(token) = self.peek() else {
            return self.missing_operand();
        };
        if token.kind != TokenKind::Minus {
            return self.primary();
        }
        self.advance();
        if !self.enter(token.span) {
            self.nesting -= 1;
            return placeholder(token.span);
        }
        let inner = self.unary();
        self.nesting -= 1;
        let span = token.span.to(inner.expr.span);
        let depth = inner.depth + 1;
        self.node(ExprKind::Neg(Box::new(inner.expr)), span, depth)
    }

    fn missing_operand(&mut self) -> Node {
        let span = self.peek().map_or_else(|| self.end_span(), |t| t.span);
        let message = match self.peek() {
            None => "the expression ends too early: a value is missing at the end".to_string(),
            Some(token) => format!(
                "expected a value (a number, 'text', ${{name}}, a function call...), found `{}`",
                token.text(self.src)
            ),
        };
        self.report("expr-expected-operand", span, message);
        placeholder(span)
    }

    fn primary(&mut self) -> Node {
        let Some(token) = self.peek() else {
            return self.missing_operand();
        };
        let text = token.text(self.src);
        let kind = match token.kind {
            TokenKind::Number => {
                // The lexer only produces digits with at most one dot, which always parse.
                ExprKind::Num(text.parse().unwrap_or(f64::NAN))
            }
            TokenKind::Str => ExprKind::Str(text[1..text.len() - 1].into()),
            TokenKind::Ref => ExprKind::Ref {
                name: text[2..text.len() - 1].into(),
                slot: Slot::UNRESOLVED,
            },
            TokenKind::Dot => ExprKind::Current,
            TokenKind::DotDot => ExprKind::Parent,
            TokenKind::Error => {
                // Already reported by the lexer; stand in for the operand and go on.
                self.advance();
                self.recovering = true;
                return placeholder(token.span);
            }
            TokenKind::LParen => return self.group(token),
            TokenKind::Ident => {
                if self
                    .tokens
                    .get(self.pos + 1)
                    .is_some_and(|t| t.kind == TokenKind::LParen)
                {
                    return self.call(token);
                }
                ExprKind::Field(text.into())
            }
            _ => return self.missing_operand(),
        };
        self.advance();
        Node {
            expr: Expr::new(kind, token.span),
            depth: 1,
        }
    }

    fn group(&mut self, open: Token) -> Node {
        self.advance();
        if !self.enter(open.span) {
            self.nesting -= 1;
            return placeholder(open.span);
        }
        let mut inner = self.expression();
        self.nesting -= 1;
        match self.peek_kind() {
            Some(TokenKind::RParen) => {
                let close = self.advance().map_or(open.span, |t| t.span);
                self.recovering = false;
                inner.expr.span = open.span.to(close);
            }
            _ => {
                if !self.too_deep {
                    self.unclosed(open);
                }
            }
        }
        inner
    }

    fn unclosed(&mut self, open: Token) {
        let found = match self.peek() {
            Some(token) => format!("found `{}`", token.text(self.src)),
            None => "found the end of the expression".to_string(),
        };
        self.report(
            "expr-unclosed-paren",
            open.span,
            format!("this `(` is never closed: expected `)`, {found}"),
        );
        self.skip_to_close();
    }

    /// Skips to the `)` that closes the current level (consuming it), or to the end.
    fn skip_to_close(&mut self) {
        let mut depth = 0usize;
        while let Some(token) = self.advance() {
            match token.kind {
                TokenKind::LParen => depth += 1,
                TokenKind::RParen if depth == 0 => return,
                TokenKind::RParen => depth -= 1,
                _ => {}
            }
        }
    }

    fn call(&mut self, name_token: Token) -> Node {
        let name = name_token.text(self.src);
        self.advance();
        let open = self.advance().unwrap_or(name_token);
        if !self.enter(name_token.span) {
            self.nesting -= 1;
            return placeholder(name_token.span);
        }
        let mut args: Vec<Expr> = Vec::new();
        let mut depth = 0;
        let mut end = open.span;
        if self.peek_kind() == Some(TokenKind::RParen) {
            end = self.advance().map_or(end, |t| t.span);
        } else {
            loop {
                let arg = self.expression();
                depth = depth.max(arg.depth);
                end = arg.expr.span;
                args.push(arg.expr);
                if self.too_deep {
                    break;
                }
                match self.peek_kind() {
                    Some(TokenKind::Comma) => {
                        self.advance();
                        self.recovering = false;
                    }
                    Some(TokenKind::RParen) => {
                        end = self.advance().map_or(end, |t| t.span);
                        self.recovering = false;
                        break;
                    }
                    None => {
                        self.report(
                            "expr-unclosed-paren",
                            open.span,
                            format!("the call to `{name}(` is never closed: expected `,` or `)` before the end"),
                        );
                        break;
                    }
                    Some(_) => {
                        let token = self.peek().map_or_else(|| self.end_span(), |t| t.span);
                        let found = self.peek().map_or("", |t| t.text(self.src));
                        self.report(
                            "expr-expected-comma",
                            token,
                            format!(
                                "expected `,` or `)` in the call to `{name}(`, found `{found}`"
                            ),
                        );
                        // Skip to the next argument or the end of the call.
                        let mut level = 0usize;
                        while let Some(kind) = self.peek_kind() {
                            match kind {
                                TokenKind::LParen => level += 1,
                                TokenKind::RParen if level == 0 => break,
                                TokenKind::RParen => level -= 1,
                                TokenKind::Comma if level == 0 => break,
                                _ => {}
                            }
                            self.advance();
                        }
                        if self.peek_kind().is_none() {
                            break;
                        }
                    }
                }
            }
        }
        self.nesting -= 1;
        // `jr:choice-name(value, '${item}')` names the item inside a string; make it a reference.
        if name == "jr:choice-name"
            && let Some(item) = args.get_mut(1)
            && let ExprKind::Str(text) = &item.kind
            && let Some(inner) = text.strip_prefix("${").and_then(|t| t.strip_suffix('}'))
            && is_valid_ref_name(inner)
        {
            item.kind = ExprKind::Ref {
                name: inner.into(),
                slot: Slot::UNRESOLVED,
            };
        }
        let span = name_token.span.to(end);
        let kind = ExprKind::Call {
            func: Func::Unknown,
            name: name.into(),
            args,
        };
        self.node(kind, span, depth + 1)
    }
}
