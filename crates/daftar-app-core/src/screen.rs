//! Interview pages and their view models: the engine's screens, plus a page per enumerator-controlled
//! roster (to add and remove rows), in questionnaire order.

use survey_engine::{Instance, Session};
use survey_spec::model::{Condition, Kind, Text, TextPiece};
use survey_spec::value_text;

use crate::dto::{
    ChoiceDto, IssueDto, ItemDto, ReviewLineDto, RosterDto, RosterRowDto, SectionDto,
};

/// First strong isolate (U+2068) and pop directional isolate (U+2069): piped values and codes keep their
/// own direction inside an Arabic or French sentence.
pub const FSI: char = '\u{2068}';
/// See [`FSI`].
pub const PDI: char = '\u{2069}';

/// One page of the interview.
#[derive(Debug, Clone, PartialEq)]
pub enum Page {
    /// An engine screen: one question or a field-list group.
    Screen {
        /// The item or group.
        anchor: Instance,
        /// The items shown.
        items: Vec<Instance>,
    },
    /// The overview of a roster whose rows the enumerator adds and removes.
    Roster(Instance),
}

impl Page {
    /// The instance the page is named after.
    pub fn anchor(&self) -> Instance {
        match self {
            Page::Screen { anchor, .. } => *anchor,
            Page::Roster(inst) => *inst,
        }
    }
}

/// Every relevant page in order.
pub fn pages(session: &Session) -> Vec<Page> {
    let q = session.questionnaire();
    let walk = session.walk();
    let position = |i: Instance| walk.iter().position(|&w| w == i).unwrap_or(usize::MAX);
    let mut pages: Vec<(usize, Page)> = session
        .screens()
        .into_iter()
        .map(|s| {
            (
                position(s.anchor),
                Page::Screen {
                    anchor: s.anchor,
                    items: s.items,
                },
            )
        })
        .collect();
    for &inst in &walk {
        let node = q.node(inst.node);
        if node.kind == Kind::Roster && node.repeat_count.is_none() && session.is_relevant(inst) {
            pages.push((position(inst), Page::Roster(inst)));
        }
    }
    pages.sort_by_key(|(p, _)| *p);
    pages.into_iter().map(|(_, p)| p).collect()
}

/// The index of the page showing `path`, or else the first page after it in questionnaire order.
pub fn page_index(session: &Session, pages: &[Page], path: &str) -> Option<usize> {
    let target = session.resolve(path).ok()?;
    if let Some(i) = pages.iter().position(|p| match p {
        Page::Screen { anchor, items } => *anchor == target || items.contains(&target),
        Page::Roster(inst) => *inst == target,
    }) {
        return Some(i);
    }
    let walk = session.walk();
    let here = walk.iter().position(|&w| w == target)?;
    pages.iter().position(|p| {
        walk.iter()
            .position(|&w| w == p.anchor())
            .is_some_and(|at| at > here)
    })
}

/// Renders a text in the session's language, with each piped value wrapped in bidi isolates.
pub fn render_isolated(session: &Session, text: &Text, inst: Instance) -> String {
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
                let target = q.node(*node);
                if target.kind == Kind::Roster {
                    continue;
                }
                if let Some(scope) = scope_holding(session, target.roster, inst.scope) {
                    let shown =
                        survey_engine::display_value(session, Instance { node: *node, scope });
                    out.push(FSI);
                    out.push_str(&shown);
                    out.push(PDI);
                }
            }
        }
    }
    out
}

/// The scope holding cells of nodes in `roster` (None: the top level), walking up from `scope`.
fn scope_holding(
    session: &Session,
    roster: Option<survey_spec::NodeId>,
    mut scope: survey_engine::ScopeId,
) -> Option<survey_engine::ScopeId> {
    loop {
        if session.scope_roster(scope) == roster {
            return Some(scope);
        }
        scope = session.scope_parent(scope)?;
    }
}

fn label_of(session: &Session, inst: Instance) -> String {
    let node = session.questionnaire().node(inst.node);
    node.label
        .as_ref()
        .map(|t| render_isolated(session, t, inst))
        .unwrap_or_else(|| node.name.clone())
}

fn choice_dtos(session: &Session, list: &survey_spec::model::ChoiceList) -> Vec<ChoiceDto> {
    let q = session.questionnaire();
    let lang = session.language();
    let alt = if q.languages.get(lang).map(String::as_str) == Some("ar") {
        q.language_index("fr")
    } else {
        q.language_index("ar")
    };
    list.choices
        .iter()
        .map(|c| {
            let label = c.label.get(lang).to_string();
            let alt_label = alt
                .map(|a| c.label.get(a).to_string())
                .filter(|a| !a.is_empty() && *a != label);
            ChoiceDto {
                code: c.code.clone(),
                label,
                alt_label,
            }
        })
        .collect()
}

/// The item view model of one instance.
pub fn item_dto(session: &Session, inst: Instance, comment: Option<String>) -> ItemDto {
    let q = session.questionnaire();
    let node = q.node(inst.node);
    let required = match &node.required {
        Condition::Always(b) => *b,
        Condition::When(expr) => session.evaluate(expr, inst).to_bool(),
    };
    let choices = if node.kind.has_choices() || node.kind == Kind::YesNo {
        q.choice_list_of(inst.node)
            .map(|l| choice_dtos(session, l))
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let currencies = if node.kind == Kind::Money {
        match node.currencies.and_then(|i| q.choice_lists.get(i as usize)) {
            Some(list) => choice_dtos(session, list),
            None => ["MAD", "EUR", "USD"]
                .iter()
                .map(|c| ChoiceDto {
                    code: (*c).to_string(),
                    label: (*c).to_string(),
                    alt_label: None,
                })
                .collect(),
        }
    } else {
        Vec::new()
    };
    let accuracy = node
        .parameters
        .iter()
        .find(|(k, _)| k == "accuracy")
        .and_then(|(_, v)| v.parse().ok());
    ItemDto {
        path: session.path(inst),
        name: node.name.clone(),
        kind: node.kind.name().to_string(),
        appearance: node.appearance.clone(),
        label: label_of(session, inst),
        hint: node
            .hint
            .as_ref()
            .map(|t| render_isolated(session, t, inst)),
        required,
        read_only: session.is_read_only(inst),
        value: session
            .value(inst)
            .map(value_text::to_json)
            .unwrap_or(serde_json::Value::Null),
        choices,
        currencies,
        accuracy,
        issues: session
            .issues(inst)
            .into_iter()
            .map(|i| IssueDto {
                code: i.code,
                message: i.message,
                soft: i.soft,
                confirmed: i.confirmed,
            })
            .collect(),
        comment,
    }
}

/// Whether an instance is a question the enumerator answers (not a note, calculation or metadata).
pub fn is_question(session: &Session, inst: Instance) -> bool {
    let node = session.questionnaire().node(inst.node);
    node.kind.is_question() && node.calculation.is_none() && node.kind != Kind::Note
}

/// The overview of the roster `roster` (an instance of a roster node).
pub fn roster_dto(session: &Session, roster: Instance) -> RosterDto {
    let q = session.questionnaire();
    let node = q.node(roster.node);
    let walk = session.walk();
    let rows = session
        .rows(roster)
        .iter()
        .map(|&row| {
            let row_inst = Instance {
                node: roster.node,
                scope: row,
            };
            let position = session.row_position(row);
            let label = node
                .row_label
                .as_ref()
                .map(|t| render_isolated(session, t, row_inst))
                .filter(|l| !l.trim().is_empty() && l.trim() != format!("{FSI}{PDI}"))
                .unwrap_or_else(|| format!("{FSI}{position}{PDI}"));
            let (mut questions, mut answered) = (0, 0);
            for &inst in walk.iter().filter(|i| in_row(session, i.scope, row)) {
                if session.is_relevant(inst) && is_question(session, inst) {
                    questions += 1;
                    answered += u32::from(session.value(inst).is_some());
                }
            }
            RosterRowDto {
                path: session.row_path(row),
                label,
                answered,
                questions,
            }
        })
        .collect();
    RosterDto {
        path: session.path(roster),
        label: label_of(session, roster),
        rows,
        counted: node.repeat_count.is_some(),
    }
}

fn in_row(
    session: &Session,
    mut scope: survey_engine::ScopeId,
    row: survey_engine::ScopeId,
) -> bool {
    loop {
        if scope == row {
            return true;
        }
        match session.scope_parent(scope) {
            Some(p) => scope = p,
            None => return false,
        }
    }
}

/// The roster whose row holds `inst`, if any, as a roster instance.
pub fn enclosing_roster(session: &Session, inst: Instance) -> Option<Instance> {
    let roster = session.scope_roster(inst.scope)?;
    let parent = session.scope_parent(inst.scope)?;
    Some(Instance {
        node: roster,
        scope: parent,
    })
}

/// Sections with their completion state.
pub fn section_dtos(session: &Session) -> Vec<SectionDto> {
    session
        .sections()
        .into_iter()
        .filter(|s| s.questions > 0 || s.missing > 0)
        .map(|s| SectionDto {
            path: session.path(s.instance),
            label: label_of(session, s.instance),
            questions: s.questions,
            answered: s.answered,
            missing: s.missing,
            errors: s.errors,
            warnings: s.warnings,
        })
        .collect()
}

/// What is left before completing: unanswered required questions, errors, unconfirmed warnings, and the
/// supervisor's comments.
pub fn review_lines(
    session: &Session,
    comments: &std::collections::BTreeMap<String, String>,
) -> Vec<ReviewLineDto> {
    let mut lines = Vec::new();
    for inst in session.walk() {
        if !session.is_relevant(inst) {
            continue;
        }
        let path = session.path(inst);
        for issue in session.issues(inst) {
            let kind = match (issue.code.as_str(), issue.soft) {
                ("required", _) => "unanswered",
                (_, true) if issue.confirmed => continue,
                (_, true) => "warning",
                (_, false) => "error",
            };
            lines.push(ReviewLineDto {
                path: path.clone(),
                label: label_of(session, inst),
                kind: kind.to_string(),
                message: issue.message,
            });
        }
        if let Some(comment) = comments.get(&path) {
            lines.push(ReviewLineDto {
                path: path.clone(),
                label: label_of(session, inst),
                kind: "comment".to_string(),
                message: comment.clone(),
            });
        }
    }
    lines
}
