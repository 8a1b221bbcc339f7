//! Doorstep's HTTP face: one axum router for the customer portal, the office, health and
//! metrics. Handlers ask `doorstep-store` for data and `doorstep-core` for rules; they hold
//! no SQL and no business rules of their own.

pub mod api;
pub mod auth;
pub mod csrf;
mod display;
mod edge;
mod error;
mod error_chrome;
mod extract;
pub mod files;
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod form_fields;
mod kit;
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod layers;
mod metrics;
mod nav;
mod pages;
mod router;
mod security;
pub mod server;
mod state;
mod tenant;
pub mod uploads;
mod views;

pub use error::WebError;
pub use files::FileStore;
pub use metrics::Metrics;
pub use pages::assets::static_url;
pub use router::{Access, ROUTES, RouteRule, operations_router, router, serve};
pub use server::ServeOptions;
pub use state::{AppState, PasswordCost, WebConfig};
pub use tenant::Tenant;
