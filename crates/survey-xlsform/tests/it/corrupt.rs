//! Malformed workbooks never make the importer panic: a seeded mutation test over valid `.xlsx` bytes
//! (bit flips, truncations, corrupted ZIP entries). The cargo-fuzz target `xlsform_import` explores further.

use std::panic::{AssertUnwindSafe, catch_unwind};

use survey_spec::NoFiles;

use crate::workbook;

/// xorshift64*: a small deterministic generator, so a failure reproduces from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn valid_form() -> Vec<u8> {
    workbook(&[
        (
            "survey",
            &[
                &[
                    "type",
                    "name",
                    "label::Français (fr)",
                    "relevant",
                    "repeat_count",
                ],
                &["integer", "n", "N", "", ""],
                &["begin repeat", "r", "R", "", "${n}"],
                &["select_one yn", "q", "Q", "${n} > 1", ""],
                &["end repeat", "", "", "", ""],
            ],
        ),
        (
            "choices",
            &[
                &["list_name", "name", "label::Français (fr)"],
                &["yn", "1", "Oui"],
                &["yn", "0", "Non"],
            ],
        ),
        ("settings", &[&["form_id", "version"], &["f", "1"]]),
    ])
}

/// Offsets of the local file headers (`PK\x03\x04`) of the ZIP container.
fn zip_entries(bytes: &[u8]) -> Vec<usize> {
    bytes
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"PK\x03\x04")
        .map(|(i, _)| i)
        .collect()
}

fn mutate(rng: &mut Rng, original: &[u8]) -> Vec<u8> {
    let mut bytes = original.to_vec();
    match rng.below(5) {
        0 => {
            for _ in 0..=rng.below(8) {
                let at = rng.below(bytes.len());
                bytes[at] ^= 1 << rng.below(8);
            }
        }
        1 => bytes.truncate(rng.below(bytes.len())),
        2 => {
            // Corrupt the header or the first bytes of the data of one ZIP entry.
            let entries = zip_entries(&bytes);
            if !entries.is_empty() {
                let start = entries[rng.below(entries.len())];
                for offset in 0..64 {
                    if start + offset < bytes.len() && rng.below(3) == 0 {
                        bytes[start + offset] = rng.next() as u8;
                    }
                }
            }
        }
        3 => {
            // Overwrite a run with garbage.
            let at = rng.below(bytes.len());
            let len = rng.below(256).min(bytes.len() - at);
            for byte in &mut bytes[at..at + len] {
                *byte = rng.next() as u8;
            }
        }
        _ => {
            // Duplicate a slice into another place (shifts every later offset).
            let from = rng.below(bytes.len());
            let len = rng.below(512).min(bytes.len() - from);
            let slice = bytes[from..from + len].to_vec();
            let at = rng.below(bytes.len());
            bytes.splice(at..at, slice);
        }
    }
    bytes
}

#[test]
fn mutated_workbooks_never_panic() {
    let original = valid_form();
    // The unmutated form imports cleanly, so the mutations start from a meaningful input.
    let (doc, diagnostics) = survey_xlsform::import(&original, "form.xlsx", &NoFiles);
    assert!(doc.is_some() && diagnostics.is_empty(), "{diagnostics:?}");
    assert!(zip_entries(&original).len() >= 5);

    let mut rng = Rng(0x5eed_da47_a700_0003);
    let mut imported = 0;
    for case in 0..400 {
        let bytes = mutate(&mut rng, &original);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            survey_xlsform::import(&bytes, "form.xlsx", &NoFiles)
        }));
        let Ok((doc, diagnostics)) = outcome else {
            panic!("case {case}: import panicked")
        };
        if let Some(doc) = doc {
            imported += 1;
            // Whatever was recovered can be written out again.
            let _ = survey_xlsform::to_native_yaml(&doc);
            let _ = survey_xlsform::export(&doc);
        } else {
            assert!(
                !diagnostics.is_empty(),
                "case {case}: no document and no diagnostic"
            );
        }
    }
    // Some mutations (bit flips in compressed data that survive) still give a document.
    assert!(imported > 0);
}
