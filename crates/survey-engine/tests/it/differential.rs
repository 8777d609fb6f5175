//! The differential oracle: after every step of random interviews over random questionnaires, the
//! incrementally maintained state equals a full recompute, and equals a fresh session restored from the
//! saved answers.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use survey_engine::{Session, Step};
use survey_spec::Answer;
use survey_spec::model::Kind;

use crate::{questionnaire, session};

#[derive(Clone)]
struct Item {
    name: String,
    kind: &'static str,
    /// Rosters enclosing the item, outermost first.
    chain: Vec<String>,
}

struct Generator {
    rng: StdRng,
    next: usize,
    items: Vec<Item>,
    rosters: Vec<(String, Vec<String>)>,
    yaml: String,
}

impl Generator {
    fn name(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    /// An earlier item that has exactly one value in `chain`'s rows.
    fn scalar_ref(&mut self, chain: &[String], kinds: &[&str]) -> Option<Item> {
        let candidates: Vec<Item> = self
            .items
            .iter()
            .filter(|i| kinds.contains(&i.kind) && chain.starts_with(&i.chain))
            .cloned()
            .collect();
        if candidates.is_empty() {
            return None;
        }
        Some(candidates[self.rng.random_range(0..candidates.len())].clone())
    }

    /// An earlier item inside a roster the context is not in (needs an aggregate).
    fn many_ref(&mut self, chain: &[String]) -> Option<Item> {
        let candidates: Vec<Item> = self
            .items
            .iter()
            .filter(|i| {
                (i.kind == "integer" || i.kind == "decimal") && !chain.starts_with(&i.chain)
            })
            .cloned()
            .collect();
        if candidates.is_empty() {
            return None;
        }
        Some(candidates[self.rng.random_range(0..candidates.len())].clone())
    }

    fn condition(&mut self, chain: &[String]) -> Option<String> {
        let item = self.scalar_ref(chain, &["integer", "decimal", "yes_no", "calculate"])?;
        Some(match item.kind {
            "yes_no" => format!("${{{}}} = 'yes'", item.name),
            _ => format!("${{{}}} > {}", item.name, self.rng.random_range(0..6)),
        })
    }

    fn calculation(&mut self, chain: &[String]) -> String {
        match self.rng.random_range(0..6) {
            0 => {
                if let Some(many) = self.many_ref(chain) {
                    return format!("sum(${{{}}})", many.name);
                }
                "1".into()
            }
            1 => {
                let rosters: Vec<String> = self
                    .rosters
                    .iter()
                    .filter(|(_, c)| chain.starts_with(c))
                    .map(|(n, _)| n.clone())
                    .filter(|n| !chain.contains(n))
                    .collect();
                match rosters.first() {
                    Some(r) => format!("count(${{{r}}})"),
                    None => "2".into(),
                }
            }
            2 if !chain.is_empty() => "position(..) * 10".into(),
            3 => match self.scalar_ref(chain, &["yes_no"]) {
                Some(i) => format!("if(${{{}}} = 'yes', 1, 0)", i.name),
                None => "3".into(),
            },
            _ => match (
                self.scalar_ref(chain, &["integer", "decimal", "calculate"]),
                self.scalar_ref(chain, &["integer", "decimal"]),
            ) {
                (Some(a), Some(b)) => format!(
                    "coalesce(${{{}}}, 0) + coalesce(${{{}}}, 1) * 2",
                    a.name, b.name
                ),
                (Some(a), None) => format!("${{{}}} + 1", a.name),
                _ => "4".into(),
            },
        }
    }

    fn items(&mut self, indent: usize, chain: &[String], count: usize, depth: usize) {
        let pad = " ".repeat(indent);
        for _ in 0..count {
            let roll = self.rng.random_range(0..100);
            let kind = match roll {
                0..30 => "integer",
                30..45 => "yes_no",
                45..55 => "decimal",
                55..62 => "text",
                62..78 => "calculate",
                78..86 if depth < 3 => "group",
                86..100 if depth < 3 => "roster",
                _ => "integer",
            };
            let name = self.name(if kind == "roster" { "r" } else { "i" });
            self.yaml
                .push_str(&format!("{pad}- name: {name}\n{pad}  type: {kind}\n"));
            if kind != "calculate" {
                self.yaml.push_str(&format!("{pad}  label: {name}\n"));
            }
            if self.rng.random_bool(0.4)
                && let Some(c) = self.condition(chain)
            {
                self.yaml.push_str(&format!("{pad}  relevant: \"{c}\"\n"));
            }
            match kind {
                "integer" | "decimal" => {
                    if self.rng.random_bool(0.3) {
                        self.yaml
                            .push_str(&format!("{pad}  constraint: \". < 8\"\n"));
                    }
                    if self.rng.random_bool(0.3) {
                        self.yaml.push_str(&format!("{pad}  warning: \". != 5\"\n"));
                    }
                    if self.rng.random_bool(0.3) {
                        self.yaml.push_str(&format!("{pad}  required: true\n"));
                    }
                    if self.rng.random_bool(0.2)
                        && let Some(c) = self.condition(chain)
                    {
                        self.yaml.push_str(&format!(
                            "{pad}  checks:\n{pad}    - {{warning: \"{}\"}}\n",
                            c.replace('"', "'")
                        ));
                    }
                }
                "calculate" => {
                    let calc = self.calculation(chain);
                    self.yaml
                        .push_str(&format!("{pad}  calculation: \"{calc}\"\n"));
                }
                "group" | "roster" => {
                    let mut inner = chain.to_vec();
                    if kind == "roster" {
                        if self.rng.random_bool(0.4)
                            && let Some(i) = self.scalar_ref(chain, &["integer"])
                        {
                            self.yaml
                                .push_str(&format!("{pad}  repeat_count: \"${{{}}}\"\n", i.name));
                        } else {
                            self.yaml.push_str(&format!("{pad}  max_rows: 4\n"));
                        }
                        inner.push(name.clone());
                    }
                    self.yaml.push_str(&format!("{pad}  items:\n"));
                    let n = self.rng.random_range(1..5);
                    self.items(indent + 4, &inner, n, depth + 1);
                    if kind == "roster" {
                        self.rosters.push((name.clone(), chain.to_vec()));
                    }
                    continue;
                }
                _ => {}
            }
            self.items.push(Item {
                name,
                kind,
                chain: chain.to_vec(),
            });
        }
    }
}

fn random_questionnaire(seed: u64) -> String {
    let mut g = Generator {
        rng: StdRng::seed_from_u64(seed),
        next: 0,
        items: Vec::new(),
        rosters: Vec::new(),
        yaml: String::new(),
    };
    g.yaml
        .push_str("daftar: 1\nid: random\nversion: \"1\"\nitems:\n");
    let n = g.rng.random_range(4..14);
    g.items(2, &[], n, 0);
    g.yaml
}

fn random_step(rng: &mut StdRng, s: &Session) -> Option<Step> {
    let q = s.questionnaire().clone();
    let instances = s.walk();
    let pick = |rng: &mut StdRng, filter: &dyn Fn(Kind) -> bool| {
        let matching: Vec<_> = instances
            .iter()
            .filter(|i| filter(q.node(i.node).kind))
            .collect();
        (!matching.is_empty()).then(|| *matching[rng.random_range(0..matching.len())])
    };
    Some(match rng.random_range(0..100) {
        0..60 => {
            let inst = pick(rng, &|k| k.is_question())?;
            let path = s.path(inst);
            let value = match q.node(inst.node).kind {
                Kind::Integer => Answer::Integer(rng.random_range(0..10)),
                Kind::Decimal => Answer::Decimal(f64::from(rng.random_range(0..20)) * 0.5),
                Kind::YesNo => {
                    Answer::Choice(if rng.random_bool(0.5) { "yes" } else { "no" }.into())
                }
                _ => Answer::Text(if rng.random_bool(0.5) { "a" } else { "b" }.into()),
            };
            Step::Set { path, value }
        }
        60..68 => Step::Clear {
            path: s.path(pick(rng, &|k| k.is_question())?),
        },
        68..84 => Step::Add {
            roster: s.path(pick(rng, &|k| k == Kind::Roster)?),
        },
        84..92 => {
            let roster = pick(rng, &|k| k == Kind::Roster)?;
            let rows = s.rows(roster);
            if rows.is_empty() {
                return None;
            }
            Step::Remove {
                row: s.row_path(rows[rng.random_range(0..rows.len())]),
            }
        }
        _ => Step::Confirm {
            path: s.path(pick(rng, &|k| k.is_question())?),
        },
    })
}

#[test]
fn incremental_state_equals_full_recompute_on_random_interviews() {
    let mut steps_checked = 0;
    for seed in 0..150u64 {
        let text = random_questionnaire(seed);
        let q = questionnaire(&text);
        let mut s = session(&q);
        let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
        let mut applied = Vec::new();
        for _ in 0..40 {
            let Some(step) = random_step(&mut rng, &s) else {
                continue;
            };
            let ok = s.apply(&step).is_ok();
            applied.push(format!("{step:?} -> {ok}"));
            let mut full = s.clone();
            full.recompute_all();
            let (incremental, recomputed) = (s.state_image(), full.state_image());
            if incremental != recomputed {
                let diff: Vec<String> = incremental
                    .iter()
                    .zip(&recomputed)
                    .filter(|(a, b)| a != b)
                    .map(|(a, b)| {
                        format!(
                            "  {} incremental {}\n  {} recomputed  {}",
                            a.0, a.1, b.0, b.1
                        )
                    })
                    .collect();
                panic!(
                    "seed {seed}: state differs after steps:\n{}\n{}\n---\n{text}",
                    applied.join("\n"),
                    diff.join("\n")
                );
            }
            // A session rebuilt from what would be saved reaches the same state (confirmations aside,
            // which are saved per item).
            let (restored, problems) = Session::restore(
                q.clone(),
                Box::new(survey_engine::FixedEnvironment::new(
                    survey_expr::DateTimeValue {
                        millis: 0,
                        offset_minutes: 0,
                    },
                )),
                &s.roster_rows(),
                &s.answers(),
                &[],
            );
            assert!(
                problems.is_empty(),
                "seed {seed}: restore problems {problems:?}"
            );
            let strip = |image: Vec<(String, String)>| -> Vec<(String, String)> {
                image
                    .into_iter()
                    .map(|(p, st)| {
                        (
                            p,
                            st.split(" conf=").next().unwrap_or("").to_string()
                                + &st[st.find(" req=").unwrap_or(st.len())..],
                        )
                    })
                    .collect()
            };
            let (a, b) = (strip(s.state_image()), strip(restored.state_image()));
            if a != b {
                let diff: Vec<String> = a
                    .iter()
                    .zip(&b)
                    .filter(|(x, y)| x != y)
                    .map(|(x, y)| format!("  {} live     {}\n  {} restored {}", x.0, x.1, y.0, y.1))
                    .collect();
                panic!(
                    "seed {seed}: restored state differs ({} vs {} instances) after:\n{}\n{}\n---\n{text}",
                    a.len(),
                    b.len(),
                    applied.join("\n"),
                    diff.join("\n")
                );
            }
            steps_checked += 1;
        }
    }
    assert!(
        steps_checked > 3000,
        "only {steps_checked} steps were checked"
    );
}
