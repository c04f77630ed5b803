//! The `openlines._openlines` Python extension module (built by maturin into the
//! `openlines` package; see `python/`).
//!
//! Conversions are written once (`convert`): Python values <-> the contract's JSON
//! values, aware `datetime` <-> `DateTime<Utc>`. Dict inputs and typed input classes both
//! reach the core through `inputs::input_from_value`, so they are validated alike.

mod actions;
mod args;
mod config;
mod convert;
mod engine;
mod errors;
mod inputs;

use pyo3::prelude::*;

/// Native core of the ``openlines`` package: import from ``openlines`` instead.
#[pymodule(name = "_openlines", gil_used = false)]
fn openlines_native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", openlines::VERSION)?;
    m.add("SNAPSHOT_VERSION", openlines::SNAPSHOT_VERSION)?;
    m.add_class::<engine::PyEngine>()?;
    config::register(m)?;
    inputs::register(m)?;
    actions::register(m)?;
    Ok(())
}
