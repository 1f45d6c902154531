//! The date a version states for itself ("Effective: 29 October 2025", "Last updated: July 8th,
//! 2025"), shown beside the date the archive observed it (docs/reference.md). It is never used
//! to order versions: a stated date can be stale, in the future, or earlier than the previous
//! version's.
//!
//! A date counts only when a marker word stands right before it ("effective", "last updated",
//! "revised", "date"…, with only small words such as "on", "as of" or "from" between), so a
//! date inside a clause ("on or after 1 January 2026") is not the version's. Only where a
//! policy states its date is searched: the first blocks, and short blocks and headings
//! anywhere (some state it at the bottom). Each block is read up to a fixed length, so the cost
//! is linear in the number of blocks whatever their size.

use crate::text::{BlockKind, DocText};
use jiff::civil::Date;

/// How a version words its date, weakest first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// "Date:", "Version date:", "Release date:", or a date alone at the top of the text.
    Dated,
    /// "Last updated", "Last modified", "Revised", "Date of last revision"…
    Updated,
    /// "Effective", "Effective date", "takes effect on", "in force from"…
    Effective,
}

/// A date a version states for itself, and how it words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Stated {
    /// The day.
    pub date: Date,
    /// How the version words it.
    pub kind: Kind,
}

/// Blocks at the top of a text where any block may state the date.
const FIRST_BLOCKS: usize = 8;
/// Past the first blocks, only blocks this short (in bytes), or headings, are searched.
const SHORT: usize = 160;
/// How much of a block is read, in bytes: a date stated in a block is near its start.
const HEAD: usize = 600;
/// How many tokens before a date may hold its marker.
const BACK: usize = 10;

/// The date `text` states for itself, if any.
///
/// A date in the first blocks wins over one further down (a short block at the bottom may be a
/// list of earlier versions). Among the dates of one part, an effective date wins over a "last
/// updated" one, which wins over a bare "date": a version that says "Updated: 1 December 2025"
/// and "Effective: January 1, 2026" governs from the second, and when it took effect is what a
/// reader compares with when it was observed. Among equals, the first wins. A month without
/// a day ("Last updated: July 2026") is not a date: a day would be invented.
pub fn stated(text: &DocText) -> Option<Stated> {
    let top = text.blocks.iter().take(FIRST_BLOCKS);
    let rest = text
        .blocks
        .iter()
        .skip(FIRST_BLOCKS)
        .filter(|b| b.text.len() <= SHORT || matches!(b.kind, BlockKind::Heading(_)));
    strongest(top.flat_map(|b| in_block(&b.text, true)))
        .or_else(|| strongest(rest.flat_map(|b| in_block(&b.text, false))))
}

/// The strongest kind, the first among equals.
fn strongest(dates: impl Iterator<Item = Stated>) -> Option<Stated> {
    dates.fold(None, |best, s| match best {
        Some(b) if b.kind >= s.kind => Some(b),
        _ => Some(s),
    })
}

/// The stated dates in a block's head; a date alone in a block counts only at the top.
fn in_block(text: &str, top: bool) -> Vec<Stated> {
    let head = head(text);
    // Every date has a year in digits: a block without digits states none (most blocks).
    if !head.bytes().any(|b| b.is_ascii_digit()) {
        return Vec::new();
    }
    let toks = tokens(head);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let Some((date, end)) = date_at(&toks, i) else {
            i += 1;
            continue;
        };
        let alone = || toks[..i].iter().chain(&toks[end..]).all(Tok::is_punct);
        let (kind, opens) = marker(&toks[..i]);
        let kind = if top {
            kind.or_else(|| alone().then_some(Kind::Dated))
        } else {
            // Further down, only a block that opens with its marker ("Effective: …", not
            // "With effect from 30 June 2021, our representative is…"), and not a bare
            // "Date:", which may be any date (a table of transfers, a changelog).
            kind.filter(|&k| opens && k > Kind::Dated)
        };
        if let Some(kind) = kind {
            out.push(Stated { date, kind });
        }
        i = end;
    }
    out
}

/// The first `HEAD` bytes of `text`, cut at a character boundary.
fn head(text: &str) -> &str {
    let mut end = text.len().min(HEAD);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum TokKind {
    Word,
    Number,
    Punct,
}

/// A run of letters, a run of digits, or one other character; whitespace separates tokens.
#[derive(Debug, Clone, Copy)]
struct Tok<'a> {
    kind: TokKind,
    text: &'a str,
    start: usize,
}

impl Tok<'_> {
    fn is_punct(&self) -> bool {
        self.kind == TokKind::Punct
    }

    fn end(&self) -> usize {
        self.start + self.text.len()
    }

    fn is(&self, c: char) -> bool {
        self.kind == TokKind::Punct && self.text.starts_with(c)
    }
}

/// Letters and digits are split apart, so "2025Previous" (a date run into a link's text) and
/// "8th" are read as two tokens.
fn tokens(text: &str) -> Vec<Tok<'_>> {
    let class = |c: char| {
        if c.is_ascii_digit() {
            Some(TokKind::Number)
        } else if c.is_alphabetic() {
            Some(TokKind::Word)
        } else if c.is_whitespace() {
            None
        } else {
            Some(TokKind::Punct)
        }
    };
    let mut out: Vec<Tok> = Vec::new();
    for (i, c) in text.char_indices() {
        let Some(kind) = class(c) else { continue };
        match out.last_mut() {
            Some(t) if t.kind == kind && kind != TokKind::Punct && t.end() == i => {
                t.text = &text[t.start..i + c.len_utf8()];
            }
            _ => out.push(Tok {
                kind,
                text: &text[i..i + c.len_utf8()],
                start: i,
            }),
        }
    }
    out
}

/// The marker right before a date, walking back over marker words, small words and
/// punctuation up to a word that is neither, a number or the end of a sentence; and whether
/// the walk reached the start of the block.
fn marker(before: &[Tok]) -> (Option<Kind>, bool) {
    let mut kind = None;
    for (n, t) in before.iter().rev().enumerate() {
        let stop = n == BACK
            || match t.kind {
                TokKind::Punct => [".", ";", "!", "?"].contains(&t.text),
                TokKind::Number => true,
                TokKind::Word => match keyword(t.text) {
                    Some(k) => {
                        kind = kind.max(Some(k));
                        false
                    }
                    None => !is_filler(t.text),
                },
            };
        if stop {
            return (kind, false);
        }
    }
    (kind, true)
}

fn keyword(w: &str) -> Option<Kind> {
    const EFFECTIVE: &[&str] = &["effective", "effect", "force"];
    const UPDATED: &[&str] = &[
        "updated", "update", "modified", "revised", "revision", "amended", "changed",
    ];
    const DATED: &[&str] = &[
        "date",
        "dated",
        "version",
        "release",
        "released",
        "published",
        "posted",
    ];
    let any = |list: &[&str]| list.iter().any(|k| k.eq_ignore_ascii_case(w));
    if any(EFFECTIVE) {
        Some(Kind::Effective)
    } else if any(UPDATED) {
        Some(Kind::Updated)
    } else if any(DATED) {
        Some(Kind::Dated)
    } else {
        None
    }
}

/// Words that may stand between a marker and its date: "Last updated on", "Effective as of",
/// "was last revised on", "takes effect on", "Updated on: Tuesday 2 June 2015".
fn is_filler(w: &str) -> bool {
    const FILLERS: &[&str] = &[
        "last",
        "on",
        "as",
        "of",
        "from",
        "since",
        "starting",
        "the",
        "this",
        "is",
        "was",
        "and",
        "in",
        "into",
        "page",
        "take",
        "takes",
        "took",
        "come",
        "comes",
        "came",
        "enter",
        "enters",
        "entered",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    FILLERS.iter().any(|f| f.eq_ignore_ascii_case(w))
}

/// The month a word names, in full or abbreviated ("Sept", "Feb").
fn month(t: &Tok) -> Option<i16> {
    if t.kind != TokKind::Word {
        return None;
    }
    crate::text::month_number(t.text).map(i16::from)
}

/// A date starting at token `i`, and the index after it: "29 October 2025", "October 29th,
/// 2025", "Nov, 24 2022", "03. June, 2022", "2025-10-29", "29/10/2025", "10/29/2025".
fn date_at(toks: &[Tok], i: usize) -> Option<(Date, usize)> {
    let tok = |j: usize| toks.get(j);
    let skip = |mut j: usize, puncts: &[char]| {
        for &p in puncts {
            if tok(j).is_some_and(|t| t.is(p)) {
                j += 1;
            }
        }
        j
    };
    let year = |j: usize| tok(j).filter(|t| t.text.len() == 4).and_then(number);
    // A day: 1–2 digits, with an ordinal suffix written against it.
    let day = |j: usize| {
        let d = tok(j).filter(|t| t.text.len() <= 2).and_then(number)?;
        let suffix = tok(j + 1).is_some_and(|t| {
            t.start == toks[j].end()
                && ["st", "nd", "rd", "th"]
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(t.text))
        });
        Some((d, j + 1 + usize::from(suffix)))
    };
    let first = tok(i)?;
    if let Some(m) = month(first) {
        let (d, j) = day(skip(i + 1, &['.', ',']))?;
        let j = skip(j, &[',', '.']);
        return Some((ymd(year(j)?, m, d)?, j + 1));
    }
    if let Some(found) = numeric_date(toks, i) {
        return Some(found);
    }
    let (d, j) = day(i)?;
    let j = skip(j, &['.']);
    let m = month(tok(j)?)?;
    let j = skip(j + 1, &['.', ',']);
    Some((ymd(year(j)?, m, d)?, j + 1))
}

/// Three numbers joined by the same `-`, `/` or `.`, nothing between: year first (2025-10-29,
/// 2020.12.07), or year last with day and month told apart by the one above 12; a date that
/// reads either way (05/06/2025) is not read.
fn numeric_date(toks: &[Tok], i: usize) -> Option<(Date, usize)> {
    let parts = toks.get(i..i + 5)?;
    let sep = parts[1].text;
    let well_formed = ["-", "/", "."].contains(&sep)
        && parts[3].text == sep
        && parts.windows(2).all(|w| w[0].end() == w[1].start);
    if !well_formed {
        return None;
    }
    let [a, b, c] = [&parts[0], &parts[2], &parts[4]].map(|t| (t.text.len(), number(t)));
    let found = match (a, b, c) {
        ((4, Some(y)), (1..=2, Some(m)), (1..=2, Some(d))) => ymd(y, m, d),
        ((1..=2, Some(p)), (1..=2, Some(q)), (4, Some(y))) => match (ymd(y, q, p), ymd(y, p, q)) {
            (Some(dmy), Some(mdy)) if dmy != mdy => None,
            (dmy, mdy) => dmy.or(mdy),
        },
        _ => None,
    };
    Some((found?, i + 5))
}

/// A number token's value (numbers are at most 4 digits where read).
fn number(t: &Tok) -> Option<i16> {
    if t.kind != TokKind::Number || t.text.len() > 4 {
        return None;
    }
    t.text.parse().ok()
}

/// A calendar date, if it exists (not 31 February).
fn ymd(y: i16, m: i16, d: i16) -> Option<Date> {
    Date::new(y, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Block;
    use Kind::*;

    fn para(text: &str) -> Block {
        Block {
            kind: BlockKind::Paragraph,
            text: text.into(),
        }
    }

    fn of(blocks: Vec<Block>) -> Option<(Kind, String)> {
        stated(&DocText { blocks }).map(|s| (s.kind, s.date.to_string()))
    }

    /// `line` as the first block of a text.
    fn at_top(line: &str) -> Option<(Kind, String)> {
        of(vec![
            para("Terms"),
            para(line),
            para("These terms govern your use."),
        ])
    }

    /// `block` past the first blocks.
    fn further_down(block: Block) -> Option<(Kind, String)> {
        let mut blocks = vec![para("A clause of the policy, long enough to be a clause."); 20];
        blocks.push(block);
        of(blocks)
    }

    fn is(kind: Kind, date: &str) -> Option<(Kind, String)> {
        Some((kind, date.into()))
    }

    #[test]
    fn real_phrasings() {
        // Each line as Open Terms Archive recorded it (genai-eu, then contrib), as visible text.
        let cases = [
            ("Effective: 29 October 2025", Effective, "2025-10-29"), // ChatGPT AUP
            // Claude.ai AUP: the date runs into the text of a "Previous Version" link.
            (
                "Effective September 15, 2025Previous Version",
                Effective,
                "2025-09-15",
            ),
            ("Effective February 24, 2025", Effective, "2025-02-24"), // Claude.ai DPA
            ("Effective 24 February 2025", Effective, "2025-02-24"),  // Claude.ai DPA
            ("Updated: January 8, 2026", Updated, "2026-01-08"),      // ChatGPT business privacy
            ("Release date: April 22, 2026", Dated, "2026-04-22"),    // DeepSeek developer terms
            ("Last Update: 16 July, 2026", Updated, "2026-07-16"),    // DeepSeek trackers
            ("Last Update: Feb 10, 2026", Updated, "2026-02-10"),     // DeepSeek privacy
            ("Last modified: 17 December 2024", Updated, "2024-12-17"), // Google AUP
            (
                "Effective 2 April 2026 | Archived versions",
                Effective,
                "2026-04-02",
            ), // Google
            ("Effective:June 11, 2026", Effective, "2026-06-11"),     // Le Chat AUP
            ("Effective from 13 November 2023", Effective, "2023-11-13"), // Llama API DPA
            ("Last updated: January 23rd, 2026", Updated, "2026-01-23"), // Perplexity terms
            ("Last updated Feb 14, 2025", Updated, "2025-02-14"),     // Claude.ai disclosure
            ("February 14, 2025", Dated, "2025-02-14"),               // Grok brand guidelines
            ("Effective Date: 2020-04-07", Effective, "2020-04-07"),  // ASKfm privacy
            ("Last Updated: 08/25/2025", Updated, "2025-08-25"),      // Alpha Vantage privacy
            ("Updated: 22/07/2026", Updated, "2026-07-22"),           // happn privacy
            (
                "Privacy Policy (Last update 19.01.2023)",
                Updated,
                "2023-01-19",
            ), // Arweave
            (
                "Updated 2026-08-18T09:54:40Z by Louise",
                Updated,
                "2026-08-18",
            ), // Yuka terms
            ("Updated on: Tuesday 2 June 2015", Updated, "2015-06-02"), // Last.fm terms
            ("Last updated: 03. June, 2022", Updated, "2022-06-03"),  // Revolt AUP
            ("Last Updated: Nov, 24 2022", Updated, "2022-11-24"),    // Tp-link privacy
            ("Last updated: June 8. 2026", Updated, "2026-06-08"),    // Coindesk privacy
            (
                "Effective Date: 28th December 2022.",
                Effective,
                "2022-12-28",
            ), // Samsung
            (
                "Date of Last Revision: August 26, 2025",
                Updated,
                "2025-08-26",
            ), // Flickr
            ("Last Amended: August 17, 2026", Updated, "2026-08-17"), // SoundCloud terms
            ("Version: 28/10/2022", Dated, "2022-10-28"),             // Tresorit terms
            // Fox News privacy: one line with both words; "effective" is the stronger.
            (
                "Last Updated/Effective Date: July 1, 2026",
                Effective,
                "2026-07-01",
            ),
            // Dailymotion terms and Goodreads terms: the marker in a sentence.
            (
                "The updated Terms take effect on July 7, 2026.",
                Effective,
                "2026-07-07",
            ),
            (
                "This Agreement was last revised on April 28, 2021.",
                Updated,
                "2021-04-28",
            ),
        ];
        for (line, kind, date) in cases {
            assert_eq!(at_top(line), is(kind, date), "{line}");
        }
    }

    #[test]
    fn a_marker_run_into_a_paragraph_at_the_top() {
        // Llama API terms: the date sits in the middle of the introduction.
        let line = "These Terms govern your access to and use of the Services for a limited \
                    preview period. Meta may update these Terms or release new terms upon the \
                    general public availability of the Meta Model API._Last updated: August \
                    21, 2026These Meta Model API Terms of Service (“Terms”) are an agreement";
        assert_eq!(at_top(line), is(Updated, "2026-08-21"));
    }

    #[test]
    fn not_a_stated_date() {
        let cases = [
            "Last Updated: July 2026", // Microsoft Copilot privacy: no day
            "Effective March 2026",    // IGN terms: no day
            "Updated: 5 days ago",     // ChatGPT AUP: a relative counter
            "Updated on: 11/05/2026",  // happn terms: 11 May or November 5
            "Effective: 31 February 2025",
            "Effective: 29 February 2025",
            // HackerOne terms: a date inside a clause.
            "These Customer Terms and Conditions apply to all Order Forms entered into on or \
             after May 11, 2026, and to all free or trial versions of HackerOne's Services",
            // Claude.ai commercial terms: "effective" without a date.
            "These Terms are effective on the earlier of the date that Customer first \
             electronically accepts them or first accesses the Services",
            // Cloudflare privacy: the date names another version.
            "We have updated our October 31, 2025 Privacy Policy to include our new Addendum",
            "Effective date: 2025-13-01",
            "Updated 12345-09-15",
        ];
        for line in cases {
            assert_eq!(at_top(line), None, "{line}");
        }
    }

    #[test]
    fn effective_wins_over_updated_and_the_top_over_the_rest() {
        // ChatGPT commercial terms: published on one day, in force on another.
        let chatgpt = vec![
            para("Updated: December 1, 2025"),
            para("OpenAI Services Agreement"),
            para("Effective: January 1, 2026"),
        ];
        assert_eq!(of(chatgpt), is(Effective, "2026-01-01"));
        // DeepSeek developer terms.
        let deepseek = vec![
            para("Release date: April 22, 2026"),
            para("Effective date: April 29, 2026"),
        ];
        assert_eq!(of(deepseek), is(Effective, "2026-04-29"));
        // Claude.ai privacy policy: an earlier policy kept further down states its own date.
        let mut claude = vec![para("Effective July 8, 2026Previous Version")];
        claude.extend(vec![para("A clause of the policy."); 20]);
        claude.push(para("Effective August 28, 2025Previous Version"));
        assert_eq!(of(claude), is(Effective, "2026-07-08"));
        // Among equals, the first.
        let two = vec![para("Effective: 1 May 2025"), para("Effective: 2 May 2025")];
        assert_eq!(of(two), is(Effective, "2025-05-01"));
    }

    #[test]
    fn further_down_only_a_block_that_opens_with_its_marker() {
        // Meta AI terms state their date in the last list item.
        let meta = Block {
            kind: BlockKind::ListItem,
            text: "Effective Date Effective May 13, 2026".into(),
        };
        assert_eq!(further_down(meta), is(Effective, "2026-05-13"));
        let heading = Block {
            kind: BlockKind::Heading(4),
            text: "Last Updated: August 29, 2025".into(),
        };
        assert_eq!(further_down(heading), is(Updated, "2025-08-29"));
        let not = [
            // Starlink privacy: a clause.
            "With effect from June 30, 2021 – our representative in the European Union is \
             VeraSafe Ireland Ltd.",
            // Bandcamp terms: a section's own date.
            "Regulatory Disclosure Requirement - Monthly Active Users in the EU (Updated \
             November 15, 2024).",
            // Mix terms: the list of earlier versions.
            "Terms of Service - Effective February 1, 2017 - Terms of Service - Effective \
             October 18, 2019",
            // A bare date or "Date:" may be any date down there.
            "May 9, 2023",
            "Date: 1 March 2024",
            "Updated: 5 days ago",
        ];
        for text in not {
            assert_eq!(further_down(para(text)), None, "{text}");
        }
        // A long paragraph down there is a clause, whatever it opens with.
        let long = format!("Last updated: 1 May 2025. {}", "More text. ".repeat(30));
        assert_eq!(further_down(para(&long)), None);
    }

    #[test]
    fn bounded_on_any_input() {
        // Only the head of a block is read, cut at a character boundary.
        let late = format!("{} Effective: 1 May 2025", "word ".repeat(2_000_000));
        assert_eq!(at_top(&late), None);
        let early = format!("Effective: 1 May 2025 {}", "word ".repeat(2_000_000));
        assert_eq!(at_top(&early), is(Effective, "2025-05-01"));
        assert_eq!(at_top(&format!("x{}", "€".repeat(400))), None);
        // Many short blocks: each is read once.
        let mut many = vec![para("Effective:"); 200_000];
        many.push(para("Effective: 2 May 2025"));
        assert_eq!(of(many), is(Effective, "2025-05-02"));
        assert_eq!(of(vec![]), None);
        assert_eq!(at_top("1/2/3/4/5 - - . / 99999999999999999999 May"), None);
    }
}
