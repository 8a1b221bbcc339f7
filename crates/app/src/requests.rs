//! The office's request inbox: reading, answering, proposing times, converting and
//! declining what customers sent.
