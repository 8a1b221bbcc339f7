//! Credentials a person manages: second factor (TOTP and recovery codes), passwords set
//! from emailed links, and self sign-up.
