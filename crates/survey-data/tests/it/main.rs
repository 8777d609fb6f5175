//! Integration tests of survey-data: the pilot's scripted interviews exported, re-imported as batches,
//! and tabulated; the 10.7.1 statistics against a hand-computed fixture.

mod pilot;
mod sdg_fixture;
