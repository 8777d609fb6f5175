//! Calendar arithmetic, ISO 8601 parsing and `format-date` formatting, as small pure functions.
//!
//! Dates are days since 1970-01-01 in the proleptic Gregorian calendar; date-times are milliseconds
//! since 1970-01-01T00:00:00Z plus the UTC offset (minutes) of the zone they were taken in.

use crate::value::DateTimeValue;

/// Milliseconds in a day.
pub(crate) const DAY_MS: i64 = 86_400_000;

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The civil date `(year, month, day)` of a day number (Howard Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

/// A cursor over ASCII digits and separators.
struct Scanner<'s> {
    bytes: &'s [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn digits(&mut self, count: usize) -> Option<u32> {
        let slice = self.bytes.get(self.pos..self.pos + count)?;
        let mut value = 0u32;
        for &b in slice {
            if !b.is_ascii_digit() {
                return None;
            }
            value = value * 10 + u32::from(b - b'0');
        }
        self.pos += count;
        Some(value)
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.bytes.get(self.pos) == Some(&byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn done(&self) -> bool {
        self.pos == self.bytes.len()
    }

    fn date(&mut self) -> Option<i64> {
        let year = self.digits(4)?;
        if !self.eat(b'-') {
            return None;
        }
        let month = self.digits(2)?;
        if !self.eat(b'-') {
            return None;
        }
        let day = self.digits(2)?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(i64::from(year), month) {
            return None;
        }
        Some(days_from_civil(i64::from(year), month, day))
    }

    /// `HH:MM[:SS[.fff]]` as milliseconds since midnight.
    fn time(&mut self) -> Option<i64> {
        let hour = self.digits(2)?;
        if !self.eat(b':') {
            return None;
        }
        let minute = self.digits(2)?;
        let mut second = 0;
        let mut millis = 0i64;
        if self.eat(b':') {
            second = self.digits(2)?;
            if self.eat(b'.') {
                let start = self.pos;
                let mut scale = 100;
                while let Some(&b) = self.bytes.get(self.pos).filter(|b| b.is_ascii_digit()) {
                    millis += i64::from(b - b'0') * scale;
                    scale /= 10;
                    self.pos += 1;
                }
                if self.pos == start {
                    return None;
                }
            }
        }
        // 24:00:00 is accepted as the end of the day, as XML Schema allows.
        if hour > 24
            || minute > 59
            || second > 59
            || (hour == 24 && (minute, second, millis) != (0, 0, 0))
        {
            return None;
        }
        Some(((i64::from(hour) * 60 + i64::from(minute)) * 60 + i64::from(second)) * 1000 + millis)
    }

    /// `Z`, `+HH`, `+HH:MM` or `+HHMM` as minutes east of UTC; `None` inside when absent.
    fn offset(&mut self) -> Option<Option<i32>> {
        if self.done() {
            return Some(None);
        }
        if self.eat(b'Z') {
            return Some(Some(0));
        }
        let sign = if self.eat(b'+') {
            1
        } else if self.eat(b'-') {
            -1
        } else {
            return None;
        };
        let hours = self.digits(2)?;
        let minutes = if self.done() {
            0
        } else {
            self.eat(b':');
            self.digits(2)?
        };
        if hours > 23 || minutes > 59 {
            return None;
        }
        Some(Some(sign * (hours as i32 * 60 + minutes as i32)))
    }
}

/// Parses `YYYY-MM-DD` to a day number.
pub(crate) fn parse_date(text: &str) -> Option<i32> {
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let days = scanner.date()?;
    scanner.done().then(|| i32::try_from(days).ok()).flatten()
}

/// Parses `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH[:MM]]` (a space may replace the `T`). Without an offset
/// the time is read as UTC.
pub(crate) fn parse_date_time(text: &str) -> Option<DateTimeValue> {
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let days = scanner.date()?;
    if !(scanner.eat(b'T') || scanner.eat(b' ')) {
        return None;
    }
    let time = scanner.time()?;
    let offset = scanner.offset()?.unwrap_or(0);
    if !scanner.done() {
        return None;
    }
    let local = days * DAY_MS + time;
    Some(DateTimeValue {
        millis: local - i64::from(offset) * 60_000,
        offset_minutes: offset,
    })
}

/// Parses a time of day `HH:MM[:SS[.fff]][Z|±HH[:MM]]` to milliseconds since midnight (wall clock; the
/// offset, if any, is ignored).
pub(crate) fn parse_time(text: &str) -> Option<i64> {
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let time = scanner.time()?;
    scanner.offset()?;
    scanner.done().then_some(time)
}

/// The wall-clock day number and milliseconds since local midnight of a date-time.
pub(crate) fn local_parts(value: DateTimeValue) -> (i64, i64) {
    let local = value
        .millis
        .saturating_add(i64::from(value.offset_minutes) * 60_000);
    (local.div_euclid(DAY_MS), local.rem_euclid(DAY_MS))
}

fn push_padded(out: &mut String, value: i64, width: usize) {
    use std::fmt::Write;
    if value < 0 {
        let _ = write!(out, "-{:0width$}", -value);
    } else {
        let _ = write!(out, "{value:0width$}");
    }
}

/// `YYYY-MM-DD`.
pub(crate) fn format_iso_date(days: i64) -> String {
    let (year, month, day) = civil_from_days(days);
    let mut out = String::with_capacity(10);
    push_padded(&mut out, year, 4);
    out.push('-');
    push_padded(&mut out, i64::from(month), 2);
    out.push('-');
    push_padded(&mut out, i64::from(day), 2);
    out
}

/// `YYYY-MM-DDTHH:MM:SS.mmm+HH:MM` (`Z` for UTC), the ODK `dateTime` form.
pub(crate) fn format_iso_date_time(value: DateTimeValue) -> String {
    let (days, millis) = local_parts(value);
    let mut out = format_iso_date(days);
    out.push('T');
    push_time(&mut out, millis, true);
    let offset = value.offset_minutes;
    if offset == 0 {
        out.push('Z');
    } else {
        out.push(if offset < 0 { '-' } else { '+' });
        let offset = i64::from(offset).abs();
        push_padded(&mut out, offset / 60, 2);
        out.push(':');
        push_padded(&mut out, offset % 60, 2);
    }
    out
}

fn push_time(out: &mut String, millis: i64, with_millis: bool) {
    push_padded(out, millis / 3_600_000, 2);
    out.push(':');
    push_padded(out, millis / 60_000 % 60, 2);
    out.push(':');
    push_padded(out, millis / 1000 % 60, 2);
    if with_millis {
        out.push('.');
        push_padded(out, millis % 1000, 3);
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// The directives `format-date` and `format-date-time` understand (after `%`).
pub(crate) const FORMAT_DIRECTIVES: &str = "YymnbdeaHhMS3%";

/// Formats a wall-clock instant (day number and milliseconds since midnight) with ODK's directives:
/// `%Y` 4-digit year, `%y` 2-digit year, `%m` 0-padded month, `%n` month, `%b` short month name,
/// `%d` 0-padded day, `%e` day, `%a` short weekday name, `%H` 0-padded hour, `%h` hour, `%M` 0-padded
/// minute, `%S` 0-padded second, `%3` 0-padded milliseconds, `%%` a percent sign. Month and weekday
/// names are English. Unknown directives are copied as written.
pub(crate) fn format_with(days: i64, millis: i64, format: &str) -> String {
    let (year, month, day) = civil_from_days(days);
    let mut out = String::with_capacity(format.len() + 8);
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('Y') => push_padded(&mut out, year, 4),
            Some('y') => push_padded(&mut out, year.rem_euclid(100), 2),
            Some('m') => push_padded(&mut out, i64::from(month), 2),
            Some('n') => out.push_str(&month.to_string()),
            Some('b') => out.push_str(MONTHS[(month - 1) as usize % 12]),
            Some('d') => push_padded(&mut out, i64::from(day), 2),
            Some('e') => out.push_str(&day.to_string()),
            Some('a') => out.push_str(WEEKDAYS[(days + 4).rem_euclid(7) as usize]),
            Some('H') => push_padded(&mut out, millis / 3_600_000, 2),
            Some('h') => out.push_str(&(millis / 3_600_000).to_string()),
            Some('M') => push_padded(&mut out, millis / 60_000 % 60, 2),
            Some('S') => push_padded(&mut out, millis / 1000 % 60, 2),
            Some('3') => push_padded(&mut out, millis % 1000, 3),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_over_four_centuries() {
        for days in -200_000..200_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }
}
