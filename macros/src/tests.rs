//! Unit tests of the component validator and of the expansion's robustness.
