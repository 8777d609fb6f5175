//! The syntax tree, its canonical printing, and walks over it.

use std::fmt;

use crate::Span;
use crate::func::Func;

/// Where the evaluator finds a referenced item's value: an index chosen by `survey-spec`.
///
/// The parser leaves every reference [`Slot::UNRESOLVED`]; [`check`](crate::check) fills it in from the
/// [`Scope`](crate::Scope), so evaluation never looks a name up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slot(pub u32);

impl Slot {
    /// The slot of a reference that has not been checked (or that names nothing).
    pub const UNRESOLVED: Slot = Slot(u32::MAX);

    /// Whether the slot has been filled by the checker.
    pub fn is_resolved(self) -> bool {
        self != Slot::UNRESOLVED
    }
}

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
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
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `div`
    Div,
    /// `mod`
    Mod,
}

impl BinOp {
    /// The operator as written in source.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "div",
            BinOp::Mod => "mod",
        }
    }

    /// Binding strength, XPath 1.0: `or` < `and` < equality < relational < additive < multiplicative.
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Eq | BinOp::Ne => 3,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 4,
            BinOp::Add | BinOp::Sub => 5,
            BinOp::Mul | BinOp::Div | BinOp::Mod => 6,
        }
    }
}

/// Precedence of unary minus: tighter than every binary operator.
pub(crate) const NEG_PRECEDENCE: u8 = 7;

/// An expression node with its place in the source.
#[derive(Clone, Debug)]
pub struct Expr {
    /// What the node is.
    pub kind: ExprKind,
    /// Byte range of the node in the expression source (including the parentheses around it, if any).
    pub span: Span,
}

/// The kinds of expression nodes.
#[derive(Clone, Debug)]
pub enum ExprKind {
    /// A string literal, without its quotes.
    Str(Box<str>),
    /// A number literal (never negative: `-1` is `Neg(1)`).
    Num(f64),
    /// `${name}`; `slot` is [`Slot::UNRESOLVED`] until [`check`](crate::check) fills it.
    Ref {
        /// The referenced item's name.
        name: Box<str>,
        /// Where its value lives; filled by the checker.
        slot: Slot,
    },
    /// A bare name: a column of the choice list in a choice filter (`name` is the choice code).
    Field(Box<str>),
    /// `.`: the value of the item the expression belongs to.
    Current,
    /// `..`: only meaningful as the argument of `position(..)`.
    Parent,
    /// Unary minus.
    Neg(Box<Expr>),
    /// A binary operation.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// A function call. `func` is [`Func::Unknown`] until [`check`](crate::check) resolves `name`.
    ///
    /// The second argument of `jr:choice-name` names an item in quotes (`'${item}'`); the parser turns
    /// it into a [`ExprKind::Ref`] so that it is resolved and listed like every other reference.
    Call {
        /// The resolved function.
        func: Func,
        /// The function name as written (`count-selected`, `jr:choice-name`).
        name: Box<str>,
        /// The arguments.
        args: Vec<Expr>,
    },
}

impl Expr {
    /// Makes a node.
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    /// Calls `visit` on this node and every node below it, parents before children, left to right.
    pub fn walk<'e>(&'e self, visit: &mut dyn FnMut(&'e Expr)) {
        visit(self);
        match &self.kind {
            ExprKind::Neg(inner) => inner.walk(visit),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.walk(visit);
                rhs.walk(visit);
            }
            ExprKind::Call { args, .. } => {
                for arg in args {
                    arg.walk(visit);
                }
            }
            ExprKind::Str(_)
            | ExprKind::Num(_)
            | ExprKind::Ref { .. }
            | ExprKind::Field(_)
            | ExprKind::Current
            | ExprKind::Parent => {}
        }
    }

    /// Whether two trees are the same expression, ignoring spans (numbers compare bit for bit).
    pub fn same_tree(&self, other: &Expr) -> bool {
        match (&self.kind, &other.kind) {
            (ExprKind::Str(a), ExprKind::Str(b)) => a == b,
            (ExprKind::Num(a), ExprKind::Num(b)) => a.to_bits() == b.to_bits(),
            (ExprKind::Ref { name: a, slot: sa }, ExprKind::Ref { name: b, slot: sb }) => {
                a == b && sa == sb
            }
            (ExprKind::Field(a), ExprKind::Field(b)) => a == b,
            (ExprKind::Current, ExprKind::Current) | (ExprKind::Parent, ExprKind::Parent) => true,
            (ExprKind::Neg(a), ExprKind::Neg(b)) => a.same_tree(b),
            (
                ExprKind::Binary {
                    op: oa,
                    lhs: la,
                    rhs: ra,
                },
                ExprKind::Binary {
                    op: ob,
                    lhs: lb,
                    rhs: rb,
                },
            ) => oa == ob && la.same_tree(lb) && ra.same_tree(rb),
            (
                ExprKind::Call {
                    func: fa,
                    name: na,
                    args: aa,
                },
                ExprKind::Call {
                    func: fb,
                    name: nb,
                    args: ab,
                },
            ) => {
                fa == fb
                    && na == nb
                    && aa.len() == ab.len()
                    && aa.iter().zip(ab).all(|(a, b)| a.same_tree(b))
            }
            _ => false,
        }
    }

    /// Depth of the tree (a leaf has depth 1).
    pub fn depth(&self) -> usize {
        match &self.kind {
            ExprKind::Neg(inner) => 1 + inner.depth(),
            ExprKind::Binary { lhs, rhs, .. } => 1 + lhs.depth().max(rhs.depth()),
            ExprKind::Call { args, .. } => 1 + args.iter().map(Expr::depth).max().unwrap_or(0),
            _ => 1,
        }
    }
}

/// Every resolved slot the expression reads, each once, in order of first appearance.
///
/// This includes rosters named in `count()`/`indexed-repeat()`/`position()` and the item named in
/// `jr:choice-name(value, '${item}')`. Unresolved references (unchecked or unknown names) are skipped.
pub fn references(expr: &Expr) -> Vec<Slot> {
    let mut slots = Vec::new();
    expr.walk(&mut |node| {
        if let ExprKind::Ref { slot, .. } = node.kind
            && slot.is_resolved()
            && !slots.contains(&slot)
        {
            slots.push(slot);
        }
    });
    slots
}

/// Every name written as `${name}` in the expression, each once, in order of first appearance.
/// Works before [`check`](crate::check).
pub fn reference_names(expr: &Expr) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    expr.walk(&mut |node| {
        if let ExprKind::Ref { name, .. } = &node.kind
            && !names.contains(&&**name)
        {
            names.push(name);
        }
    });
    names
}

/// What an expression depends on besides the items it references: the engine uses this to know when a
/// value can change without any answer changing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Calls `now()` or `today()`: the value changes with the clock.
    pub clock: bool,
    /// Calls `uuid()`: every evaluation gives a new value (wrap it in `once()`).
    pub random: bool,
    /// Calls `position()`: the value depends on the roster row.
    pub position: bool,
    /// Uses `.` or `once()`: the value depends on the item's own value.
    pub current: bool,
    /// Uses bare names: the value depends on the choice being filtered.
    pub fields: bool,
    /// Calls `pulldata()`: the value depends on lookup tables.
    pub tables: bool,
    /// Calls `jr:choice-name()`: the value depends on the interview language.
    pub language: bool,
}

/// Reports what the expression depends on besides item values. Needs a checked expression (functions are
/// recognised by their resolved [`Func`]).
pub fn usage(expr: &Expr) -> Usage {
    let mut usage = Usage::default();
    expr.walk(&mut |node| match &node.kind {
        ExprKind::Current => usage.current = true,
        ExprKind::Field(_) => usage.fields = true,
        ExprKind::Call { func, .. } => match func {
            Func::Now | Func::Today => usage.clock = true,
            Func::Uuid => usage.random = true,
            Func::Position => usage.position = true,
            Func::Once => usage.current = true,
            Func::Pulldata => usage.tables = true,
            Func::ChoiceName => usage.language = true,
            _ => {}
        },
        _ => {}
    });
    usage
}

/// Prints the canonical source of the expression: single spaces around binary operators, `, ` between
/// arguments, parentheses only where precedence needs them, strings in single quotes unless they contain
/// one. Parsing the printed text gives the same tree (see [`Expr::same_tree`]).
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_expr(f, self, 0)
    }
}

fn write_expr(f: &mut fmt::Formatter<'_>, expr: &Expr, min_precedence: u8) -> fmt::Result {
    match &expr.kind {
        ExprKind::Str(text) => write_string(f, text),
        ExprKind::Num(n) => write_number(f, *n),
        ExprKind::Ref { name, .. } => write!(f, "${{{name}}}"),
        ExprKind::Field(name) => f.write_str(name),
        ExprKind::Current => f.write_str("."),
        ExprKind::Parent => f.write_str(".."),
        ExprKind::Neg(inner) => {
            let parens = min_precedence > NEG_PRECEDENCE;
            if parens {
                f.write_str("(")?;
            }
            f.write_str("-")?;
            write_expr(f, inner, NEG_PRECEDENCE)?;
            if parens {
                f.write_str(")")?;
            }
            Ok(())
        }
        ExprKind::Binary { op, lhs, rhs } => {
            let precedence = op.precedence();
            let parens = precedence < min_precedence;
            if parens {
                f.write_str("(")?;
            }
            write_expr(f, lhs, precedence)?;
            write!(f, " {} ", op.symbol())?;
            // Operators associate to the left, so a right operand of the same strength needs parentheses.
            write_expr(f, rhs, precedence + 1)?;
            if parens {
                f.write_str(")")?;
            }
            Ok(())
        }
        ExprKind::Call { func, name, args } => {
            write!(f, "{name}(")?;
            for (i, arg) in args.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                let is_choice_path =
                    i == 1 && (*func == Func::ChoiceName || &**name == "jr:choice-name");
                match &arg.kind {
                    ExprKind::Ref { name, .. } if is_choice_path => write!(f, "'${{{name}}}'")?,
                    _ => write_expr(f, arg, 0)?,
                }
            }
            f.write_str(")")
        }
    }
}

fn write_string(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    if !text.contains('\'') {
        write!(f, "'{text}'")
    } else if !text.contains('"') {
        write!(f, "\"{text}\"")
    } else {
        // No single literal can hold both quote characters; the parser never produces such a string.
        f.write_str("concat(")?;
        for (i, piece) in text.split('\'').enumerate() {
            if i > 0 {
                f.write_str(", \"'\", ")?;
            }
            write!(f, "'{piece}'")?;
        }
        f.write_str(")")
    }
}

fn write_number(f: &mut fmt::Formatter<'_>, n: f64) -> fmt::Result {
    if n.is_finite() {
        // Rust prints floats without exponent and with the fewest digits that read back exactly.
        if n < 0.0 {
            write!(f, "-{}", -n)
        } else {
            write!(f, "{n}")
        }
    } else if n.is_nan() {
        f.write_str("(0 div 0)")
    } else {
        // Only a literal with more digits than f64 can hold parses to infinity; print one such literal.
        if n < 0.0 {
            f.write_str("-")?;
        }
        write!(f, "1{}", "0".repeat(309))
    }
}
