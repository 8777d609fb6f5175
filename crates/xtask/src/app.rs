//! `cargo xtask app`.

use anyhow::{Result, bail};

pub fn run(_args: &[String]) -> Result<()> {
    bail!("`cargo xtask app` is not available in this build")
}
