//! Timestamps as stored: UTC, whole seconds.
//!
//! SQLite keeps timestamps as RFC 3339 text. With a fixed offset (UTC) and no fraction
//! every value has the same width, so text order is time order and keyset pagination
//! and range filters behave the same on both engines.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Encode, Type};
use time::{OffsetDateTime, UtcOffset};

/// A timestamp normalised for storage; build it with [`db_time`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DbTime(OffsetDateTime);

/// Normalises `t` to UTC whole seconds, the only form the store writes.
pub fn db_time(t: OffsetDateTime) -> DbTime {
    DbTime(
        t.to_offset(UtcOffset::UTC)
            .replace_nanosecond(0)
            .unwrap_or(t),
    )
}

/// The current time as stored.
pub fn now() -> OffsetDateTime {
    db_time(OffsetDateTime::now_utc()).0
}

impl<DB: Database> Type<DB> for DbTime
where
    OffsetDateTime: Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <OffsetDateTime as Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <OffsetDateTime as Type<DB>>::compatible(ty)
    }
}

impl<'q, DB: Database> Encode<'q, DB> for DbTime
where
    OffsetDateTime: Encode<'q, DB>,
{
    fn encode_by_ref(
        &self,
        buf: &mut <DB as Database>::ArgumentBuffer<'q>,
    ) -> Result<IsNull, BoxDynError> {
        self.0.encode_by_ref(buf)
    }
}

impl DbTime {
    /// The text sqlx writes for this time on SQLite (RFC 3339), for reads that bind it
    /// without sqlx.
    pub(crate) fn sqlite_text(&self) -> String {
        self.0
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    }
}
