//! Dates and relative counters ("Effective: 15 September 2025", "Updated 3 days ago") masked,
//! so that a version in which only they changed is noise; and the month names that the reading
//! of effective dates shares.

use rustc_hash::FxHashMap;
use std::sync::LazyLock;

/// What a word can be in a date or a counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Word {
    /// 1–4 digits: a day, a year, a count.
    Number,
    Month,
    /// second, minute, hour, day, week, month, year (singular or plural).
    Unit,
    /// "a" or "an", as in "a day ago".
    Article,
    Ago,
    /// "yesterday", "today", or a numeric date such as 2025-09-15.
    Date,
    /// "over", "about", "few", "this", "last"…: part of a counter next to a unit.
    Qualifier,
    Other,
}

/// Classifies a word (already stripped of surrounding punctuation) without allocating.
fn word_kind(w: &str) -> Word {
    let b = w.as_bytes();
    let Some(&first) = b.first() else {
        return Word::Other;
    };
    if first.is_ascii_digit() {
        if b.len() <= 4 && b.iter().all(u8::is_ascii_digit) {
            return Word::Number;
        }
        return if is_numeric_date(w) {
            Word::Date
        } else {
            Word::Other
        };
    }
    known(w).map_or(Word::Other, |(kind, _)| kind)
}

/// The month (1–12) a word names, in full or by its first three letters, or "Sept"; any case.
/// Shared by date masking and the reading of effective dates, so both know the same months.
pub(crate) fn month_number(w: &str) -> Option<i8> {
    known(w).and_then(|(_, month)| month)
}

/// The months, in English.
const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The months in French, known in full only: OTA tracks many French policies ("Date effective :
/// 5 septembre 2024", Facebook Privacy Policy, 2024-10-10); their abbreviations would collide
/// with English words.
const MOIS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// The words of relative counters other than months.
const COUNTER_WORDS: [(&str, Word); 30] = [
    ("second", Word::Unit),
    ("seconds", Word::Unit),
    ("minute", Word::Unit),
    ("minutes", Word::Unit),
    ("hour", Word::Unit),
    ("hours", Word::Unit),
    ("day", Word::Unit),
    ("days", Word::Unit),
    ("week", Word::Unit),
    ("weeks", Word::Unit),
    ("month", Word::Unit),
    ("months", Word::Unit),
    ("year", Word::Unit),
    ("years", Word::Unit),
    ("now", Word::Unit),
    ("a", Word::Article),
    ("an", Word::Article),
    ("ago", Word::Ago),
    ("yesterday", Word::Date),
    ("today", Word::Date),
    ("just", Word::Qualifier),
    ("few", Word::Qualifier),
    ("last", Word::Qualifier),
    ("past", Word::Qualifier),
    ("about", Word::Qualifier),
    ("almost", Word::Qualifier),
    ("several", Word::Qualifier),
    ("over", Word::Qualifier),
    ("nearly", Word::Qualifier),
    ("this", Word::Qualifier),
];

/// The longest word, in bytes, that [`known`] knows.
const LONGEST: usize = 9;

/// A word's kind, and for a month its number.
type Known = (Word, Option<i8>);

/// Every ASCII word [`known`] knows, in small letters.
static KNOWN: LazyLock<FxHashMap<&'static [u8], Known>> = LazyLock::new(|| {
    let mut known = FxHashMap::default();
    for (w, kind) in COUNTER_WORDS {
        known.insert(w.as_bytes(), (kind, None));
    }
    for (n, (month, mois)) in (1..).zip(MONTHS.iter().zip(MOIS)) {
        for name in [month, &month[..3], mois].map(str::as_bytes) {
            known.insert(name, (Word::Month, Some(n)));
        }
    }
    known.insert(b"sept", (Word::Month, Some(9)));
    known
});

/// What a word is to masking and dates, in any case, if it is a month or a word of counters:
/// every word of a text is asked, so an ASCII word is looked up in small letters. Other words
/// can only be French month names (none of the other words has a letter beyond ASCII), matched
/// by their small letters.
fn known(w: &str) -> Option<Known> {
    if w.len() > LONGEST {
        return None;
    }
    if w.is_ascii() {
        let mut lower = [0; LONGEST];
        let lower = &mut lower[..w.len()];
        lower.copy_from_slice(w.as_bytes());
        lower.make_ascii_lowercase();
        return KNOWN.get(&*lower).copied();
    }
    // No capital of these names' letters differs in length from its small letter in UTF-8
    // (É/é, Û/û), so a word of another length is no name.
    let n = MOIS
        .iter()
        .position(|m| m.len() == w.len() && m.chars().eq(w.chars().flat_map(char::to_lowercase)))?;
    Some((Word::Month, Some(n as i8 + 1)))
}

/// Replaces dates and relative counters by placeholders, word by word: a month name next to a
/// day or year (in any order), numeric dates (2025-09-15, 15/09/2025), and "N days ago",
/// "yesterday", "today" counters. A duration that is not a counter ("within 30 days") is
/// kept: changing it is substantive. A run of masked words becomes one placeholder, so
/// "15 days ago" and "yesterday" are alike. Linear.
pub fn mask_dates(text: &str) -> String {
    mask_words(text, &word_kinds(text))
}

/// What each word of `text` (each piece between its spaces) is to [`mask_dates`]. The words of
/// texts joined by spaces are theirs one after the other, so a text's may be read once for all
/// the texts it is part of.
pub(super) fn word_kinds(text: &str) -> Vec<Word> {
    split_spaces(text).map(kind_in_text).collect()
}

/// [`mask_dates`] of `text`, whose words are of `kinds` ([`word_kinds`]).
pub(super) fn mask_words(text: &str, kinds: &[Word]) -> String {
    let kind = |i: usize| kinds.get(i).copied().unwrap_or(Word::Other);
    let mut masked = vec![false; kinds.len()];
    for i in 0..kinds.len() {
        match kind(i) {
            Word::Month
                if kind(i.wrapping_sub(1)) == Word::Number || kind(i + 1) == Word::Number =>
            {
                masked[i] = true;
                for j in [i.wrapping_sub(1), i + 1, i + 2] {
                    if kind(j) == Word::Number {
                        masked[j] = true;
                    }
                }
            }
            // "3 weeks ago", "over a month ago", "a few days ago": the unit, "ago", and the
            // numbers, articles and qualifiers before the unit.
            Word::Unit if kind(i + 1) == Word::Ago => {
                masked[i] = true;
                let mut j = i;
                while j > 0
                    && i - j < 3
                    && matches!(kind(j - 1), Word::Number | Word::Article | Word::Qualifier)
                {
                    j -= 1;
                    masked[j] = true;
                }
            }
            // "this week", "last month", "just now".
            Word::Qualifier if matches!(kind(i + 1), Word::Unit | Word::Date) => {
                masked[i] = true;
                masked[i + 1] = true;
            }
            Word::Ago | Word::Date => masked[i] = true,
            _ => {}
        }
    }
    if !masked.contains(&true) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for (i, w) in split_spaces(text).enumerate() {
        if masked[i] && i > 0 && masked[i - 1] {
            continue;
        }
        if i > 0 {
            out.push(' ');
        }
        out.push_str(if masked[i] { "#" } else { w });
    }
    out
}

/// The pieces of `text` between its spaces, as `text.split(' ')` gives them, found by reading
/// bytes: quicker for pieces as short as words.
fn split_spaces(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    text.bytes()
        .enumerate()
        .filter(|&(_, b)| b == b' ')
        .map(|(at, _)| at)
        .chain(std::iter::once(text.len()))
        .map(move |end| {
            let piece = &text[start..end];
            start = end + 1;
            piece
        })
}

/// The kind of a word as it stands in a text, punctuation around it: most words start with a
/// letter no known word starts with, and are told apart by it.
fn kind_in_text(w: &str) -> Word {
    match w.as_bytes().first() {
        Some(&b) if b.is_ascii_alphabetic() && !INITIALS[usize::from(b.to_ascii_lowercase())] => {
            Word::Other
        }
        _ => word_kind(w.trim_matches(|c: char| !c.is_alphanumeric())),
    }
}

/// The first letters of the words [`known`] knows (all are ASCII), by byte.
const INITIALS: [bool; 128] = {
    let mut initials = [false; 128];
    let mut i = 0;
    while i < COUNTER_WORDS.len() {
        initials[COUNTER_WORDS[i].0.as_bytes()[0] as usize] = true;
        i += 1;
    }
    let mut i = 0;
    while i < MONTHS.len() {
        initials[MONTHS[i].as_bytes()[0] as usize] = true;
        initials[MOIS[i].as_bytes()[0] as usize] = true;
        i += 1;
    }
    initials
};

/// `2025-09-15`, `15/09/2025`, `09.15.25`: digits in three groups.
fn is_numeric_date(w: &str) -> bool {
    let mut groups = 0;
    for g in w.split(['-', '/', '.']) {
        groups += 1;
        if g.is_empty() || g.len() > 4 || !g.bytes().all(|b| b.is_ascii_digit()) || groups > 3 {
            return false;
        }
    }
    groups == 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_counters_are_masked() {
        assert_eq!(
            mask_dates("Updated: 7 days ago\n"),
            mask_dates("Updated: 8 days ago\n")
        );
        assert_eq!(
            mask_dates("Effective September 15, 2025[Prev]"),
            mask_dates("Effective 15 September 2025[Prev]")
        );
        assert_eq!(mask_dates("on 2025-09-15."), mask_dates("on 15/09/2025."));
        assert_eq!(
            mask_dates("Date effective : 26 juin 2024"),
            mask_dates("Date effective : 5 Septembre 2024")
        );
        assert_ne!(
            mask_dates("We may suspend you."),
            mask_dates("We will suspend you.")
        );
        assert_ne!(mask_dates("within 30 days"), mask_dates("within 60 days"));
        // Disqus Privacy Policy, 2023–2026: relative counters in every wording it used.
        for (a, b) in [
            ("Updated over 3 weeks ago", "Updated over a month ago"),
            ("Updated yesterday", "Updated this week"),
            ("Updated this week", "Updated over a week ago"),
            ("Updated a few days ago", "Updated just now"),
        ] {
            assert_eq!(mask_dates(a), mask_dates(b), "{a} / {b}");
        }
        assert_ne!(
            mask_dates("data from the last 12 months"),
            mask_dates("data from the last 24 months")
        );
        assert_ne!(
            mask_dates("You can now opt out"),
            mask_dates("You cannot opt out")
        );
        assert_eq!(
            mask_dates("Updated: a day ago"),
            mask_dates("Updated: 2 days ago")
        );
        assert_eq!(
            mask_dates("Updated: yesterday"),
            mask_dates("Updated: 15 days ago")
        );
        assert_eq!(mask_dates("We may suspend you."), "We may suspend you.");
    }

    #[test]
    fn words_are_split_at_each_space_and_told_apart_by_their_first_letter() {
        for text in ["", " ", "a", "a b", "  a  b ", "été à"] {
            assert!(split_spaces(text).eq(text.split(' ')), "{text:?}");
        }
        for w in [
            "(September",
            "15,",
            "ago.",
            "Today!",
            "«mai»",
            "zebra",
            "Über",
            "x",
            "",
        ] {
            let trimmed = w.trim_matches(|c: char| !c.is_alphanumeric());
            assert_eq!(kind_in_text(w), word_kind(trimmed), "{w}");
        }
    }

    #[test]
    fn counter_words_in_any_case() {
        for (w, kind) in [
            ("DAYS", Word::Unit),
            ("Now", Word::Unit),
            ("Yesterday", Word::Date),
            ("A", Word::Article),
            ("nearly", Word::Qualifier),
            ("AGO", Word::Ago),
            ("MAR", Word::Month),
            ("mars", Word::Month),
            ("12", Word::Number),
            ("2025-09-15", Word::Date),
            ("marc", Word::Other),
            ("dayz", Word::Other),
            ("thisisalongword", Word::Other),
            ("", Word::Other),
            ("é", Word::Other),
        ] {
            assert_eq!(word_kind(w), kind, "{w}");
        }
    }

    /// The quick tests before the case-folding comparison must not leave out a spelling.
    #[test]
    fn month_names_in_any_case() {
        for (w, m) in [
            ("FÉVRIER", 2),
            ("Février", 2),
            ("AOÛT", 8),
            ("août", 8),
            ("Décembre", 12),
            ("mai", 5),
            ("SEPT", 9),
            ("Sep", 9),
            ("december", 12),
        ] {
            assert_eq!(month_number(w), Some(m), "{w}");
        }
        for w in ["aout", "fevrier", "févriers", "", "é", "maison"] {
            assert_eq!(month_number(w), None, "{w}");
        }
    }
}
