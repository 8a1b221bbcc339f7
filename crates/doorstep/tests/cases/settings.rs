//! `doorstep_app::settings`.
