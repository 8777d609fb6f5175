//! Texts with piped values, in the interview's language.

use survey_spec::model::{Kind, Text, TextPiece};
use survey_spec::{Answer, value_text};

use crate::session::{Instance, Session};

/// A value as shown inside a label: a choice shows its label, numbers and dates their usual text.
pub fn display_value(session: &Session, inst: Instance) -> String {
    if !session.is_relevant(inst) {
        return String::new();
    }
    let Some(value) = session.value(inst) else {
        return String::new();
    };
    let q = session.questionnaire();
    let lang = session.language();
    match (value, q.choice_list_of(inst.node)) {
        (Answer::Choice(code), Some(list)) => list
            .get(code)
            .map(|c| c.label.get(lang).to_string())
            .unwrap_or_else(|| code.clone()),
        (Answer::Choices(codes), Some(list)) => codes
            .iter()
            .map(|code| {
                list.get(code)
                    .map(|c| c.label.get(lang).to_string())
                    .unwrap_or_else(|| code.clone())
            })
            .collect::<Vec<_>>()
            .join(", "),
        (other, _) => value_text::to_text(other),
    }
}

pub(crate) fn render(session: &Session, text: &Text, inst: Instance) -> String {
    let lang = session.language();
    let Some(pieces) = text.pieces.get(lang).filter(|p| !p.is_empty()) else {
        return text.get(lang).to_string();
    };
    let q = session.questionnaire();
    let mut out = String::new();
    for piece in pieces {
        match piece {
            TextPiece::Literal(s) => out.push_str(s),
            TextPiece::Value(node) => {
                if q.node(*node).kind == Kind::Roster {
                    continue;
                }
                if let Some(scope) = session.scope_for(*node, inst.scope) {
                    out.push_str(&display_value(session, Instance { node: *node, scope }));
                }
            }
        }
    }
    out
}
