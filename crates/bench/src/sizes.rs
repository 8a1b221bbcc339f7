//! How big the data set is: the full size the issue asks for, or a fraction of it.

/// Row counts of the data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    /// Companies (tenants); the first one, `bench`, holds the benchmark customer.
    pub companies: usize,
    /// Customer accounts over all companies, each with one site and one contact.
    pub customers: usize,
    /// Jobs over all customers, each with one to three priced lines.
    pub jobs: usize,
    /// Jobs of the benchmark customer (the first customer of `bench`).
    pub bench_jobs: usize,
}

impl Sizes {
    /// The data set: 100 companies, 100,000 customers, 1,000,000 jobs, and one
    /// customer with 10,000 of them.
    pub const FULL: Sizes = Sizes {
        companies: 100,
        customers: 100_000,
        jobs: 1_000_000,
        bench_jobs: 10_000,
    };

    /// The full data set times `scale` (0.01 = 1 company, 1,000 customers, 10,000 jobs).
    pub fn scaled(scale: f64) -> Result<Sizes, String> {
        if !(scale.is_finite() && scale > 0.0 && scale <= 10.0) {
            return Err(format!(
                "--scale must be above 0 and at most 10, not {scale}"
            ));
        }
        let times = |n: usize| {
            // Counts stay far below 2^52, so the float round trip is exact enough.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let v = (n as f64 * scale).round() as usize;
            v.max(1)
        };
        let sizes = Sizes {
            companies: times(Self::FULL.companies),
            customers: times(Self::FULL.customers),
            jobs: times(Self::FULL.jobs),
            bench_jobs: times(Self::FULL.bench_jobs),
        };
        sizes.check()?;
        Ok(sizes)
    }

    /// Refuses counts that cannot be laid out: every company needs a customer, and jobs
    /// beyond the benchmark customer's need another customer to belong to.
    pub fn check(&self) -> Result<(), String> {
        if self.companies == 0 {
            return Err("at least one company is needed".into());
        }
        if self.customers < self.companies {
            return Err(format!(
                "{} customers cannot fill {} companies; give each company at least one",
                self.customers, self.companies
            ));
        }
        if self.bench_jobs > self.jobs {
            return Err(format!(
                "the benchmark customer's {} jobs exceed the {} jobs in all",
                self.bench_jobs, self.jobs
            ));
        }
        if self.customers == 1 && self.jobs > self.bench_jobs {
            return Err("with one customer, all jobs are the benchmark customer's".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Sizes;

    #[test]
    fn a_hundredth_keeps_one_company_and_scales_the_rest() {
        let s = Sizes::scaled(0.01).unwrap_or(Sizes::FULL);
        assert_eq!(
            s,
            Sizes {
                companies: 1,
                customers: 1_000,
                jobs: 10_000,
                bench_jobs: 100
            }
        );
        assert_eq!(Sizes::scaled(1.0), Ok(Sizes::FULL));
    }

    #[test]
    fn impossible_layouts_are_refused_with_a_reason() {
        assert!(Sizes::scaled(0.0).is_err());
        assert!(Sizes::scaled(f64::NAN).is_err());
        let too_few = Sizes {
            companies: 3,
            customers: 2,
            jobs: 10,
            bench_jobs: 1,
        };
        assert!(too_few.check().is_err());
        let bench_too_big = Sizes {
            companies: 1,
            customers: 2,
            jobs: 10,
            bench_jobs: 11,
        };
        assert!(bench_too_big.check().is_err());
    }
}
