//! Answers in their external encodings: the JSON of the `daftar play` contract, and literal text (defaults,
//! preloads, CSV cells).
//!
//! The encoding is part of the stable CLI contract (`docs/cli.md`). The variant of an answer is decided by the
//! item's kind, never guessed from the JSON shape.

use chrono::{DateTime, NaiveDate, NaiveTime, Timelike};
use serde_json::{Value as Json, json};

use crate::answer::{Answer, GeoPoint};
use crate::model::Kind;

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => panic!("1970-01-01 is a date"),
};

/// Days since 1970-01-01 of an ISO date `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<i32, String> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date (YYYY-MM-DD)"))?;
    Ok((date - EPOCH).num_days() as i32)
}

/// The ISO text of a day number.
pub fn format_date(days: i32) -> String {
    (EPOCH + chrono::Duration::days(days.into()))
        .format("%Y-%m-%d")
        .to_string()
}

/// Seconds since midnight of `HH:MM` or `HH:MM:SS`.
pub fn parse_time(text: &str) -> Result<u32, String> {
    let t = text.trim();
    let time = NaiveTime::parse_from_str(t, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S%.f"))
        .map_err(|_| format!("`{text}` is not a time (HH:MM:SS)"))?;
    Ok(time.num_seconds_from_midnight())
}

/// `HH:MM:SS` of seconds since midnight.
pub fn format_time(seconds: u32) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// Milliseconds since the epoch and the UTC offset in minutes of an RFC 3339 date-time.
pub fn parse_datetime(text: &str) -> Result<(i64, i32), String> {
    let dt = DateTime::parse_from_rfc3339(text.trim())
        .map_err(|_| format!("`{text}` is not an RFC 3339 date-time"))?;
    Ok((dt.timestamp_millis(), dt.offset().local_minus_utc() / 60))
}

/// RFC 3339 text of an instant shown in its recorded offset.
pub fn format_datetime(millis: i64, offset_minutes: i32) -> String {
    let offset = chrono::FixedOffset::east_opt(offset_minutes * 60)
        .unwrap_or(chrono::FixedOffset::east_opt(0).expect("zero offset"));
    match DateTime::from_timestamp_millis(millis) {
        Some(utc) => utc
            .with_timezone(&offset)
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        None => String::new(),
    }
}

/// Decodes a JSON value (the `daftar play` encoding) as an answer to an item of `kind`.
pub fn from_json(kind: Kind, value: &Json) -> Result<Answer, String> {
    let text = || {
        value
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("expected a string, got {value}"))
    };
    let number = || {
        value
            .as_f64()
            .filter(|f| f.is_finite())
            .ok_or_else(|| format!("expected a number, got {value}"))
    };
    Ok(match kind {
        Kind::Text | Kind::MetaDeviceId | Kind::MetaUsername => Answer::Text(text()?),
        Kind::Integer => {
            let n = number()?;
            if n.fract() != 0.0 || n.abs() > 9.0e15 {
                return Err(format!("expected a whole number, got {value}"));
            }
            Answer::Integer(n as i64)
        }
        Kind::Decimal | Kind::Calculate => match value {
            Json::String(s) => Answer::Text(s.clone()),
            _ => Answer::Decimal(number()?),
        },
        Kind::Single | Kind::YesNo => match value {
            Json::Number(n) => Answer::Choice(n.to_string()),
            _ => Answer::Choice(text()?),
        },
        Kind::Multiple => {
            let items = value
                .as_array()
                .ok_or_else(|| format!("expected an array of codes, got {value}"))?;
            let mut codes: Vec<String> = Vec::new();
            for item in items {
                let code = match item {
                    Json::String(s) => s.clone(),
                    Json::Number(n) => n.to_string(),
                    other => return Err(format!("expected a code, got {other}")),
                };
                if !codes.contains(&code) {
                    codes.push(code);
                }
            }
            Answer::Choices(codes)
        }
        Kind::Date | Kind::MetaToday => Answer::Date(parse_date(&text()?)?),
        Kind::Time => Answer::Time(parse_time(&text()?)?),
        Kind::DateTime | Kind::MetaStart | Kind::MetaEnd => {
            let (millis, offset_minutes) = parse_datetime(&text()?)?;
            Answer::DateTime {
                millis,
                offset_minutes,
            }
        }
        Kind::Geopoint => {
            let items = value
                .as_array()
                .ok_or_else(|| format!("expected [lat, lon, alt, acc], got {value}"))?;
            let n: Vec<f64> = items.iter().filter_map(Json::as_f64).collect();
            if n.len() < 2 || n.len() > 4 || n.len() != items.len() {
                return Err(format!("expected [lat, lon, alt, acc], got {value}"));
            }
            let p = GeoPoint {
                lat: n[0],
                lon: n[1],
                alt: n.get(2).copied().unwrap_or(0.0),
                acc: n.get(3).copied().unwrap_or(0.0),
            };
            if !(-90.0..=90.0).contains(&p.lat) || !(-180.0..=180.0).contains(&p.lon) || p.acc < 0.0
            {
                return Err(format!(
                    "{value} is not a position on earth (latitude -90..90, longitude -180..180)"
                ));
            }
            Answer::Geo(p)
        }
        Kind::Money => {
            let amount = value
                .get("amount")
                .and_then(Json::as_f64)
                .filter(|f| f.is_finite());
            let currency = value.get("currency").and_then(Json::as_str);
            match (amount, currency) {
                (Some(amount), Some(currency))
                    if currency.len() == 3 && currency.chars().all(|c| c.is_ascii_uppercase()) =>
                {
                    Answer::Money {
                        amount,
                        currency: currency.to_string(),
                    }
                }
                _ => {
                    return Err(format!(
                        "expected {{\"amount\": n, \"currency\": \"MAD\"}} with an ISO 4217 code, got {value}"
                    ));
                }
            }
        }
        Kind::Acknowledge => match value {
            Json::String(s) if s == "OK" => Answer::Acknowledged,
            Json::Bool(true) => Answer::Acknowledged,
            _ => return Err(format!("expected \"OK\", got {value}")),
        },
        Kind::Section | Kind::Group | Kind::Roster | Kind::Note => {
            return Err(format!("a {} takes no answer", kind.name()));
        }
    })
}

/// Encodes an answer as JSON (the `daftar play` encoding).
pub fn to_json(answer: &Answer) -> Json {
    match answer {
        Answer::Text(s) | Answer::Choice(s) => Json::String(s.clone()),
        Answer::Integer(i) => json!(i),
        Answer::Decimal(f) => number_json(*f),
        Answer::Choices(codes) => json!(codes),
        Answer::Date(d) => Json::String(format_date(*d)),
        Answer::Time(t) => Json::String(format_time(*t)),
        Answer::DateTime {
            millis,
            offset_minutes,
        } => Json::String(format_datetime(*millis, *offset_minutes)),
        Answer::Geo(p) => json!([p.lat, p.lon, p.alt, p.acc]),
        Answer::Money { amount, currency } => {
            json!({"amount": number_json(*amount), "currency": currency})
        }
        Answer::Acknowledged => Json::String("OK".into()),
    }
}

/// A whole float prints as an integer (`2`, not `2.0`), as an analyst expects.
fn number_json(f: f64) -> Json {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        json!(f as i64)
    } else {
        json!(f)
    }
}

/// Parses a literal written as text (a default, a preload, a CSV cell) as an answer for `kind`.
pub fn parse_literal(kind: Kind, text: &str) -> Result<Answer, String> {
    let t = text.trim();
    let json = match kind {
        Kind::Integer | Kind::Decimal => Json::from(
            t.parse::<f64>()
                .map_err(|_| format!("`{t}` is not a number"))?,
        ),
        Kind::Multiple => Json::from(t.split_whitespace().map(str::to_string).collect::<Vec<_>>()),
        Kind::Geopoint => {
            let parts: Result<Vec<f64>, _> = t.split_whitespace().map(str::parse::<f64>).collect();
            Json::from(parts.map_err(|_| format!("`{t}` is not `lat lon alt acc`"))?)
        }
        Kind::Money => {
            let mut parts = t.split_whitespace();
            let amount: f64 = parts
                .next()
                .and_then(|a| a.parse().ok())
                .ok_or_else(|| format!("`{t}` is not `AMOUNT CUR`"))?;
            json!({"amount": amount, "currency": parts.next().unwrap_or("")})
        }
        Kind::Calculate => match t.parse::<f64>() {
            Ok(f) => Json::from(f),
            Err(_) => Json::String(t.to_string()),
        },
        _ => Json::String(t.to_string()),
    };
    from_json(kind, &json)
}

/// The text form of an answer as expressions see it (XPath string value): numbers without a trailing `.0`,
/// multiple choices space-separated, geopoints `lat lon alt acc`.
pub fn to_text(answer: &Answer) -> String {
    match answer {
        Answer::Text(s) | Answer::Choice(s) => s.clone(),
        Answer::Integer(i) => i.to_string(),
        Answer::Decimal(f) => number_text(*f),
        Answer::Choices(c) => c.join(" "),
        Answer::Date(d) => format_date(*d),
        Answer::Time(t) => format_time(*t),
        Answer::DateTime {
            millis,
            offset_minutes,
        } => format_datetime(*millis, *offset_minutes),
        Answer::Geo(p) => format!("{} {} {} {}", p.lat, p.lon, p.alt, p.acc),
        Answer::Money { amount, currency } => format!("{} {currency}", number_text(*amount)),
        Answer::Acknowledged => "OK".into(),
    }
}

fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn round_trip(kind: Kind, json: Json) {
        let answer = from_json(kind, &json).unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(to_json(&answer), json, "{kind:?}");
    }

    #[test]
    fn every_kind_round_trips_through_json() {
        round_trip(Kind::Text, json!("مرحبا"));
        round_trip(Kind::Integer, json!(-42));
        round_trip(Kind::Decimal, json!(2.5));
        round_trip(Kind::Single, json!("MAR"));
        round_trip(Kind::Multiple, json!(["01", "05"]));
        round_trip(Kind::Date, json!("2024-02-29"));
        round_trip(Kind::Time, json!("23:59:07"));
        round_trip(Kind::DateTime, json!("2026-10-15T10:00:00+01:00"));
        round_trip(Kind::Geopoint, json!([34.02, -6.83, 50.5, 4.0]));
        round_trip(Kind::Money, json!({"amount": 1500, "currency": "EUR"}));
        round_trip(Kind::Acknowledge, json!("OK"));
    }

    #[test]
    fn bad_values_are_refused_with_what_was_expected() {
        let cases = [
            (
                Kind::Integer,
                json!(2.5),
                "expected a whole number, got 2.5",
            ),
            (
                Kind::Date,
                json!("2024-02-30"),
                "`2024-02-30` is not a date (YYYY-MM-DD)",
            ),
            (
                Kind::Money,
                json!({"amount": 3}),
                "expected {\"amount\": n, \"currency\": \"MAD\"} with an ISO 4217 code, got {\"amount\":3}",
            ),
            (
                Kind::Geopoint,
                json!([95, 0]),
                "[95,0] is not a position on earth (latitude -90..90, longitude -180..180)",
            ),
        ];
        for (kind, json, expected) in cases {
            assert_eq!(from_json(kind, &json).unwrap_err(), expected);
        }
    }

    #[test]
    fn dates_count_days_from_1970() {
        assert_eq!(parse_date("1970-01-01"), Ok(0));
        assert_eq!(parse_date("1969-12-31"), Ok(-1));
        assert_eq!(format_date(19723), "2024-01-01");
    }
}
