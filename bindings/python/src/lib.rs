//! The `openlines._openlines` Python extension module (built by maturin into the
//! `openlines` package; see `python/`).
//!
//! Conversions are written once (`convert`): Python values <-> the contract's JSON
//! values, aware `datetime` <-> `DateTime<Utc>`. Every input given to the engine goes
//! through `inputs::extract_input`: valid dicts are read directly into the core's
//! `Input` (`direct`); anything else goes through `inputs::input_from_value`, the JSON
//! path the typed input classes use too, so all are validated alike.

mod actions;
mod args;
mod config;
mod convert;
mod direct;
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
