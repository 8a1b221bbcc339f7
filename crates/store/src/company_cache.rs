//! Companies by host name, kept for a moment in memory.
//!
//! Every request names its company by Host, and the row changes rarely, so reading it from
//! the database each time cost a query per request. Writes made through this process clear
//! the cache when their transaction commits; writes by another process (a second server,
//! the CLI) show within [`TTL`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::companies::Company;

/// How long a looked-up company is reused.
pub const TTL: Duration = Duration::from_secs(2);
/// Hosts are typed by clients; bound what they can make us keep.
const MAX_ENTRIES: usize = 4096;

/// Recently found companies, by `slug:` or `domain:` key. Unknown hosts are never kept.
#[derive(Debug, Default, Clone)]
pub(crate) struct CompanyCache {
    entries: Arc<Mutex<HashMap<String, (Instant, Company)>>>,
}

impl CompanyCache {
    /// The company kept under `key`, if it is fresh.
    pub(crate) fn get(&self, key: &str) -> Option<Company> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, company)| company.clone())
    }

    /// Keeps `company` under `key`.
    pub(crate) fn put(&self, key: String, company: &Company) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.retain(|_, (at, _)| at.elapsed() < TTL);
                if entries.len() >= MAX_ENTRIES {
                    entries.clear();
                }
            }
            entries.insert(key, (Instant::now(), company.clone()));
        }
    }

    /// Forgets everything: a company row changed.
    pub(crate) fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}
