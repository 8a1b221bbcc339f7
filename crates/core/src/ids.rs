//! Typed ids, so a job id can never be passed where an invoice id is expected.

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

ids! {
    /// A company: the tenant.
    CompanyId,
    /// A member of a company's office staff.
    StaffUserId,
    /// A customer account of a company.
    CustomerId,
    /// A person on a customer account.
    ContactId,
    /// A service or pickup location of a customer.
    SiteId,
    /// A portal sign-in identity (one per email per company).
    LoginId,
    /// A field technician.
    TechnicianId,
    /// A job (a visit, or a product sale).
    JobId,
    /// An estimate or quote.
    EstimateId,
    /// An invoice.
    InvoiceId,
    /// A payment received.
    PaymentId,
    /// A stored file: photo, document, logo.
    AttachmentId,
    /// A customer's piece of equipment or a rental unit.
    AssetId,
    /// An item of the requestable catalogue.
    CatalogueItemId,
    /// A service request sent from the portal.
    ServiceRequestId,
    /// A support ticket.
    SupportRequestId,
}

// api-assets (issue 20)
ids! {
    /// A recurring maintenance or inspection of an asset.
    MaintenanceScheduleId,
}
