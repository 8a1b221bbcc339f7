//! `doorstep_app::sign_in`.
