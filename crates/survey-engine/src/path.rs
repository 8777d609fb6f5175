//! Answer paths: `name` at the top level, `roster[i].name` inside a roster (1-based), nested as
//! `hh_roster[2].mig_episode[1].e_country`.

use std::fmt;

/// One step of a path: a name, and a 1-based row index when the name is a roster row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The item or roster name.
    pub name: String,
    /// The row, 1-based, for a roster row.
    pub row: Option<u32>,
}

/// A parsed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    /// Its steps, outermost first.
    pub segments: Vec<Segment>,
}

/// A path that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError(pub String);

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Path {
    /// Parses `a[1].b[2].c`.
    pub fn parse(text: &str) -> Result<Path, PathError> {
        if text.is_empty() {
            return Err(PathError("the path is empty".into()));
        }
        let mut segments = Vec::new();
        for part in text.split('.') {
            let (name, row) = match part.find('[') {
                Some(open) => {
                    let Some(inner) = part[open + 1..].strip_suffix(']') else {
                        return Err(PathError(format!(
                            "`{part}` in path `{text}` has an unclosed `[`"
                        )));
                    };
                    let row: u32 = inner.parse().ok().filter(|&r| r >= 1).ok_or_else(|| {
                        PathError(format!(
                            "row `{inner}` in path `{text}` must be a number from 1"
                        ))
                    })?;
                    (&part[..open], Some(row))
                }
                None => (part, None),
            };
            let valid = name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(PathError(format!(
                    "`{name}` in path `{text}` is not an item name"
                )));
            }
            segments.push(Segment {
                name: name.to_string(),
                row,
            });
        }
        Ok(Path { segments })
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.segments.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            f.write_str(&s.name)?;
            if let Some(r) = s.row {
                write!(f, "[{r}]")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_and_print_back() {
        for text in [
            "age",
            "hh_roster[2].age",
            "hh_roster[12].mig_episode[1].e_country",
            "hh_roster[3]",
        ] {
            assert_eq!(Path::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn bad_paths_say_what_is_wrong() {
        let cases = [
            ("", "the path is empty"),
            ("a[0].b", "row `0` in path `a[0].b` must be a number from 1"),
            ("a[1.b", "`a[1` in path `a[1.b` has an unclosed `[`"),
            ("a..b", "`` in path `a..b` is not an item name"),
            ("1a", "`1a` in path `1a` is not an item name"),
        ];
        for (text, expected) in cases {
            assert_eq!(Path::parse(text).unwrap_err().0, expected);
        }
    }
}
