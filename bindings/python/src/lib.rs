//! Python extension module for openlines (work in progress).
