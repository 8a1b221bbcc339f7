//! What an administrator configures: portal switches, visit settings, availability
//! windows, the catalogue and email templates.
