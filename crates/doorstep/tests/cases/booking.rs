//! `doorstep_app::booking`.
