//! Estimates the customer answers in the portal: approve, decline, ask for changes.
