//! `doorstep_app::credentials`.
