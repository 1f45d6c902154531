//! Ids and snapshot timestamps: the names content files give themselves.

use jiff::civil::{Date, DateTime, Time};
use std::fmt;

/// Whether `s` is a valid id (`^[a-z0-9][a-z0-9-]*$`): safe as a single URL and path segment.
pub fn is_valid_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z' | '0'..='9'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '-'))
}

/// The message for an invalid id, shared by every record type.
pub fn invalid_id_message(kind: &str, id: &str) -> String {
    format!(
        "invalid {kind} id `{id}`: ids are lowercase letters, digits and hyphens, starting with a letter or digit"
    )
}

/// When a snapshot was observed: `YYYY-MM-DD` or the Open Terms Archive `YYYY-MM-DDTHH-MM-SSZ` (UTC).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp {
    at: DateTime,
    raw: String,
}

impl Timestamp {
    pub fn parse(raw: &str) -> Option<Timestamp> {
        let (date, time) = match raw.len() {
            10 => (raw, None),
            20 if raw.as_bytes()[10] == b'T' && raw.ends_with('Z') => {
                (&raw[..10], Some(&raw[11..19]))
            }
            _ => return None,
        };
        let date: Date = strict_date(date)?;
        let time = match time {
            None => Time::midnight(),
            Some(t) => {
                let b = t.as_bytes();
                if b.len() != 8 || b[2] != b'-' || b[5] != b'-' {
                    return None;
                }
                let num = |s: &str| -> Option<i8> {
                    s.bytes()
                        .all(|c| c.is_ascii_digit())
                        .then(|| s.parse().ok())?
                };
                Time::new(num(&t[0..2])?, num(&t[3..5])?, num(&t[6..8])?, 0).ok()?
            }
        };
        Some(Timestamp {
            at: date.to_datetime(time),
            raw: raw.to_string(),
        })
    }

    /// The timestamp as written in the file name, also used in URLs.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Human date, e.g. "17 December 2024".
    pub fn display_date(&self) -> String {
        self.at.date().strftime("%-d %B %Y").to_string()
    }

    /// RFC 3339 form for `<time datetime>`: a date alone when only the date is known.
    pub fn rfc3339(&self) -> String {
        if self.raw.len() == 10 {
            self.raw.clone()
        } else {
            self.rfc3339_datetime()
        }
    }

    /// Full RFC 3339 date-time (midnight UTC for a date), as Atom requires.
    pub fn rfc3339_datetime(&self) -> String {
        self.at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    }

    /// Days since 1970-01-01 (fractional), to place versions on a time axis.
    pub fn days(&self) -> f64 {
        let epoch = jiff::civil::date(1970, 1, 1).to_datetime(Time::midnight());
        let span = self.at.duration_since(epoch);
        span.as_secs_f64() / 86_400.0
    }

    /// The calendar year, for axis labels.
    pub fn year(&self) -> i16 {
        self.at.year()
    }
}

fn strict_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<i32> {
        let part = &s[r];
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    Date::new(
        digits(0..4)? as i16,
        digits(5..7)? as i8,
        digits(8..10)? as i8,
    )
    .ok()
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        for ok in ["aws", "a", "0", "chat-gpt-4", "x-"] {
            assert!(is_valid_id(ok), "{ok}");
        }
        for bad in ["", "-a", "A", "a.b", "a/b", "..", "a b", "é", "a_b"] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }

    #[test]
    fn timestamps() {
        let t = Timestamp::parse("2024-12-17T06-01-31Z").unwrap();
        assert_eq!(t.display_date(), "17 December 2024");
        assert_eq!(t.rfc3339(), "2024-12-17T06:01:31Z");
        let d = Timestamp::parse("2024-12-17").unwrap();
        assert_eq!(d.rfc3339(), "2024-12-17");
        assert_eq!(d.rfc3339_datetime(), "2024-12-17T00:00:00Z");
        assert_eq!(
            Timestamp::parse("1970-01-03T12-00-00Z").unwrap().days(),
            2.5
        );
        assert!(d < t);
        for bad in [
            "2024-13-01",
            "2024-02-30",
            "2024-12-17T25-00-00Z",
            "2024-12-17T06:01:31Z",
            "2024-12-17T06-01-31",
            "24-12-17",
            "2024-1a-17",
            "+024-12-17",
        ] {
            assert!(Timestamp::parse(bad).is_none(), "{bad}");
        }
    }
}
