//! The data set, row by row, from a seed: the same seed, sizes and day always give the
//! same rows. Each customer draws from its own generator (seeded by the seed and its
//! index), so the rows do not depend on how the loader batches them.

use doorstep_core::status::{JobKind, JobStatus, ScheduleType};
use doorstep_core::totals::{PricedLine, totals};
use doorstep_store::bulk::{BulkContact, BulkCustomer, BulkJob, BulkLine, BulkLogin, BulkSite};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::{Date, Duration, OffsetDateTime, Time};

use crate::sizes::Sizes;
use crate::words::{
    ACCESS, BUSINESSES, FIRST_NAMES, ITEMS, LAST_NAMES, NOTES, PLACES, STREETS, SYMPTOMS, TOWNS,
    TRADES, VERBS,
};

/// The slug of the company holding the benchmark customer.
pub const BENCH_SLUG: &str = "bench";

/// A word about one job in 26 carries in its summary: what the benchmark searches for.
pub const SEARCH_WORD: &str = "thermostat";

/// Years of history the jobs spread over.
const HISTORY_DAYS: i64 = 6 * 365;

/// One company as the seeder creates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyPlan {
    /// Sub-domain.
    pub slug: String,
    /// Name.
    pub name: String,
}

/// Everything one customer account brings: the account, its site, its contact (with a
/// login for the first customer of each company), its jobs and their lines.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CustomerRows {
    /// The account.
    pub customer: BulkCustomer,
    /// Its one service site.
    pub site: BulkSite,
    /// Its primary contact.
    pub contact: BulkContact,
    /// The contact's portal login, if it has one.
    pub login: Option<BulkLogin>,
    /// Its jobs, oldest number first.
    pub jobs: Vec<BulkJob>,
    /// The jobs' lines.
    pub lines: Vec<BulkLine>,
}

/// Where the next ids and numbers start; carried from one customer to the next.
#[derive(Debug, Clone, Default)]
pub struct Cursor {
    next_job_id: i64,
    next_line_id: i64,
    next_login_id: i64,
    /// Jobs numbered so far in the current company.
    company_jobs: usize,
}

impl Cursor {
    /// Ids start at 1 in an empty database.
    pub fn new() -> Self {
        Cursor {
            next_job_id: 1,
            next_line_id: 1,
            next_login_id: 1,
            company_jobs: 0,
        }
    }
}

/// The layout of the whole data set.
#[derive(Debug, Clone)]
pub struct Plan {
    sizes: Sizes,
    seed: u64,
    /// Noon of the day the data is relative to ("now").
    now: OffsetDateTime,
}

impl Plan {
    /// The data set of `sizes` made from `seed`, with dates around `today`.
    pub fn new(sizes: Sizes, seed: u64, today: Date) -> Plan {
        Plan {
            sizes,
            seed,
            now: today
                .with_time(Time::from_hms(12, 0, 0).unwrap_or(Time::MIDNIGHT))
                .assume_utc(),
        }
    }

    /// The sizes.
    pub fn sizes(&self) -> Sizes {
        self.sizes
    }

    /// Company `index` (0-based); the first is [`BENCH_SLUG`].
    pub fn company(&self, index: usize) -> CompanyPlan {
        if index == 0 {
            return CompanyPlan {
                slug: BENCH_SLUG.into(),
                name: "Benchmark Plumbing & Heating".into(),
            };
        }
        let last = LAST_NAMES[index % LAST_NAMES.len()];
        let (trade, word) = TRADES[(index / LAST_NAMES.len()) % TRADES.len()];
        CompanyPlan {
            slug: format!("{}-{word}-{index}", last.to_ascii_lowercase()),
            name: format!("{last} {trade}"),
        }
    }

    /// The customers (0-based, over all companies) of company `index`: contiguous blocks.
    pub fn customers_of(&self, index: usize) -> std::ops::Range<usize> {
        let at = |c: usize| c * self.sizes.customers / self.sizes.companies;
        at(index)..at(index + 1)
    }

    /// How many jobs customer `index` has. The first has the benchmark's share; the others
    /// split the rest evenly, then neighbours trade a random amount so that accounts
    /// differ while the total stays exact.
    pub fn jobs_of(&self, index: usize) -> usize {
        if index == 0 {
            return self.sizes.bench_jobs;
        }
        let others = self.sizes.customers - 1;
        let rest = self.sizes.jobs - self.sizes.bench_jobs;
        let even = |i: usize| rest / others + usize::from(i - 1 < rest % others);
        // Pairs (1, 2), (3, 4), ...; an odd one out keeps its even share.
        let (a, b) = if index % 2 == 1 {
            (index, index + 1)
        } else {
            (index - 1, index)
        };
        if b > others {
            return even(index);
        }
        let room = even(a).min(even(b)).saturating_sub(1);
        let shift = rng_for(self.seed, 0x5041_4952, a).gen_range(0..=2 * room);
        // Moves `shift - room` jobs from b to a, in -room..=room.
        if index == a {
            even(a) + shift - room
        } else {
            even(b) + room - shift
        }
    }

    /// The rows of customer `index` of company `company` (whose id is `company_id`),
    /// advancing `cursor`. `first_in_company` resets the company's job numbering and gives
    /// the contact a login whose password hash is `password_hash`.
    pub fn customer(
        &self,
        company: usize,
        company_id: i64,
        index: usize,
        cursor: &mut Cursor,
        password_hash: &str,
    ) -> CustomerRows {
        let mut rng = rng_for(self.seed, 0x4355_5354, index);
        let first_in_company = self.customers_of(company).start == index;
        if first_in_company {
            cursor.company_jobs = 0;
        }
        let id = i64::try_from(index + 1).unwrap_or(i64::MAX);
        let number_in_company = index - self.customers_of(company).start;
        let first = pick(&mut rng, &FIRST_NAMES);
        let last = pick(&mut rng, &LAST_NAMES);
        let commercial = rng.gen_ratio(1, 5);
        let name = if commercial {
            format!("{last} {}", pick(&mut rng, &BUSINESSES))
        } else {
            format!("{first} {last}")
        };
        let email = format!(
            "{}.{}.{index}@example.com",
            first.to_ascii_lowercase(),
            last.to_ascii_lowercase()
        );
        let (town, region, postal) = *pick(&mut rng, &TOWNS);
        let street = format!("{} {}", rng.gen_range(1..9999), pick(&mut rng, &STREETS));
        let created_at = self.now
            - Duration::days(HISTORY_DAYS + rng.gen_range(1..365))
            - Duration::minutes(rng.gen_range(0..600));
        let customer = BulkCustomer {
            id,
            company_id,
            number: format!("C-{}", 10_001 + number_in_company),
            name,
            kind: if commercial {
                "commercial"
            } else {
                "residential"
            },
            email: email.clone(),
            phone: format!("555-{:04}", rng.gen_range(0..10_000)),
            billing_line1: street.clone(),
            billing_city: town.into(),
            billing_region: region.into(),
            billing_postal_code: postal.into(),
            created_at,
        };
        let site = BulkSite {
            id,
            company_id,
            customer_id: id,
            name: if commercial { "Main location" } else { "Home" }.into(),
            line1: street,
            city: town.into(),
            region: region.into(),
            postal_code: postal.into(),
            created_at,
        };
        let login = first_in_company.then(|| {
            let login = BulkLogin {
                id: cursor.next_login_id,
                company_id,
                email: email.clone(),
                password_hash: password_hash.to_owned(),
                created_at,
            };
            cursor.next_login_id += 1;
            login
        });
        let contact = BulkContact {
            id,
            company_id,
            customer_id: id,
            login_id: login.as_ref().map(|l| l.id),
            first_name: (*first).into(),
            last_name: (*last).into(),
            email: Some(email),
            created_at,
        };
        let mut jobs = Vec::with_capacity(self.jobs_of(index));
        let mut lines = Vec::new();
        for _ in 0..self.jobs_of(index) {
            let job = self.job(&mut rng, company_id, id, cursor, &mut lines);
            jobs.push(job);
        }
        CustomerRows {
            customer,
            site,
            contact,
            login,
            jobs,
            lines,
        }
    }

    /// One job with its lines (pushed onto `lines`).
    fn job(
        &self,
        rng: &mut StdRng,
        company_id: i64,
        customer_id: i64,
        cursor: &mut Cursor,
        lines: &mut Vec<BulkLine>,
    ) -> BulkJob {
        let id = cursor.next_job_id;
        cursor.next_job_id += 1;
        cursor.company_jobs += 1;
        let number = format!("J-{}", 100_000 + cursor.company_jobs);
        let status = match rng.gen_range(0..100) {
            0..68 => JobStatus::Completed,
            68..76 => JobStatus::Cancelled,
            76..86 => JobStatus::Scheduled,
            86..92 => JobStatus::Unscheduled,
            92..96 => JobStatus::InProgress,
            _ => JobStatus::OnTheWay,
        };
        let (created_at, start) = self.dates(rng, status);
        let schedule_type = start.map(|_| *pick(rng, &SCHEDULE_TYPES));
        let start = start.map(|day| {
            let hour = match schedule_type {
                Some(ScheduleType::Pm) => 13,
                Some(ScheduleType::Exact) => rng.gen_range(8..17),
                _ => 8,
            };
            day.replace_time(Time::from_hms(hour, 0, 0).unwrap_or(Time::MIDNIGHT))
        });
        let end = start.map(|s| match schedule_type {
            Some(ScheduleType::AllDay) => s + Duration::hours(9),
            _ => s + Duration::hours(2),
        });
        let completed_at = match status {
            JobStatus::Completed => end,
            _ => None,
        };
        let kind = if rng.gen_ratio(1, 10) {
            JobKind::Sale
        } else {
            JobKind::Service
        };
        let item = *pick(rng, &ITEMS);
        let place = pick(rng, &PLACES);
        let summary = match kind {
            JobKind::Sale => format!("Supply and deliver a new {item}"),
            JobKind::Service => format!("{} {item} in the {place}", pick(rng, &VERBS)),
        };
        // The item again, so a search of descriptions alone finds the job too.
        let description = format!(
            "The {item}: customer reports {}. {}",
            pick(rng, &SYMPTOMS),
            pick(rng, &NOTES)
        );
        let first_line = lines.len();
        self.lines(rng, company_id, id, kind, item, cursor, lines);
        let priced: Vec<PricedLine> = lines[first_line..]
            .iter()
            .map(|l| PricedLine {
                quantity_milli: l.quantity_milli,
                unit_price_minor: l.unit_price_minor,
                tax_name: l.tax_name.map(str::to_owned),
                tax_rate_bp: l.tax_rate_bp,
            })
            .collect();
        BulkJob {
            id,
            company_id,
            customer_id,
            site_id: customer_id,
            number,
            kind,
            status,
            summary,
            description,
            schedule_type,
            scheduled_start: start,
            scheduled_end: end,
            completed_at,
            work_order_notes: (*pick(rng, &ACCESS)).into(),
            total_minor: totals(priced.iter()).total_minor,
            created_at,
        }
    }

    /// When a job of `status` was created and (if it has a visit) the visit's day.
    fn dates(
        &self,
        rng: &mut StdRng,
        status: JobStatus,
    ) -> (OffsetDateTime, Option<OffsetDateTime>) {
        let ago = |rng: &mut StdRng, lo: i64, hi: i64| {
            self.now
                - Duration::days(rng.gen_range(lo..=hi))
                - Duration::minutes(rng.gen_range(0..480))
        };
        match status {
            JobStatus::Completed | JobStatus::Cancelled => {
                let created = ago(rng, 2, HISTORY_DAYS);
                let visit = created + Duration::days(rng.gen_range(1..21));
                let visit = visit.min(self.now - Duration::days(1));
                let cancelled_early = status == JobStatus::Cancelled && rng.gen_ratio(1, 2);
                (created, (!cancelled_early).then_some(visit))
            }
            JobStatus::Scheduled => {
                let created = ago(rng, 0, 60);
                (
                    created,
                    Some(self.now + Duration::days(rng.gen_range(1..=120))),
                )
            }
            JobStatus::Unscheduled => (ago(rng, 0, 90), None),
            JobStatus::InProgress | JobStatus::OnTheWay => (ago(rng, 1, 30), Some(self.now)),
        }
    }

    /// One to three priced lines for a job about `item`.
    #[allow(clippy::too_many_arguments)]
    fn lines(
        &self,
        rng: &mut StdRng,
        company_id: i64,
        job_id: i64,
        kind: JobKind,
        item: &str,
        cursor: &mut Cursor,
        out: &mut Vec<BulkLine>,
    ) {
        let count = rng.gen_range(1..=3);
        for position in 0..count {
            let (kind, description, quantity_milli, unit_price_minor, taxed) =
                match (kind, position) {
                    (JobKind::Sale, 0) => (
                        "product",
                        format!("New {item}"),
                        1000,
                        rng.gen_range(200..2500) * 100,
                        true,
                    ),
                    (JobKind::Service, 0) => (
                        "labour",
                        format!("Labour on the {item}"),
                        rng.gen_range(2..16) * 250,
                        rng.gen_range(15..26) * 500,
                        false,
                    ),
                    (_, 1) => (
                        "material",
                        format!("Parts for the {item}"),
                        rng.gen_range(1..4) * 1000,
                        rng.gen_range(150..2500) * 10,
                        true,
                    ),
                    _ => ("fee", "Trip charge".to_owned(), 1000, 4900, false),
                };
            out.push(BulkLine {
                id: cursor.next_line_id,
                company_id,
                job_id,
                position,
                kind,
                description,
                quantity_milli,
                unit_price_minor,
                tax_name: taxed.then_some("Sales tax"),
                tax_rate_bp: if taxed { 825 } else { 0 },
            });
            cursor.next_line_id += 1;
        }
    }
}

const SCHEDULE_TYPES: [ScheduleType; 4] = [
    ScheduleType::Am,
    ScheduleType::Pm,
    ScheduleType::AllDay,
    ScheduleType::Exact,
];

/// A generator for one purpose (`stream`) and one index, independent of all others.
fn rng_for(seed: u64, stream: u64, index: usize) -> StdRng {
    let index = u64::try_from(index).unwrap_or(u64::MAX);
    StdRng::seed_from_u64(seed ^ stream.rotate_left(32) ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}
