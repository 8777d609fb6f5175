//! `cargo xtask bench`.

use anyhow::{Result, bail};

pub fn run(_args: &[String]) -> Result<()> {
    bail!("`cargo xtask bench` is not available in this build")
}
