//! Typed answers, one variant per family of item types.
//!
//! An [`Answer`] is what an enumerator gives (or a calculation produces) for one item in one roster row.
//! The JSON encoding (serde, untagged by shape) is the one of the `daftar play` contract in `docs/cli.md`:
//! numbers as JSON numbers, text and single choices as strings, multiple choices as arrays of codes, dates
//! as `YYYY-MM-DD`, times as `HH:MM:SS`, date-times as RFC 3339, geopoints as `[lat, lon, alt, acc]`, money as
//! `{"amount": n, "currency": "MAD"}`. The variant cannot be recovered from JSON alone (a choice code and a
//! text look alike), so decoding goes through [`Answer::from_json_for`] with the item's kind.

use serde::{Deserialize, Serialize};

/// A point on the earth as a GPS receiver reports it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    /// Latitude in decimal degrees, -90..=90.
    pub lat: f64,
    /// Longitude in decimal degrees, -180..=180.
    pub lon: f64,
    /// Altitude in metres.
    pub alt: f64,
    /// Horizontal accuracy in metres.
    pub acc: f64,
}

/// One answer to one item.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Free text, also the value of `calculate` items whose result is a string.
    Text(String),
    /// A whole number.
    Integer(i64),
    /// A decimal number, also the value of numeric `calculate` items.
    Decimal(f64),
    /// The code of one choice (single choice, yes/no, searchable list).
    Choice(String),
    /// The codes of the selected choices, in selection order, without duplicates.
    Choices(Vec<String>),
    /// A calendar date as days since 1970-01-01.
    Date(i32),
    /// A time of day as seconds since midnight.
    Time(u32),
    /// An instant as milliseconds since 1970-01-01T00:00:00Z, with the UTC offset (minutes) it was taken in.
    DateTime {
        /// Milliseconds since the Unix epoch, UTC.
        millis: i64,
        /// Offset from UTC in minutes of the zone the value was recorded in.
        offset_minutes: i32,
    },
    /// A GPS position.
    Geo(GeoPoint),
    /// An amount of money in an ISO 4217 currency.
    Money {
        /// The amount, in units of the currency.
        amount: f64,
        /// ISO 4217 alphabetic code, e.g. `MAD`.
        currency: String,
    },
    /// An acknowledged item (`acknowledge`): its only value.
    Acknowledged,
}
