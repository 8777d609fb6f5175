//! Navigation: screens (one question, or a whole `field-list` group), next and previous relevant screen,
//! jumps, and sections with their completion state.

use survey_spec::model::Kind;

use crate::session::{Instance, Session};

/// What the enumerator sees at once.
#[derive(Debug, Clone, PartialEq)]
pub struct Screen {
    /// The item shown, or the `field-list` group whose items are shown together.
    pub anchor: Instance,
    /// The items on the screen, in order.
    pub items: Vec<Instance>,
}

/// A section and how far it is done.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionState {
    /// The section (or top-level container or item).
    pub instance: Instance,
    /// Relevant questions in it.
    pub questions: u32,
    /// Of which answered.
    pub answered: u32,
    /// Required answers missing.
    pub missing: u32,
    /// Hard errors.
    pub errors: u32,
    /// Warnings not yet confirmed.
    pub warnings: u32,
}

impl SectionState {
    /// Whether nothing is left to do in the section.
    pub fn is_done(&self) -> bool {
        self.missing == 0 && self.errors == 0 && self.warnings == 0
    }
}

fn is_field_list(session: &Session, inst: Instance) -> bool {
    let node = session.questionnaire().node(inst.node);
    node.kind == Kind::Group
        && node
            .appearance
            .as_deref()
            .is_some_and(|a| a.split_whitespace().any(|w| w == "field-list"))
}

fn is_shown(session: &Session, inst: Instance) -> bool {
    let node = session.questionnaire().node(inst.node);
    (node.kind.is_question() || node.kind == Kind::Note) && node.calculation.is_none()
}

impl Session {
    /// The relevant screens, in order.
    pub fn screens(&self) -> Vec<Screen> {
        let mut screens: Vec<Screen> = Vec::new();
        let mut open_group: Option<(Instance, usize)> = None;
        for inst in self.walk() {
            if !self.is_relevant(inst) {
                continue;
            }
            if let Some((group, index)) = open_group {
                if self.is_inside(inst, group) {
                    if is_shown(self, inst) {
                        screens[index].items.push(inst);
                    }
                    continue;
                }
                open_group = None;
            }
            if is_field_list(self, inst) {
                open_group = Some((inst, screens.len()));
                screens.push(Screen {
                    anchor: inst,
                    items: Vec::new(),
                });
            } else if is_shown(self, inst) {
                screens.push(Screen {
                    anchor: inst,
                    items: vec![inst],
                });
            }
        }
        screens.retain(|s| !s.items.is_empty());
        screens
    }

    /// Whether `inst` lies inside container instance `group` (same scope or a row below it).
    pub fn is_inside(&self, inst: Instance, group: Instance) -> bool {
        let q = self.questionnaire();
        let mut node = q.node(inst.node).parent;
        while let Some(p) = node {
            if p == group.node {
                // The group must be the one in this row (or an ancestor row).
                return self.scope_for(p, inst.scope) == Some(group.scope)
                    || q.node(p).kind == Kind::Roster
                        && self.scope_parent(inst.scope) == Some(group.scope);
            }
            node = q.node(p).parent;
        }
        false
    }

    /// The screen showing `path` (an item, or a field-list group), if relevant.
    pub fn screen_of(&self, path: &str) -> Option<Screen> {
        let target = self.resolve(path).ok()?;
        self.screens()
            .into_iter()
            .find(|s| s.anchor == target || s.items.contains(&target))
    }

    /// The next relevant screen after the one showing `from` (the first screen when `from` is `None`).
    pub fn next_screen(&self, from: Option<&str>) -> Option<Screen> {
        let screens = self.screens();
        let Some(from) = from else {
            return screens.into_iter().next();
        };
        let target = self.resolve(from).ok()?;
        let walk = self.walk();
        let position = |i: Instance| walk.iter().position(|&w| w == i);
        let here = position(target)?;
        screens
            .into_iter()
            .find(|s| position(s.anchor).is_some_and(|p| p > here) && !s.items.contains(&target))
    }

    /// The previous relevant screen before the one showing `from`.
    pub fn previous_screen(&self, from: &str) -> Option<Screen> {
        let target = self.resolve(from).ok()?;
        let screens = self.screens();
        let current = screens
            .iter()
            .position(|s| s.anchor == target || s.items.contains(&target));
        let walk = self.walk();
        let here = walk.iter().position(|&w| w == target)?;
        match current {
            Some(i) => i.checked_sub(1).map(|j| screens[j].clone()),
            None => screens.into_iter().rev().find(|s| {
                walk.iter()
                    .position(|&w| w == s.anchor)
                    .is_some_and(|p| p < here)
            }),
        }
    }

    /// The top-level nodes with their completion state.
    pub fn sections(&self) -> Vec<SectionState> {
        let q = self.questionnaire();
        let walk = self.walk();
        q.top
            .iter()
            .map(|&id| {
                let instance = Instance { node: id, scope: 0 };
                let mut state = SectionState {
                    instance,
                    questions: 0,
                    answered: 0,
                    missing: 0,
                    errors: 0,
                    warnings: 0,
                };
                for &inst in walk
                    .iter()
                    .filter(|&&i| i == instance || self.is_inside(i, instance))
                {
                    if !self.is_relevant(inst) {
                        continue;
                    }
                    if is_shown(self, inst) && q.node(inst.node).kind != Kind::Note {
                        state.questions += 1;
                        state.answered += u32::from(self.value(inst).is_some());
                    }
                    for issue in self.issues(inst) {
                        match (issue.code.as_str(), issue.soft) {
                            ("required", _) => state.missing += 1,
                            (_, true) if !issue.confirmed => state.warnings += 1,
                            (_, false) => state.errors += 1,
                            _ => {}
                        }
                    }
                }
                state
            })
            .collect()
    }
}
