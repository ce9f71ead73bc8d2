//! Formulas of derived indicators.
