//! The CLI's errors: one line on stderr and an exit code.

/// A failure of a command, with the exit code it deserves.
#[derive(Debug)]
pub struct CliError {
    /// The one line printed after `error: `.
    pub message: String,
    /// 2 for bad input or environment (flags, URLs, busy port, unreachable database), 1 otherwise.
    pub code: u8,
}

impl CliError {
    /// Bad input: exit code 2.
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            code: 2,
        }
    }

    /// A failure while working: exit code 1.
    pub fn failed(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            code: 1,
        }
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

impl From<doorstep_store::StoreError> for CliError {
    fn from(err: doorstep_store::StoreError) -> Self {
        use doorstep_store::StoreError as E;
        match err {
            E::InvalidUrl(_) | E::Unreachable(_) | E::Unsupported(_) | E::Conflict(_) => {
                CliError::usage(err.to_string())
            }
            other => CliError::failed(other.to_string()),
        }
    }
}
