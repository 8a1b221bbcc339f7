//! Portal access the office gives and takes: enabling a contact, inviting, locking.
