//! The benchmark's seeder: the data set of issue 4 (100 companies, 100,000 customers,
//! 1,000,000 jobs with lines, one customer with 10,000 jobs), generated from a seed and
//! loaded through the real schema. `bench/run` drives it, starts the server and loads it
//! with wrk; see the README's "Benchmark" section.

pub mod generate;
pub mod load;
pub mod sizes;
pub mod words;

pub use generate::{BENCH_SLUG, Plan, SEARCH_WORD};
pub use load::{SeedOptions, SeedReport, seed};
pub use sizes::Sizes;
