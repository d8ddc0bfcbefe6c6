//! Renderers only: human (miette), JSON, SARIF 2.1.0, GitHub annotations.
