//! The office's processor pages (issue 19): the payments settings page with "test
//! connection" (`/office/settings/payments`, administrators) and refunding a payment a
//! processor took (`/office/payments/{number}/refund`, administrators).

pub mod refund;
pub mod settings;
