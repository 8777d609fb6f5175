//! `cargo xtask formbench`.

use anyhow::{Result, bail};

pub fn run(_args: &[String]) -> Result<()> {
    bail!("`cargo xtask formbench` is not available in this build")
}
