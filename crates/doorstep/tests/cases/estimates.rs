//! `doorstep_app::estimates`.
