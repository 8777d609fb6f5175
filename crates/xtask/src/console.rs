//! `cargo xtask console`.

use anyhow::{Result, bail};

pub fn run(_args: &[String]) -> Result<()> {
    bail!("`cargo xtask console` is not available in this build")
}
