//! A small located YAML tree built from `saphyr-parser` events.
//!
//! The questionnaire reader needs the line and column of every key and value, not only of syntax errors, so
//! that a duplicate name or a bad reference points at the exact spot. JSON is read by the same parser (a JSON
//! document is a YAML flow document).

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::diagnostic::{Diagnostics, Loc};

/// A YAML node with its location.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub(crate) kind: NodeKind,
    pub(crate) loc: Loc,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NodeKind {
    /// A scalar; `quoted` tells `"1"` (a string) from `1` (which also reads as text).
    Scalar {
        text: String,
        quoted: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
    /// An alias or anything this format does not use.
    Unsupported,
}

impl Node {
    pub(crate) fn as_scalar(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Whether this scalar is YAML's null (`~`, `null`, or nothing).
    pub(crate) fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { text, quoted: false } if text.is_empty() || text == "~" || text == "null")
    }

    /// Column shift from the node's start to the first character of its content (1 for a quoted scalar).
    pub(crate) fn content_shift(&self) -> u32 {
        match &self.kind {
            NodeKind::Scalar { quoted: true, .. } => 1,
            _ => 0,
        }
    }
}

fn loc_of(span: &Span) -> Loc {
    Loc::text(span.start.line() as u32, span.start.col() as u32 + 1)
}

enum Frame {
    Seq(Vec<Node>, Loc),
    Map(Vec<(Node, Node)>, Option<Node>, Loc),
}

/// Parses `text` into its first document's root node. Syntax errors are reported and give `None`.
pub(crate) fn parse(text: &str, diagnostics: &mut Diagnostics) -> Option<Node> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let mut finished_document = false;
    for event in Parser::new_from_str(text) {
        let (event, span) = match event {
            Ok(pair) => pair,
            Err(error) => {
                let marker = error.marker();
                diagnostics.error(
                    &Loc::text(marker.line() as u32, marker.col() as u32 + 1),
                    "S001",
                    format!("this is not valid YAML: {}", error.info()),
                );
                return None;
            }
        };
        let node = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => continue,
            Event::DocumentStart(_) => {
                if finished_document {
                    diagnostics.error(
                        &loc_of(&span),
                        "S002",
                        "a questionnaire file holds one document; remove the second `---` document",
                    );
                    return root;
                }
                continue;
            }
            Event::DocumentEnd => {
                finished_document = true;
                continue;
            }
            Event::SequenceStart(..) => {
                stack.push(Frame::Seq(Vec::new(), loc_of(&span)));
                continue;
            }
            Event::MappingStart(..) => {
                stack.push(Frame::Map(Vec::new(), None, loc_of(&span)));
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(items, loc)) => Node {
                    kind: NodeKind::Seq(items),
                    loc,
                },
                _ => return None,
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(entries, _, loc)) => Node {
                    kind: NodeKind::Map(entries),
                    loc,
                },
                _ => return None,
            },
            Event::Scalar(value, style, _, _) => Node {
                kind: NodeKind::Scalar {
                    text: value.into_owned(),
                    quoted: !matches!(style, ScalarStyle::Plain),
                },
                loc: loc_of(&span),
            },
            Event::Alias(_) => {
                diagnostics.error(
                    &loc_of(&span),
                    "S003",
                    "YAML aliases (`*name`) are not supported in questionnaires; write the value out",
                );
                Node {
                    kind: NodeKind::Unsupported,
                    loc: loc_of(&span),
                }
            }
        };
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq(items, _)) => items.push(node),
            Some(Frame::Map(entries, pending_key, _)) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => entries.push((key, node)),
            },
        }
    }
    root
}
