//! A job's photos, documents and checklists as the office keeps them: every file (each
//! visible to the customer or not, removed ones left out), who added it and when; the
//! checklists with their items, note, and who completed them. The customer's reads are in
//! [`crate::job_detail`] (visible, not removed, completed forms only).

use doorstep_core::ids::{AttachmentId, CompanyId, CustomerId, JobId, StaffUserId};
use time::OffsetDateTime;

use crate::files::NewAttachment;
use crate::insert::Val;
use crate::{Store, StoreError, Tx, db_time, now, on_pool, on_tx};

/// One of a job's files as the office lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfficeJobFile {
    /// Id.
    pub id: i64,
    /// `photo` or `document`.
    pub kind: String,
    /// The name offered on download.
    pub filename: String,
    /// The type decided from the content.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// Where its bytes are.
    pub storage_key: String,
    /// Where its thumbnail is, for photos.
    pub thumb_key: Option<String>,
    /// Whether the customer sees it.
    pub customer_visible: bool,
    /// Who added it (staff name), when office staff did.
    pub added_by: Option<String>,
    /// When it was added.
    pub created_at: OffsetDateTime,
}

const SELECT_FILE: &str = "SELECT a.id, a.kind, a.filename, a.content_type, a.size_bytes, \
     a.storage_key, a.thumb_key, a.customer_visible, s.name AS added_by, a.created_at \
     FROM attachments a \
     LEFT JOIN staff_users s ON s.company_id = a.company_id AND s.id = a.added_by_staff_id \
     WHERE a.company_id = $1 AND a.owner_kind = 'job' AND a.owner_id = $2 AND a.removed_at IS NULL";

/// One checklist of a job as the office sees it.
#[derive(Debug, Clone)]
pub struct OfficeJobForm {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Each item and whether it is ticked.
    pub items: Vec<(String, bool)>,
    /// The note.
    pub note: String,
    /// When it was completed.
    pub completed_at: Option<OffsetDateTime>,
    /// Who completed it (staff name).
    pub completed_by: Option<String>,
    /// When it was added.
    pub created_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct FormRow {
    id: i64,
    title: String,
    answers: String,
    note: String,
    completed_at: Option<OffsetDateTime>,
    completed_by: Option<String>,
    created_at: OffsetDateTime,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Item {
    label: String,
    #[serde(default)]
    value: serde_json::Value,
}

/// The stored answers of a checklist: `[{label, value: bool}]`, as the portal reads them.
pub fn checklist_answers(items: &[(String, bool)]) -> String {
    let items: Vec<Item> = items
        .iter()
        .map(|(label, ticked)| Item {
            label: label.clone(),
            value: serde_json::Value::Bool(*ticked),
        })
        .collect();
    serde_json::to_string(&items).unwrap_or_else(|_| "[]".to_owned())
}

fn form_of(r: FormRow) -> OfficeJobForm {
    let items: Vec<Item> = serde_json::from_str(&r.answers).unwrap_or_default();
    OfficeJobForm {
        id: r.id,
        title: r.title,
        items: items
            .into_iter()
            .map(|i| (i.label, i.value == serde_json::Value::Bool(true)))
            .collect(),
        note: r.note,
        completed_at: r.completed_at,
        completed_by: r.completed_by,
        created_at: r.created_at,
    }
}

const SELECT_FORM: &str = "SELECT f.id, f.title, f.answers, f.note, f.completed_at, \
     s.name AS completed_by, f.created_at FROM job_forms f \
     LEFT JOIN staff_users s ON s.company_id = f.company_id AND s.id = f.completed_by_staff_id \
     WHERE f.company_id = $1 AND f.job_id = $2";

impl Store {
    /// Job `job`'s files the office sees (all but removed ones), photos first, oldest first.
    pub async fn office_job_files(
        &self,
        company: CompanyId,
        job: JobId,
    ) -> Result<Vec<OfficeJobFile>, StoreError> {
        let sql = format!("{SELECT_FILE} ORDER BY a.kind DESC, a.id");
        let rows = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(job.0).fetch_all(p).await)?;
        Ok(rows)
    }

    /// File `id` of job `job`, unless removed; `None` for anything else.
    pub async fn office_job_file(
        &self,
        company: CompanyId,
        job: JobId,
        id: AttachmentId,
    ) -> Result<Option<OfficeJobFile>, StoreError> {
        let sql = format!("{SELECT_FILE} AND a.id = $3");
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(job.0).bind(id.0).fetch_optional(p).await)?;
        Ok(row)
    }

    /// Job `job`'s checklists, oldest first.
    pub async fn office_job_forms(
        &self,
        company: CompanyId,
        job: JobId,
    ) -> Result<Vec<OfficeJobForm>, StoreError> {
        let sql = format!("{SELECT_FORM} ORDER BY f.id");
        let rows: Vec<FormRow> = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(job.0).fetch_all(p).await)?;
        Ok(rows.into_iter().map(form_of).collect())
    }

    /// Checklist `id` of job `job`; `None` for anything else.
    pub async fn office_job_form(
        &self,
        company: CompanyId,
        job: JobId,
        id: i64,
    ) -> Result<Option<OfficeJobForm>, StoreError> {
        let sql = format!("{SELECT_FORM} AND f.id = $3");
        let row: Option<FormRow> = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(job.0).bind(id).fetch_optional(p).await)?;
        Ok(row.map(form_of))
    }
}

impl Tx {
    /// Records a file the office added to job `job` of `customer`; call only once its
    /// bytes are safely on disk.
    pub async fn insert_job_file(
        &mut self,
        company: CompanyId,
        (customer, job): (CustomerId, JobId),
        a: &NewAttachment,
        customer_visible: bool,
        staff: StaffUserId,
    ) -> Result<AttachmentId, StoreError> {
        self.insert_row(
            "attachments",
            company.0,
            &[
                ("customer_id", Val::Int(Some(customer.0))),
                ("owner_kind", "job".into()),
                ("owner_id", job.0.into()),
                ("kind", a.kind.into()),
                ("filename", (&a.filename).into()),
                ("content_type", (&a.content_type).into()),
                ("size_bytes", a.size_bytes.into()),
                ("storage_key", (&a.storage_key).into()),
                ("thumb_key", (&a.thumb_key).into()),
                ("width", a.width.into()),
                ("height", a.height.into()),
                ("customer_visible", Val::Bool(customer_visible)),
                ("added_by_staff_id", Val::Int(Some(staff.0))),
                ("created_at", now().into()),
            ],
            true,
        )
        .await
        .map(AttachmentId)
    }

    /// Shows file `id` of job `job` to the customer or hides it; whether it changed.
    pub async fn set_job_file_visible(
        &mut self,
        company: CompanyId,
        job: JobId,
        id: AttachmentId,
        visible: bool,
    ) -> Result<bool, StoreError> {
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE attachments SET customer_visible = $1 WHERE company_id = $2 \
             AND owner_kind = 'job' AND owner_id = $3 AND id = $4 AND removed_at IS NULL")
            .bind(visible).bind(company.0).bind(job.0).bind(id.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Removes file `id` of job `job` (kept for the history, shown to nobody); whether it
    /// was there to remove.
    pub async fn remove_job_file(
        &mut self,
        company: CompanyId,
        job: JobId,
        id: AttachmentId,
    ) -> Result<bool, StoreError> {
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE attachments SET removed_at = $1 WHERE company_id = $2 \
             AND owner_kind = 'job' AND owner_id = $3 AND id = $4 AND removed_at IS NULL")
            .bind(db_time(now())).bind(company.0).bind(job.0).bind(id.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Adds an open checklist of `items` (none ticked) to job `job`.
    pub async fn insert_checklist(
        &mut self,
        company: CompanyId,
        job: JobId,
        title: &str,
        items: &[String],
        staff: StaffUserId,
    ) -> Result<i64, StoreError> {
        let items: Vec<(String, bool)> = items.iter().map(|i| (i.clone(), false)).collect();
        self.insert_row(
            "job_forms",
            company.0,
            &[
                ("job_id", job.0.into()),
                ("title", title.into()),
                ("answers", checklist_answers(&items).into()),
                ("created_by_staff_id", Val::Int(Some(staff.0))),
                ("created_at", now().into()),
            ],
            true,
        )
        .await
    }

    /// Saves an open checklist's ticks and note, and completes it when `complete_by` is
    /// given; `false` when it is not an open checklist of the job (completed meanwhile).
    pub async fn save_checklist(
        &mut self,
        company: CompanyId,
        (job, id): (JobId, i64),
        items: &[(String, bool)],
        note: &str,
        complete_by: Option<StaffUserId>,
    ) -> Result<bool, StoreError> {
        let completed_at = complete_by.map(|_| db_time(now()));
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE job_forms SET answers = $1, note = $2, completed_at = $3, \
             completed_by_staff_id = $4 \
             WHERE company_id = $5 AND job_id = $6 AND id = $7 AND completed_at IS NULL")
            .bind(checklist_answers(items)).bind(note).bind(completed_at)
            .bind(complete_by.map(|s| s.0))
            .bind(company.0).bind(job.0).bind(id)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}
