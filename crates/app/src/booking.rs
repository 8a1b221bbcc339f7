//! What customers send from the portal: service requests (drafts, photos, submission),
//! answers to the office's proposals, and visit changes (reschedule, cancel).
