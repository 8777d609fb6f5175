//! Integration tests of the sync server: in-process (`app(state).oneshot`) and against the real
//! binary on loopback.

mod demo;
mod flows;
mod process;
mod progress;
mod roles;
mod support;
mod validation;
