//! Ids and snapshot timestamps: the names content files give themselves.

use jiff::civil::{Date, DateTime, Time};
use serde::{Deserialize, Serialize};
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

/// An id a record takes from its file or folder name.
pub trait RecordId: Sized + std::ops::Deref<Target = str> {
    /// What the id names, in messages ("invalid platform id").
    const KIND: &'static str;

    /// The id, or the message saying why `id` is not one.
    fn parse(id: &str) -> Result<Self, String>;
}

/// Declares an id newtype: a validated name, so a value of the type is safe as a URL and path
/// segment wherever it goes, and ids of different records cannot be mixed up.
macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident: $kind:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl RecordId for $name {
            const KIND: &'static str = $kind;

            fn parse(id: &str) -> Result<$name, String> {
                if is_valid_id(id) {
                    Ok($name(id.to_string()))
                } else {
                    Err(invalid_id_message($kind, id))
                }
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}

id_type! {
    /// A platform's folder name under `platforms/`.
    PlatformId: "platform";
    /// A document's folder name under its platform's `documents/`.
    DocumentId: "document";
    /// A clause's file name under its platform's `clauses/`.
    ClauseId: "clause";
    /// A provision type's file name under `provisions/`.
    ProvisionId: "provision";
    /// A regulation's file name under `regulations/`.
    RegulationId: "regulation";
    /// A free page's file name under `pages/`.
    Slug: "page";
}

/// When a snapshot was observed: `YYYY-MM-DD` or the Open Terms Archive `YYYY-MM-DDTHH-MM-SSZ` (UTC),
/// then `-2`, `-3`… for further versions recorded within the same second (Open Terms Archive
/// records some documents twice in a second; the name holds seconds only). Ordered by time,
/// then by that number: as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Timestamp {
    at: DateTime,
    /// 1 without a suffix, else the suffix: `-10` follows `-9`.
    seq: u32,
    raw: String,
}

/// Highest same-second suffix accepted: far above any real archive, and keeps names short.
const MAX_SEQ: u32 = 9999;

impl Timestamp {
    /// The timestamp a snapshot file name (without extension) spells, or None.
    pub fn parse(raw: &str) -> Option<Timestamp> {
        let (base, seq) = split_seq(raw)?;
        let at = parse_time(base)?;
        Some(Timestamp {
            at,
            seq,
            raw: raw.to_string(),
        })
    }

    /// The timestamp as written in the file name, also used in URLs.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The calendar day (UTC) it was observed.
    pub fn date(&self) -> Date {
        self.at.date()
    }

    /// Human date, e.g. "17 December 2024".
    pub fn display_date(&self) -> String {
        display_date(self.at.date())
    }

    /// RFC 3339 form for `<time datetime>`: a date alone when only the date is known.
    pub fn rfc3339(&self) -> String {
        if !self.raw.contains('T') {
            self.raw[..10].to_string()
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

    /// The timestamp of an instant, to the second, in the Open Terms Archive form
    /// (`YYYY-MM-DDTHH-MM-SSZ`, UTC); None for a year a file name cannot spell (before 1 or
    /// after 9999).
    pub fn of_instant(instant: jiff::Timestamp) -> Option<Timestamp> {
        Timestamp::parse(&instant.strftime("%Y-%m-%dT%H-%M-%SZ").to_string())
    }

    /// Whether it has a same-second suffix (`-2`, `-3`…).
    pub fn has_suffix(&self) -> bool {
        self.seq > 1
    }

    /// The name for one more version observed in the same second as `self`, given the names
    /// `taken` already: `self` without its suffix when that second is free, else with the
    /// suffix after the highest one taken in it, so the new version sorts after those recorded
    /// before it. None past the highest suffix.
    pub fn first_free<'t>(
        &self,
        taken: impl IntoIterator<Item = &'t Timestamp>,
    ) -> Option<Timestamp> {
        let base = self.base();
        let highest = taken
            .into_iter()
            .filter(|t| t.base() == base)
            .map(|t| t.seq)
            .max();
        let seq = highest.map_or(1, |s| s + 1);
        let raw = match seq {
            1 => base.to_string(),
            _ if seq > MAX_SEQ => return None,
            _ => format!("{base}-{seq}"),
        };
        Some(Timestamp {
            at: self.at,
            seq,
            raw,
        })
    }

    /// Whether `other` was observed in the same second (or, for dates alone, on the same day
    /// and also written as a date alone), whatever their suffixes.
    pub fn same_time(&self, other: &Timestamp) -> bool {
        self.base() == other.base()
    }

    /// The name without its suffix: the second (or the day) it was observed in.
    fn base(&self) -> &str {
        split_seq(&self.raw).map_or(&self.raw, |(base, _)| base)
    }
}

/// An id made of a name, as `clausebook import ota` makes platform and document ids of Open
/// Terms Archive's service and terms-type names ("Alibaba.com" → `alibaba-com`, "O'Reilly" →
/// `oreilly`, "Société Générale" → `societe-generale`): accents dropped, letters in lower case,
/// apostrophes dropped, every other run of characters a hyphen, at most 100 characters. None
/// when no letter or digit is left (a name written in another script).
pub fn slug(name: &str) -> Option<String> {
    use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};
    let mut slug = String::new();
    for c in name.nfkd().filter(|c| !is_combining_mark(*c)) {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !matches!(c, '\'' | '’') && !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.truncate(100);
    let slug = slug.trim_end_matches('-');
    is_valid_id(slug).then(|| slug.to_string())
}

/// A day as pages show it, e.g. "17 December 2024".
pub fn display_date(date: Date) -> String {
    date.strftime("%-d %B %Y").to_string()
}

/// The timestamp without its same-second suffix, and the suffix (1 when there is none).
fn split_seq(raw: &str) -> Option<(&str, u32)> {
    // A date has two hyphens of its own: a suffix is a third hyphen after the date or the `Z`.
    let base_len = if raw.len() > 10 && raw.as_bytes()[10] == b'T' {
        20
    } else {
        10
    };
    let (base, rest) = (raw.get(..base_len)?, &raw[base_len..]);
    if rest.is_empty() {
        return Some((base, 1));
    }
    let digits = rest.strip_prefix('-')?;
    // `-2` and up, written without leading zeros, so each version has one name.
    if digits.starts_with('0') || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let seq: u32 = digits.parse().ok()?;
    (2..=MAX_SEQ).contains(&seq).then_some((base, seq))
}

/// `YYYY-MM-DD` (midnight) or `YYYY-MM-DDTHH-MM-SSZ`.
fn parse_time(raw: &str) -> Option<DateTime> {
    let (date, time) = match raw.len() {
        10 => (raw, None),
        20 if raw.as_bytes()[10] == b'T' && raw.ends_with('Z') => (&raw[..10], Some(&raw[11..19])),
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
    Some(date.to_datetime(time))
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
    fn slugs() {
        for (name, id) in [
            ("Alibaba.com", "alibaba-com"),
            ("O'Reilly", "oreilly"),
            ("Terms of Service", "terms-of-service"),
            (
                "Twitter Community Guidelines - Spam",
                "twitter-community-guidelines-spam",
            ),
            ("Société  Générale", "societe-generale"),
            ("  TP-Link ", "tp-link"),
            ("ﬁle №1", "file-no1"),
        ] {
            assert_eq!(slug(name).as_deref(), Some(id), "{name}");
        }
        for nothing in ["", "微信", "--", "’"] {
            assert_eq!(slug(nothing), None, "{nothing}");
        }
        let long = slug(&"ab ".repeat(60)).unwrap();
        assert!(long.len() <= 100 && is_valid_id(&long), "{long}");
    }

    #[test]
    fn a_taken_second_takes_the_next_suffix() {
        let t = |raw: &str| Timestamp::parse(raw).unwrap();
        let at = t("2025-01-16T08-00-00Z");
        let free = |taken: &[&str]| {
            let taken: Vec<Timestamp> = taken.iter().map(|r| t(r)).collect();
            at.first_free(&taken).map(|t| t.as_str().to_string())
        };
        assert_eq!(free(&[]).as_deref(), Some("2025-01-16T08-00-00Z"));
        // Another second, or a date alone, is another name.
        let others = ["2025-01-16T08-00-01Z", "2025-01-16"];
        assert_eq!(free(&others).as_deref(), Some("2025-01-16T08-00-00Z"));
        assert_eq!(
            free(&["2025-01-16T08-00-00Z"]).as_deref(),
            Some("2025-01-16T08-00-00Z-2")
        );
        // After the highest taken, so the new version sorts last in its second.
        let gap = ["2025-01-16T08-00-00Z-3", "2025-01-16T08-00-00Z"];
        assert_eq!(free(&gap).as_deref(), Some("2025-01-16T08-00-00Z-4"));
        assert_eq!(free(&["2025-01-16T08-00-00Z-9999"]), None);
        let day = t("2025-01-16");
        assert_eq!(
            day.first_free(&[t("2025-01-16")]).unwrap().as_str(),
            "2025-01-16-2"
        );
        assert_eq!(
            t("2025-01-16T08-00-00Z-2")
                .first_free(&[])
                .unwrap()
                .as_str(),
            "2025-01-16T08-00-00Z"
        );
    }

    #[test]
    fn instants_are_named_in_utc_to_the_second() {
        let instant: jiff::Timestamp = "2025-01-16T10:00:00.75+02:00".parse().unwrap();
        let t = Timestamp::of_instant(instant).unwrap();
        assert_eq!(t.as_str(), "2025-01-16T08-00-00Z");
        assert!(!t.has_suffix());
        assert!(Timestamp::of_instant(jiff::Timestamp::MIN).is_none());
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
        // Versions recorded in the same second, in the order recorded.
        let same: Vec<Timestamp> = [
            "2024-12-17T06-01-31Z-10",
            "2024-12-17T06-01-31Z-2",
            "2024-12-17T06-01-31Z",
            "2024-12-17T06-01-32Z",
        ]
        .iter()
        .map(|r| Timestamp::parse(r).unwrap())
        .collect();
        let mut sorted = same.clone();
        sorted.sort();
        let names: Vec<&str> = sorted.iter().map(Timestamp::as_str).collect();
        assert_eq!(
            names,
            [
                "2024-12-17T06-01-31Z",
                "2024-12-17T06-01-31Z-2",
                "2024-12-17T06-01-31Z-10",
                "2024-12-17T06-01-32Z"
            ]
        );
        assert_eq!(same[1].rfc3339(), "2024-12-17T06:01:31Z");
        assert_eq!(
            Timestamp::parse("2024-12-17-2").unwrap().rfc3339(),
            "2024-12-17"
        );
        for bad in [
            "2024-13-01",
            "2024-02-30",
            "2024-12-17T25-00-00Z",
            "2024-12-17T06:01:31Z",
            "2024-12-17T06-01-31",
            "24-12-17",
            "2024-1a-17",
            "+024-12-17",
            "2024-12-17T06-01-31Z-1",
            "2024-12-17T06-01-31Z-02",
            "2024-12-17T06-01-31Z-",
            "2024-12-17T06-01-31Z-x",
            "2024-12-17T06-01-31Z--2",
            "2024-12-17T06-01-31Z-10000",
            "2024-12-17T06-01-31Z-99999999999999999999",
            "2024-12-17T06-01-31-2",
        ] {
            assert!(Timestamp::parse(bad).is_none(), "{bad}");
        }
    }
}
