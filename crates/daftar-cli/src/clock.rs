//! The instant and zone an interview is played in.

use anyhow::Result;
use chrono::{DateTime, Offset, TimeZone};
use survey_expr::DateTimeValue;

use crate::BadInput;

/// Resolves `--now` and `--tz` into the engine's instant: `now` (default: the system clock) shown in `tz`
/// (default: the offset written in `now`, or UTC).
pub fn instant(now: Option<&str>, tz: Option<&str>) -> Result<DateTimeValue> {
    let (millis, written_offset) = match now {
        Some(text) => {
            let dt = DateTime::parse_from_rfc3339(text).map_err(|_| {
                BadInput(format!(
                    "--now `{text}` is not an RFC 3339 date-time like 2026-10-15T10:00:00+01:00"
                ))
            })?;
            (dt.timestamp_millis(), dt.offset().local_minus_utc() / 60)
        }
        None => (system_now_millis(), 0),
    };
    let offset_minutes = match tz {
        None => written_offset,
        Some(zone) => zone_offset(zone, millis)?,
    };
    Ok(DateTimeValue {
        millis,
        offset_minutes,
    })
}

fn zone_offset(zone: &str, millis: i64) -> Result<i32> {
    if zone.eq_ignore_ascii_case("utc") || zone == "Z" {
        return Ok(0);
    }
    if let Ok(fixed) = DateTime::parse_from_rfc3339(&format!("2000-01-01T00:00:00{zone}")) {
        return Ok(fixed.offset().local_minus_utc() / 60);
    }
    let tz: chrono_tz::Tz = zone
        .parse()
        .map_err(|_| BadInput(format!("--tz `{zone}` is not a time zone (an IANA name like Africa/Casablanca, or an offset like +01:00)")))?;
    let utc = chrono::Utc
        .timestamp_millis_opt(millis)
        .single()
        .ok_or_else(|| BadInput("the instant is out of range".into()))?;
    Ok(tz
        .offset_from_utc_datetime(&utc.naive_utc())
        .fix()
        .local_minus_utc()
        / 60)
}

/// The CLI is an edge of the system: it may read the clock (the engine never does).
#[allow(clippy::disallowed_methods)]
fn system_now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
