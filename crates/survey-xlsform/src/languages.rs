//! XLSForm language names (`English (en)`, `Français (fr)`, `Arabic`) and Daftar language codes.

/// A language as written in a column header or the `default_language` setting, resolved to a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Language {
    /// The code Daftar uses (`fr`).
    pub code: String,
    /// The name as written (`Français (fr)`), for export and messages.
    pub written: String,
    /// Whether the code was guessed from a name without `(code)`.
    pub guessed: bool,
}

/// Well-known language names (English and endonyms) for names written without a code.
const KNOWN_NAMES: &[(&str, &str)] = &[
    ("english", "en"),
    ("anglais", "en"),
    ("french", "fr"),
    ("français", "fr"),
    ("francais", "fr"),
    ("arabic", "ar"),
    ("arabe", "ar"),
    ("العربية", "ar"),
    ("عربي", "ar"),
    ("darija", "ary"),
    ("spanish", "es"),
    ("español", "es"),
    ("espanol", "es"),
    ("portuguese", "pt"),
    ("português", "pt"),
    ("swahili", "sw"),
    ("kiswahili", "sw"),
    ("hindi", "hi"),
    ("nepali", "ne"),
    ("chinese", "zh"),
    ("japanese", "ja"),
    ("italian", "it"),
    ("german", "de"),
    ("russian", "ru"),
    ("indonesian", "id"),
    ("bahasa", "id"),
    ("tetun", "tet"),
    ("dari", "prs"),
    ("pashto", "ps"),
    ("macedonian", "mk"),
    ("amharic", "am"),
    ("tigrinya", "ti"),
    ("somali", "so"),
    ("hausa", "ha"),
    ("yoruba", "yo"),
    ("bengali", "bn"),
    ("urdu", "ur"),
    ("turkish", "tr"),
    ("tamazight", "zgh"),
    ("berber", "ber"),
];

/// Resolves a written language name.
///
/// `Name (code)` gives `code` (lowercased); a bare code (`fr`, `pt-BR`) is kept; a known name
/// (`English`, `Français`, `العربية`) gives its ISO 639 code; anything else becomes a slug of the name, and
/// the caller warns.
pub(crate) fn resolve(written: &str) -> Language {
    let written = written.trim();
    if let Some(open) = written.rfind('(')
        && written.ends_with(')')
    {
        let code = written[open + 1..written.len() - 1].trim();
        if is_code(code) {
            return Language {
                code: code.to_ascii_lowercase(),
                written: written.to_string(),
                guessed: false,
            };
        }
    }
    if is_code(written) && written.len() <= 3 && written.chars().all(|c| c.is_ascii_lowercase()) {
        return Language {
            code: written.to_string(),
            written: written.to_string(),
            guessed: false,
        };
    }
    let lower = written.to_lowercase();
    if let Some((_, code)) = KNOWN_NAMES.iter().find(|(name, _)| *name == lower) {
        return Language {
            code: (*code).to_string(),
            written: written.to_string(),
            guessed: true,
        };
    }
    Language {
        code: slug(written),
        written: written.to_string(),
        guessed: true,
    }
}

/// Whether `text` looks like a BCP 47 language tag (`fr`, `ar`, `pt-BR`, `zh-Hant`).
fn is_code(text: &str) -> bool {
    let mut parts = text.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|part| {
            (1..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

/// A lowercase ASCII slug of a language name: `Local language` → `local_language`.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() {
        // A name in a script with no ASCII letters and not in the table: keep a stable, readable code.
        out = format!(
            "lang_{:x}",
            name.chars()
                .fold(0u32, |h, c| h.wrapping_mul(31).wrapping_add(c as u32))
        );
    }
    out
}

/// How a language is written in an exported column header: `Français (fr)`.
pub(crate) fn header_name(code: &str) -> String {
    let name = match code {
        "fr" => "Français",
        "ar" => "العربية",
        "en" => "English",
        "es" => "Español",
        "pt" => "Português",
        "sw" => "Kiswahili",
        "ary" => "Darija",
        _ => code,
    };
    format!("{name} ({code})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_to_codes() {
        let check = |written: &str, code: &str, guessed: bool| {
            let language = resolve(written);
            assert_eq!(
                (language.code.as_str(), language.guessed),
                (code, guessed),
                "{written}"
            );
        };
        check("Français (fr)", "fr", false);
        check("English (EN)", "en", false);
        check("العربية (ar)", "ar", false);
        check("fr", "fr", false);
        check("English", "en", true);
        check("العربية", "ar", true);
        check("Local language", "local_language", true);
        check("Klingon", "klingon", true);
        check("English (Not A Code)", "english_not_a_code", true);
    }
}
