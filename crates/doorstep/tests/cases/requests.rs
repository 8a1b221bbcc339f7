//! `doorstep_app::requests`.
