//! `cargo xtask conformance`.

use anyhow::{Result, bail};

pub fn run(_args: &[String]) -> Result<()> {
    bail!("`cargo xtask conformance` is not available in this build")
}
