//! Roll-ups through the unit tree.
