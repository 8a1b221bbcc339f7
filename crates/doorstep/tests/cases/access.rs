//! `doorstep_app::access`.
