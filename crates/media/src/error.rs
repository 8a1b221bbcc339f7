//! Why an upload was refused, in words a customer can act on.

/// Why an upload was refused; `Display` is the message shown next to the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// Nothing was sent.
    #[error("The file is empty.")]
    Empty,
    /// Above the size limit.
    #[error("The file is larger than {limit_mb} MB.")]
    TooLarge {
        /// The limit in MB.
        limit_mb: usize,
    },
    /// An image type we cannot re-encode here.
    #[error(
        "HEIC photos can't be accepted yet; please send a JPEG or PNG (most phones can share one)."
    )]
    Heic,
    /// A photo was expected and the content is not a JPEG, PNG or WebP image.
    #[error("The file is not a JPEG, PNG or WebP photo.")]
    NotAPhoto,
    /// A type we do not accept at all, or a name that does not match the content.
    #[error(
        "This kind of file can't be attached: send photos (JPEG, PNG, WebP), PDFs, plain text (.txt, .csv) or office documents (Word, Excel, PowerPoint, OpenDocument)."
    )]
    NotAccepted,
    /// A picture declaring more pixels than we decode.
    #[error(
        "The photo has too many pixels to process (at most {limit_mp} megapixels); please send a smaller one."
    )]
    TooManyPixels {
        /// The limit in megapixels.
        limit_mp: u64,
    },
    /// The header said image but the pixels could not be read, or it is too large to decode.
    #[error("The photo could not be read; it may be damaged or too large.")]
    Unreadable,
}
