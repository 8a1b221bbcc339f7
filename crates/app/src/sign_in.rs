//! Signing in and out: passwords with throttles and lockout notices, emailed sign-in
//! links, and choosing the account a login acts for.
