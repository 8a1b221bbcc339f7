//! `doorstep-bench seed`: fills a fresh database with the benchmark's data set and prints
//! `key=value` lines (slug, email, password, search word, a job number, counts, seconds)
//! for `bench/run` to read.

use anyhow::Context;
use clap::{Parser, Subcommand};
use doorstep_bench::{SeedOptions, Sizes, seed};
use doorstep_web::PasswordCost;
use time::Date;
use time::macros::format_description;

/// The benchmark's seeder.
#[derive(Debug, Parser)]
#[command(name = "doorstep-bench", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Migrate a fresh database and fill it with the benchmark data set.
    Seed {
        /// sqlite://FILE or postgres://...; must hold no company yet.
        #[arg(long, value_name = "URL")]
        database_url: String,
        /// Fraction of the full data set (1 = 100 companies, 100,000 customers, 1,000,000 jobs).
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// Companies (overrides --scale).
        #[arg(long)]
        companies: Option<usize>,
        /// Customers (overrides --scale).
        #[arg(long)]
        customers: Option<usize>,
        /// Jobs (overrides --scale).
        #[arg(long)]
        jobs: Option<usize>,
        /// Jobs of the benchmark customer (overrides --scale).
        #[arg(long)]
        bench_jobs: Option<usize>,
        /// The generator's seed: the same seed gives the same data.
        #[arg(long, default_value_t = 4)]
        seed: u64,
        /// The day dates are relative to, YYYY-MM-DD [default: today].
        #[arg(long, value_name = "DAY")]
        today: Option<String>,
        /// The password of the seeded logins.
        #[arg(long, default_value = "doorstep-bench")]
        password: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let Command::Seed {
        database_url,
        scale,
        companies,
        customers,
        jobs,
        bench_jobs,
        seed: generator_seed,
        today,
        password,
    } = Cli::parse().command;
    let scaled = Sizes::scaled(scale).map_err(anyhow::Error::msg)?;
    let sizes = Sizes {
        companies: companies.unwrap_or(scaled.companies),
        customers: customers.unwrap_or(scaled.customers),
        jobs: jobs.unwrap_or(scaled.jobs),
        bench_jobs: bench_jobs.unwrap_or(scaled.bench_jobs),
    };
    let today = match today {
        Some(day) => Date::parse(&day, format_description!("[year]-[month]-[day]"))
            .with_context(|| format!("--today {day:?} is not YYYY-MM-DD"))?,
        None => time::OffsetDateTime::now_utc().date(),
    };
    let options = SeedOptions {
        sizes,
        seed: generator_seed,
        today,
        password,
        cost: PasswordCost::Standard,
        progress: true,
    };
    let report = seed(&database_url, &options).await?;
    let c = report.counts;
    println!("slug={}", report.slug);
    println!("email={}", report.email);
    println!("staff_email={}", report.staff_email);
    println!("customer_name={}", report.customer_name);
    println!("password={}", report.password);
    println!("search_word={}", report.search_word);
    println!("job_number={}", report.job_number);
    println!("companies={}", c.companies);
    println!("customers={}", c.customers);
    println!("jobs={}", c.jobs);
    println!("bench_jobs={}", sizes.bench_jobs);
    println!("lines={}", c.lines);
    println!("api_key={}", report.api_key);
    println!("seconds={:.1}", report.seconds);
    Ok(())
}
