//! Use cases of the company's time zone.
