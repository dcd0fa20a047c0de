//! Terraform's syntax, HCL, read with `hcl-edit` into a small tree of our own: bodies,
//! attributes, blocks and expressions, each with its byte span in the file, and each literal
//! string with the offset every one of its bytes comes from (escapes, `$${` and the indent of
//! a `<<-` heredoc undone), so that JSON written in a heredoc or a quoted string is parsed in
//! place and findings land on the character the user sees.
//!
//! `hcl-edit` bounds nesting itself (64 levels of expressions, templates and blocks, 128
//! operators on a path), so no input can overflow the stack here or in the passes over the tree.

use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::structure::{BlockLabel, Structure};
use hcl_edit::template::{Element, Template};
use hcl_edit::Span as _;

use xacct_syntax::Span;

/// A body: the attributes and blocks of a file or of a block, in source order.
#[derive(Clone, Debug, Default)]
pub struct Body {
    /// `name = value`.
    pub attrs: Vec<Attr>,
    /// `kind "label" { … }`.
    pub blocks: Vec<Block>,
}

impl Body {
    /// The attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    /// The blocks of kind `kind`.
    pub fn blocks<'b>(&'b self, kind: &'b str) -> impl Iterator<Item = &'b Block> + 'b {
        self.blocks.iter().filter(move |b| b.kind == kind)
    }
}

/// An attribute.
#[derive(Clone, Debug)]
pub struct Attr {
    /// Its name.
    pub name: String,
    /// The name's span.
    pub name_span: Span,
    /// Its value.
    pub value: Expr,
}

/// A block.
#[derive(Clone, Debug)]
pub struct Block {
    /// Its type (`resource`, `stage`, …).
    pub kind: String,
    /// The type's span.
    pub kind_span: Span,
    /// Its labels, with their spans.
    pub labels: Vec<(String, Span)>,
    /// Its body.
    pub body: Body,
    /// The whole block.
    pub span: Span,
}

impl Block {
    /// The label at `i`.
    pub fn label(&self, i: usize) -> Option<&str> {
        self.labels.get(i).map(|(l, _)| l.as_str())
    }
}

/// A literal string with the offset in the file of each of its bytes (`map[len]` is the end),
/// when it could be told.
#[derive(Clone, Debug)]
pub struct Lit {
    /// The string, escapes undone.
    pub value: String,
    /// Where each byte comes from.
    pub map: Option<Vec<u32>>,
}

/// An expression with its span.
#[derive(Clone, Debug)]
pub struct Expr {
    /// Where it is written.
    pub span: Span,
    /// What it is.
    pub kind: ExprKind,
}

/// A part of a string template.
#[derive(Clone, Debug)]
pub enum Part {
    /// Literal text.
    Lit(Lit, Span),
    /// `${expr}`.
    Interp(Expr),
    /// `%{if}`/`%{for}`: not evaluated (its value is unknown).
    Directive(Span),
}

/// A step of a traversal.
#[derive(Clone, Debug)]
pub enum Op {
    /// `.name`.
    Attr(String, Span),
    /// `[expr]` (or the legacy `.0`).
    Index(Expr),
    /// `.*` or `[*]`.
    Splat(Span),
}

/// Operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `==`
    Eq,
    /// `!=`
    NotEq,
    /// `<`, `>`, `<=`, `>=`
    Compare(std::cmp::Ordering, bool),
    /// `+`, `-`, `*`, `/`, `%`
    Arith(char),
    /// `&&`
    And,
    /// `||`
    Or,
}

/// What an expression is.
#[derive(Clone, Debug)]
pub enum ExprKind {
    /// `null`.
    Null,
    /// `true`/`false`.
    Bool(bool),
    /// A number, as written.
    Number(f64),
    /// A string without interpolation.
    Str(Lit),
    /// A string with interpolations (quoted or heredoc).
    Template(Vec<Part>),
    /// `[…]`.
    Array(Vec<Expr>),
    /// `{…}`: keys are names or expressions.
    Object(Vec<(Expr, Expr)>),
    /// A name (`var`, `aws_iam_role`, `count`, a `for` variable).
    Var(String),
    /// `expr.name[i]…`.
    Traversal(Box<Expr>, Vec<Op>),
    /// `name(args)`; the flag is a final `...`.
    Call(String, Vec<Expr>, bool),
    /// `c ? a : b`.
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `!x`, `-x`: `true` for not.
    Unary(bool, Box<Expr>),
    /// `a op b`.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `[for k, v in coll : value if cond]` / `{for … : key => value}`.
    For(Box<ForExpr>),
}

/// A `for` expression.
#[derive(Clone, Debug)]
pub struct ForExpr {
    /// The key (or index) variable.
    pub key_var: Option<String>,
    /// The value variable.
    pub value_var: String,
    /// What is iterated.
    pub collection: Expr,
    /// The key of an object `for`.
    pub key: Option<Expr>,
    /// The value.
    pub value: Expr,
    /// The filter.
    pub cond: Option<Expr>,
    /// `...`: values grouped by key.
    pub grouping: bool,
}

/// An HCL syntax error: the message and where.
#[derive(Clone, Debug)]
pub struct SyntaxError {
    /// What the parser says.
    pub message: String,
    /// Where.
    pub span: Span,
}

/// Parses a file (a `.tf` or `.tfvars`).
pub fn parse(text: &str) -> Result<Body, SyntaxError> {
    match hcl_edit::parser::parse_body(text) {
        Ok(body) => Ok(Reader { text }.body(&body)),
        Err(error) => {
            let at = error.location().offset().min(text.len());
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            let message = error.message().trim().to_string();
            Err(SyntaxError {
                message: if message.is_empty() {
                    "invalid HCL".to_string()
                } else {
                    message
                },
                span: Span::new(at as u32, end as u32),
            })
        }
    }
}

/// Turns `hcl-edit`'s tree into ours.
struct Reader<'t> {
    text: &'t str,
}

fn span_of(range: Option<std::ops::Range<usize>>) -> Span {
    range.map_or(Span::empty(0), |r| Span::new(r.start as u32, r.end as u32))
}

impl Reader<'_> {
    fn body(&self, body: &hcl_edit::structure::Body) -> Body {
        let mut out = Body::default();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attr) => out.attrs.push(Attr {
                    name: attr.key.as_str().to_string(),
                    name_span: span_of(attr.key.span()),
                    value: self.expr(&attr.value),
                }),
                Structure::Block(block) => out.blocks.push(Block {
                    kind: block.ident.as_str().to_string(),
                    kind_span: span_of(block.ident.span()),
                    labels: block
                        .labels
                        .iter()
                        .map(|l| {
                            let span = span_of(l.span());
                            let text = match l {
                                BlockLabel::Ident(i) => i.as_str().to_string(),
                                BlockLabel::String(s) => s.as_str().to_string(),
                            };
                            (text, span)
                        })
                        .collect(),
                    body: self.body(&block.body),
                    span: span_of(block.span()),
                }),
            }
        }
        out
    }

    fn expr(&self, expr: &Expression) -> Expr {
        let span = span_of(expr.span());
        let kind = match expr {
            Expression::Null(_) => ExprKind::Null,
            Expression::Bool(b) => ExprKind::Bool(*b.value()),
            Expression::Number(n) => ExprKind::Number(n.value().as_f64().unwrap_or(f64::NAN)),
            Expression::String(s) => ExprKind::Str(self.quoted(s.value(), span)),
            Expression::StringTemplate(t) => {
                ExprKind::Template(t.iter().map(|e| self.element(e, true)).collect())
            }
            Expression::HeredocTemplate(h) => {
                ExprKind::Template(self.template(&h.template, h.indent().is_some()))
            }
            Expression::Array(items) => {
                ExprKind::Array(items.iter().map(|e| self.expr(e)).collect())
            }
            Expression::Object(object) => ExprKind::Object(
                object
                    .iter()
                    .map(|(key, value)| {
                        let key = match key {
                            ObjectKey::Ident(name) => {
                                let span = span_of(name.span());
                                Expr {
                                    span,
                                    kind: ExprKind::Str(Lit {
                                        value: name.as_str().to_string(),
                                        map: Some((span.start..=span.end).collect()),
                                    }),
                                }
                            }
                            ObjectKey::Expression(e) => self.expr(e),
                        };
                        (key, self.expr(value.expr()))
                    })
                    .collect(),
            ),
            Expression::Parenthesis(p) => return self.expr(p.inner()),
            Expression::Variable(v) => ExprKind::Var(v.as_str().to_string()),
            Expression::Conditional(c) => ExprKind::Cond(
                Box::new(self.expr(&c.cond_expr)),
                Box::new(self.expr(&c.true_expr)),
                Box::new(self.expr(&c.false_expr)),
            ),
            Expression::FuncCall(f) => {
                let mut name = String::new();
                for part in &f.name.namespace {
                    name.push_str(part.as_str());
                    name.push_str("::");
                }
                name.push_str(f.name.name.as_str());
                ExprKind::Call(
                    name,
                    f.args.iter().map(|a| self.expr(a)).collect(),
                    f.args.expand_final(),
                )
            }
            Expression::Traversal(t) => ExprKind::Traversal(
                Box::new(self.expr(&t.expr)),
                t.operators
                    .iter()
                    .map(|op| {
                        let span = span_of(op.span());
                        match op.value() {
                            TraversalOperator::GetAttr(name) => {
                                Op::Attr(name.as_str().to_string(), span)
                            }
                            TraversalOperator::Index(e) => Op::Index(self.expr(e)),
                            TraversalOperator::LegacyIndex(i) => Op::Index(Expr {
                                span,
                                kind: ExprKind::Number(*i.value() as f64),
                            }),
                            TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                                Op::Splat(span)
                            }
                        }
                    })
                    .collect(),
            ),
            Expression::UnaryOp(u) => ExprKind::Unary(
                matches!(u.operator.value(), UnaryOperator::Not),
                Box::new(self.expr(&u.expr)),
            ),
            Expression::BinaryOp(b) => {
                use std::cmp::Ordering::{Greater, Less};
                let op = match b.operator.value() {
                    BinaryOperator::Eq => BinOp::Eq,
                    BinaryOperator::NotEq => BinOp::NotEq,
                    BinaryOperator::Less => BinOp::Compare(Less, false),
                    BinaryOperator::LessEq => BinOp::Compare(Less, true),
                    BinaryOperator::Greater => BinOp::Compare(Greater, false),
                    BinaryOperator::GreaterEq => BinOp::Compare(Greater, true),
                    BinaryOperator::Plus => BinOp::Arith('+'),
                    BinaryOperator::Minus => BinOp::Arith('-'),
                    BinaryOperator::Mul => BinOp::Arith('*'),
                    BinaryOperator::Div => BinOp::Arith('/'),
                    BinaryOperator::Mod => BinOp::Arith('%'),
                    BinaryOperator::And => BinOp::And,
                    BinaryOperator::Or => BinOp::Or,
                };
                ExprKind::Binary(
                    op,
                    Box::new(self.expr(&b.lhs_expr)),
                    Box::new(self.expr(&b.rhs_expr)),
                )
            }
            Expression::ForExpr(f) => ExprKind::For(Box::new(ForExpr {
                key_var: f.intro.key_var.as_ref().map(|k| k.as_str().to_string()),
                value_var: f.intro.value_var.as_str().to_string(),
                collection: self.expr(&f.intro.collection_expr),
                key: f.key_expr.as_ref().map(|k| self.expr(k)),
                value: self.expr(&f.value_expr),
                cond: f.cond.as_ref().map(|c| self.expr(&c.expr)),
                grouping: f.grouping,
            })),
        };
        Expr { span, kind }
    }

    /// A quoted string without interpolation: the span holds its quotes.
    fn quoted(&self, value: &str, span: Span) -> Lit {
        let inner = Span::new(
            (span.start + 1).min(span.end),
            span.end.saturating_sub(1).max(span.start),
        );
        Lit {
            value: value.to_string(),
            map: align(self.text, inner, value, true),
        }
    }

    fn template(&self, template: &Template, heredoc_dedented: bool) -> Vec<Part> {
        let _ = heredoc_dedented;
        template.iter().map(|e| self.element(e, false)).collect()
    }

    fn element(&self, element: &Element, quoted: bool) -> Part {
        match element {
            Element::Literal(lit) => {
                let span = span_of(lit.span());
                Part::Lit(
                    Lit {
                        value: lit.value().to_string(),
                        map: align(self.text, span, lit.value(), quoted),
                    },
                    span,
                )
            }
            Element::Interpolation(i) => Part::Interp(self.expr(&i.expr)),
            Element::Directive(d) => Part::Directive(span_of(d.span())),
        }
    }
}

/// The offset of each byte of `value` in `text`, when the source at `span` reads as `value`:
/// escapes (`\"`, `\n`, `\u…` in quoted strings), `$${` and `%%{`, and the leading blanks a
/// `<<-` heredoc strips are stepped over. `None` when the two cannot be aligned.
pub fn align(text: &str, span: Span, value: &str, quoted: bool) -> Option<Vec<u32>> {
    let raw = text.get(span.range())?;
    let raw = raw.as_bytes();
    let base = span.start as usize;
    let mut map = Vec::with_capacity(value.len() + 1);
    let mut at = 0usize;
    for c in value.chars() {
        loop {
            let rest = raw.get(at..)?;
            if rest.is_empty() {
                return None;
            }
            if (c == '$' && rest.starts_with(b"$${")) || (c == '%' && rest.starts_with(b"%%{")) {
                map.extend(std::iter::repeat_n((base + at) as u32, c.len_utf8()));
                at += 2;
                break;
            }
            let mut buffer = [0u8; 4];
            let encoded = c.encode_utf8(&mut buffer).as_bytes();
            if rest.starts_with(encoded) {
                map.extend(std::iter::repeat_n((base + at) as u32, c.len_utf8()));
                at += encoded.len();
                break;
            }
            if quoted && rest[0] == b'\\' {
                let length = match rest.get(1) {
                    Some(b'u') => 6,
                    Some(b'U') => 10,
                    Some(_) => 2,
                    None => return None,
                };
                map.extend(std::iter::repeat_n((base + at) as u32, c.len_utf8()));
                at += length.min(rest.len());
                break;
            }
            // Blanks a dedented heredoc dropped, or a `\r` of a `\r\n` line end.
            if matches!(rest[0], b' ' | b'\t' | b'\r') {
                at += 1;
                continue;
            }
            return None;
        }
    }
    map.push((base + at) as u32);
    Some(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr<'b>(body: &'b Body, name: &str) -> &'b Expr {
        &body.attr(name).unwrap().value
    }

    #[test]
    fn literals_map_back_to_their_bytes() {
        let text = "a = \"x\\\"y$${z}\"\nb = <<-EOT\n    {\n      \"k\": 1\n    }\n    EOT\n";
        let body = parse(text).unwrap();
        let ExprKind::Str(lit) = &attr(&body, "a").kind else {
            panic!("a string")
        };
        assert_eq!(lit.value, "x\"y${z}");
        let map = lit.map.as_ref().unwrap();
        // `"` comes from the backslash, `$` from `$$`.
        assert_eq!(&text[map[1] as usize..map[1] as usize + 2], "\\\"");
        assert_eq!(&text[map[3] as usize..map[3] as usize + 3], "$${");
        let ExprKind::Template(parts) = &attr(&body, "b").kind else {
            panic!("a heredoc")
        };
        let Part::Lit(lit, _) = &parts[0] else {
            panic!("a literal")
        };
        assert_eq!(lit.value, "{\n  \"k\": 1\n}\n");
        let map = lit.map.as_ref().unwrap();
        let k = lit.value.find('"').unwrap();
        assert_eq!(&text[map[k] as usize..map[k] as usize + 3], "\"k\"");
    }

    #[test]
    fn blocks_labels_and_traversals() {
        let text = "resource \"aws_iam_role\" \"r\" {\n  arn = aws_iam_role.x.arn\n  t = \"a${var.b}c\"\n  stage {\n    name = \"S\"\n  }\n}\n";
        let body = parse(text).unwrap();
        let block = &body.blocks[0];
        assert_eq!(block.kind, "resource");
        assert_eq!(block.label(0), Some("aws_iam_role"));
        assert_eq!(&text[block.labels[1].1.range()], "\"r\"");
        let ExprKind::Traversal(root, ops) = &attr(&block.body, "arn").kind else {
            panic!("a traversal")
        };
        assert!(matches!(&root.kind, ExprKind::Var(v) if v == "aws_iam_role"));
        assert_eq!(ops.len(), 2);
        assert!(matches!(attr(&block.body, "t").kind, ExprKind::Template(ref p) if p.len() == 3));
        assert_eq!(block.body.blocks("stage").count(), 1);
    }

    #[test]
    fn syntax_errors_have_a_span() {
        let error = parse("a = {\n").unwrap_err();
        assert!(error.span.start <= 6, "{error:?}");
        // Nesting beyond the parser's bound is an error, not a stack overflow.
        let deep = format!("a = {}{}", "[".repeat(5000), "]".repeat(5000));
        assert!(parse(&deep).is_err());
    }
}
