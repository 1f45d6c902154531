//! The scanner in front of html5ever: it reads an HTML source as html5ever's tokenizer does, as
//! far as tags go (their starts, ends, names and attributes), and says what to leave out before
//! html5ever reads it: attributes beyond the limit of a tag, and tags and attributes with a name
//! beyond the limit of distinct ones.

use super::{Limits, RawText, admit_name};
use std::collections::{HashSet, VecDeque};
use std::ops::Range;

/// Names of the elements whose start tag may switch html5ever's tokenizer to raw text.
const RAW_TEXT_ELEMENTS: [&str; 10] = [
    "title",
    "textarea",
    "style",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "noscript",
    "script",
    "plaintext",
];

/// What the scanner found: the parse reads the source up to a position, and at a pause
/// tells the scanner what html5ever did.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Step {
    /// Read up to here.
    Read(usize),
    /// Read up to `at`, then `with` instead of the source up to `resume`.
    Replace {
        at: usize,
        with: &'static str,
        resume: usize,
    },
    /// Read up to here, the end of a start tag that may switch the tokenizer to raw text;
    /// then tell [`Scanner::raw_text`] whether it did.
    StartTag(usize),
    /// Read up to here, just past the `<` of `<![CDATA[`; then tell [`Scanner::cdata`]
    /// whether html5ever reads a CDATA section there (in SVG or MathML) or a comment.
    Cdata(usize),
}

/// Where html5ever's tokenizer is between tags.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Data,
    Raw(RawText),
}

/// States of html5ever's tokenizer inside a tag, after its name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TagState {
    BeforeName,
    Name,
    AfterName,
    BeforeValue,
    Quoted(u8),
    Unquoted,
    AfterQuoted,
    SelfClosing,
}

/// The attributes of a tag read so far.
struct Attributes {
    kept: usize,
    /// Where the run of attributes being left out starts.
    leaving_out: Option<usize>,
}

/// How a tag ends, as [`Scanner::attributes`] reads it.
struct TagEnd {
    /// Where its `>` is; none when the source ends first.
    gt: Option<usize>,
    /// Whether a `/` just before the `>` closes it.
    self_closing: bool,
    /// Where the run of attributes left out at its end starts.
    leaving_out: Option<usize>,
}

/// States of html5ever's tokenizer in script data.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ScriptState {
    Data,
    Escaped,
    EscapedDash,
    EscapedDashDash,
    DoubleEscaped,
    DoubleEscapedDash,
    DoubleEscapedDashDash,
}

/// Reads an HTML source as html5ever's tokenizer does, as far as tags go (their starts, ends,
/// names and attributes), and says what to leave out.
pub(super) struct Scanner<'a> {
    s: &'a [u8],
    /// Where reading goes on from.
    pos: usize,
    mode: Mode,
    steps: VecDeque<Step>,
    /// The name of the last start tag, which ends raw text.
    last_start_tag: Range<usize>,
    /// Distinct names read beyond html5ever's built-in ones.
    names: HashSet<Box<str>>,
    limits: Limits,
    /// Whether the last step, to the source's end, was given.
    done: bool,
}

impl<'a> Scanner<'a> {
    pub(super) fn new(source: &'a str, limits: Limits) -> Self {
        Scanner {
            s: source.as_bytes(),
            pos: 0,
            mode: Mode::Data,
            steps: VecDeque::new(),
            last_start_tag: 0..0,
            names: HashSet::new(),
            limits,
            done: false,
        }
    }

    pub(super) fn next(&mut self) -> Option<Step> {
        while self.steps.is_empty() && self.pos < self.s.len() {
            match self.mode {
                Mode::Data => self.data(),
                Mode::Raw(RawText::Text) => self.raw_text_data(),
                Mode::Raw(RawText::Script) => self.script_data(),
                Mode::Raw(RawText::Plaintext) => self.pos = self.s.len(),
            }
        }
        if self.steps.is_empty() && !self.done {
            self.done = true;
            self.steps.push_back(Step::Read(self.s.len()));
        }
        self.steps.pop_front()
    }

    /// What the tree builder did after the start tag of a [`Step::StartTag`].
    pub(super) fn raw_text(&mut self, switched: Option<RawText>) {
        self.mode = switched.map_or(Mode::Data, Mode::Raw);
    }

    /// Whether html5ever reads the `<![CDATA[` of a [`Step::Cdata`] as a CDATA section.
    pub(super) fn cdata(&mut self, section: bool) {
        // `pos` is at the `!`; the section's text starts after `<![CDATA[`.
        let after_bang = self.pos + 1;
        self.pos = if section {
            find(self.s, after_bang + 7, b"]]>").map_or(self.s.len(), |i| i + 3)
        } else {
            after(self.s, after_bang, b'>')
        };
    }

    /// Reads data up to the next step.
    fn data(&mut self) {
        let s = self.s;
        while let Some(lt) = find(s, self.pos, b"<") {
            self.pos = lt + 1;
            match s.get(lt + 1) {
                Some(b'!') => {
                    let rest = &s[lt + 2..];
                    if rest.starts_with(b"--") {
                        self.pos = comment_end(s, lt + 4);
                    } else if rest.len() >= 7 && rest[..7].eq_ignore_ascii_case(b"doctype") {
                        self.pos = after(s, lt + 2, b'>');
                    } else if rest.starts_with(b"[CDATA[") {
                        // html5ever asks its tree builder once it has read `<!`.
                        self.steps.push_back(Step::Cdata(lt + 1));
                        return;
                    } else {
                        self.pos = after(s, lt + 2, b'>');
                    }
                }
                Some(b'/') => match s.get(lt + 2) {
                    Some(c) if c.is_ascii_alphabetic() => self.pos = self.tag(lt, lt + 2),
                    Some(b'>') => self.pos = lt + 3,
                    Some(_) => self.pos = after(s, lt + 2, b'>'),
                    None => {}
                },
                Some(c) if c.is_ascii_alphabetic() => self.pos = self.tag(lt, lt + 1),
                Some(b'?') => self.pos = after(s, lt + 1, b'>'),
                _ => {}
            }
            if !self.steps.is_empty() {
                return;
            }
        }
        self.pos = s.len();
    }

    /// Reads RCDATA or RAWTEXT up to the end tag of the element that started it.
    fn raw_text_data(&mut self) {
        let s = self.s;
        while let Some(lt) = find(s, self.pos, b"</") {
            self.pos = lt + 1;
            if self.is_end_tag(lt + 2) {
                self.mode = Mode::Data;
                self.pos = self.tag(lt, lt + 2);
                return;
            }
        }
        self.pos = s.len();
    }

    /// Reads script data, with its escaped and double-escaped states, up to its end tag.
    fn script_data(&mut self) {
        let s = self.s;
        let mut state = ScriptState::Data;
        let mut i = self.pos;
        while let Some(&b) = s.get(i) {
            i += 1;
            // The end tag ends the script in data and in escaped data; in double-escaped data
            // (after `<!--<script>`) it only ends the double escaping ([`script_step`]).
            let may_end = matches!(
                state,
                ScriptState::Data
                    | ScriptState::Escaped
                    | ScriptState::EscapedDash
                    | ScriptState::EscapedDashDash
            );
            if may_end && b == b'<' && s.get(i) == Some(&b'/') && self.is_end_tag(i + 1) {
                self.mode = Mode::Data;
                self.pos = self.tag(i - 1, i + 1);
                return;
            }
            (state, i) = script_step(s, state, b, i);
        }
        self.pos = s.len();
    }

    /// Whether the letters at `name` (after `</`) end the raw text: they spell the last start
    /// tag's name and are followed by a space, `/` or `>`.
    fn is_end_tag(&self, name: usize) -> bool {
        let end = past_letters(self.s, name);
        end > name
            && self.s[name..end].eq_ignore_ascii_case(&self.s[self.last_start_tag.clone()])
            && self.s.get(end).is_some_and(|&c| ends_tag_name(c))
    }

    /// Reads the tag whose name starts at `name` (after `<` or `</`, at `lt`) and queues the
    /// steps it needs; returns where reading goes on (after its `>`, or at the source's end).
    fn tag(&mut self, lt: usize, name: usize) -> usize {
        let s = self.s;
        let name_end = name
            + s[name..]
                .iter()
                .position(|&c| ends_tag_name(c))
                .unwrap_or(s.len() - name);
        let keep_tag = self.admit(name..name_end);
        let end = self.attributes(name_end, keep_tag);
        let resume = end.gt.map_or(s.len(), |gt| gt + 1);
        if !keep_tag {
            // A comment, not nothing: the text on both sides must not run together.
            let with = if end.gt.is_some() { "<!---->" } else { "" };
            self.steps.push_back(Step::Replace {
                at: lt,
                with,
                resume,
            });
            return resume;
        }
        if let Some(at) = end.leaving_out {
            // html5ever may be just past a `/` at `at`: a space keeps `>` from closing
            // the element by itself.
            let with = match end.gt {
                Some(_) if end.self_closing => "/",
                Some(_) => " ",
                None => "",
            };
            self.steps.push_back(Step::Replace {
                at,
                with,
                resume: end.gt.unwrap_or(s.len()),
            });
        }
        if s[lt + 1] != b'/' {
            self.start_tag(name..name_end, end.gt);
        }
        resume
    }

    /// Reads the attributes of a tag from `i`, just past its name, to its end, keeping or
    /// leaving out each (none is looked at when `keep_tag` is false: the whole tag goes). The
    /// states are html5ever's, so a tag ends where html5ever ends it.
    fn attributes(&mut self, mut i: usize, keep_tag: bool) -> TagEnd {
        let s = self.s;
        let mut attributes = Attributes {
            kept: 0,
            leaving_out: None,
        };
        let mut state = TagState::BeforeName;
        // Where the current attribute starts.
        let mut attribute = 0;
        let mut self_closing = false;
        let gt = loop {
            let Some(&c) = s.get(i) else { break None };
            let space = is_space(c);
            let (next, starts) = match state {
                TagState::BeforeName if space => (state, false),
                TagState::BeforeName | TagState::AfterName if c == b'/' => {
                    (TagState::SelfClosing, false)
                }
                TagState::BeforeName | TagState::AfterName if c == b'>' => break Some(i),
                TagState::BeforeName => (TagState::Name, true),
                TagState::Name if space => (TagState::AfterName, false),
                TagState::Name if c == b'/' => (TagState::SelfClosing, false),
                TagState::Name if c == b'>' => break Some(i),
                TagState::Name if c == b'=' => (TagState::BeforeValue, false),
                TagState::Name => (state, false),
                TagState::AfterName if space => (state, false),
                TagState::AfterName if c == b'=' => (TagState::BeforeValue, false),
                TagState::AfterName => (TagState::Name, true),
                TagState::BeforeValue if space => (state, false),
                TagState::BeforeValue if c == b'"' || c == b'\'' => (TagState::Quoted(c), false),
                TagState::BeforeValue if c == b'>' => break Some(i),
                TagState::BeforeValue => (TagState::Unquoted, false),
                TagState::Quoted(quote) => {
                    i = after(s, i, quote);
                    state = TagState::AfterQuoted;
                    continue;
                }
                TagState::Unquoted if space => (TagState::BeforeName, false),
                TagState::Unquoted if c == b'>' => break Some(i),
                TagState::Unquoted => (state, false),
                TagState::AfterQuoted if space => (TagState::BeforeName, false),
                TagState::AfterQuoted if c == b'/' => (TagState::SelfClosing, false),
                TagState::AfterQuoted if c == b'>' => break Some(i),
                TagState::SelfClosing if c == b'>' => {
                    self_closing = true;
                    break Some(i);
                }
                // Anything else is read again, as if before an attribute name.
                TagState::AfterQuoted | TagState::SelfClosing => {
                    state = TagState::BeforeName;
                    continue;
                }
            };
            if state == TagState::Name && next != TagState::Name && keep_tag {
                self.attribute(&mut attributes, attribute..i);
            }
            if starts {
                attribute = i;
            }
            state = next;
            i += 1;
        };
        // The last attribute's name may run to the `>` or the source's end.
        if keep_tag && state == TagState::Name {
            self.attribute(&mut attributes, attribute..i);
        }
        TagEnd {
            gt,
            self_closing,
            leaving_out: attributes.leaving_out,
        }
    }

    /// Notes the start tag whose name is at `name`, which ends raw text; when it may switch
    /// the tokenizer to raw text, the parse pauses after it to ask html5ever whether it did.
    fn start_tag(&mut self, name: Range<usize>, gt: Option<usize>) {
        let tag_name = &self.s[name.clone()];
        if let Some(gt) = gt
            && RAW_TEXT_ELEMENTS
                .iter()
                .any(|r| r.as_bytes().eq_ignore_ascii_case(tag_name))
        {
            self.steps.push_back(Step::StartTag(gt + 1));
        }
        self.last_start_tag = name;
    }

    /// Keeps the attribute whose name is at `name`, or leaves it out: when the tag has all
    /// the attributes it may keep, or the name is one too many.
    fn attribute(&mut self, attributes: &mut Attributes, name: Range<usize>) {
        let start = name.start;
        if attributes.kept < self.limits.attributes && self.admit(name) {
            attributes.kept += 1;
            if let Some(at) = attributes.leaving_out.take() {
                // html5ever reads an attribute after `/` as after a space.
                self.steps.push_back(Step::Replace {
                    at,
                    with: "/",
                    resume: start,
                });
            }
        } else {
            attributes.leaving_out.get_or_insert(start);
        }
    }

    /// Whether html5ever may read the tag or attribute name at `range` (see [`admit_name`]).
    fn admit(&mut self, range: Range<usize>) -> bool {
        let raw = &self.s[range];
        // html5ever names have their ASCII letters in lower case and NUL as U+FFFD.
        if raw.len() + 2 * raw.iter().filter(|&&b| b == 0).count() <= 7 {
            return true;
        }
        let name: String = String::from_utf8_lossy(raw)
            .chars()
            .map(|c| {
                if c == '\0' {
                    '\u{fffd}'
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        admit_name(&mut self.names, &name, self.limits.names)
    }
}

/// The state of script data after the byte `b`, and where reading goes on (`i`, or past a tag
/// name that changes the state); the end tag that ends the script is found before.
fn script_step(s: &[u8], state: ScriptState, b: u8, i: usize) -> (ScriptState, usize) {
    match (state, b) {
        (ScriptState::Data, b'<') => match s.get(i) {
            Some(b'/') => (ScriptState::Data, past_letters(s, i + 1)),
            Some(b'!') if s[i + 1..].starts_with(b"--") => (ScriptState::EscapedDashDash, i + 3),
            _ => (ScriptState::Data, i),
        },
        (ScriptState::Data, _) => (ScriptState::Data, i),
        (ScriptState::Escaped, b'-') => (ScriptState::EscapedDash, i),
        (ScriptState::EscapedDash | ScriptState::EscapedDashDash, b'-') => {
            (ScriptState::EscapedDashDash, i)
        }
        (ScriptState::Escaped | ScriptState::EscapedDash | ScriptState::EscapedDashDash, b'<') => {
            match s.get(i) {
                Some(b'/') => (ScriptState::Escaped, past_letters(s, i + 1)),
                // `<script` starts double-escaped data.
                Some(c) if c.is_ascii_alphabetic() => match script_tag_name(s, i) {
                    (i, true) => (ScriptState::DoubleEscaped, i),
                    (i, false) => (ScriptState::Escaped, i),
                },
                _ => (ScriptState::Escaped, i),
            }
        }
        (ScriptState::EscapedDashDash, b'>') => (ScriptState::Data, i),
        (ScriptState::Escaped | ScriptState::EscapedDash | ScriptState::EscapedDashDash, _) => {
            (ScriptState::Escaped, i)
        }
        (ScriptState::DoubleEscaped, b'-') => (ScriptState::DoubleEscapedDash, i),
        (ScriptState::DoubleEscapedDash | ScriptState::DoubleEscapedDashDash, b'-') => {
            (ScriptState::DoubleEscapedDashDash, i)
        }
        // `</script` ends double-escaped data.
        (
            ScriptState::DoubleEscaped
            | ScriptState::DoubleEscapedDash
            | ScriptState::DoubleEscapedDashDash,
            b'<',
        ) if s.get(i) == Some(&b'/') => match script_tag_name(s, i + 1) {
            (i, true) => (ScriptState::Escaped, i),
            (i, false) => (ScriptState::DoubleEscaped, i),
        },
        (ScriptState::DoubleEscapedDashDash, b'>') => (ScriptState::Data, i),
        (
            ScriptState::DoubleEscaped
            | ScriptState::DoubleEscapedDash
            | ScriptState::DoubleEscapedDashDash,
            _,
        ) => (ScriptState::DoubleEscaped, i),
    }
}

/// The letters at `from` in escaped script data (after `<` or `</`): where reading goes on
/// (past them, and past the space, `/` or `>` that ends them as a tag name), and whether they
/// are the tag name `script`, which switches between escaped and double-escaped data.
fn script_tag_name(s: &[u8], from: usize) -> (usize, bool) {
    let end = past_letters(s, from);
    if s.get(end).is_some_and(|&c| ends_tag_name(c)) {
        (end + 1, s[from..end].eq_ignore_ascii_case(b"script"))
    } else {
        (end, false)
    }
}

/// Whether html5ever's tokenizer reads `c` as a space (it reads CR as LF).
fn is_space(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// Whether `c` ends a tag name.
fn ends_tag_name(c: u8) -> bool {
    is_space(c) || c == b'/' || c == b'>'
}

/// The position after the ASCII letters from `from`.
fn past_letters(s: &[u8], from: usize) -> usize {
    from + s[from.min(s.len())..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .count()
}

/// Where `needle` occurs in `s` from `from`.
fn find(s: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let hay = s.get(from..)?;
    match needle {
        [b] => hay.iter().position(|c| c == b),
        _ => hay.windows(needle.len()).position(|w| w == needle),
    }
    .map(|i| from + i)
}

/// The position after the first `c` from `from`, or the source's end.
fn after(s: &[u8], from: usize, c: u8) -> usize {
    find(s, from, &[c]).map_or(s.len(), |i| i + 1)
}

/// Where the comment whose text starts at `i` (after `<!--`) ends, as html5ever reads it:
/// `<!-->`, `<!--->`, `-->` and `--!>` end it.
fn comment_end(s: &[u8], mut i: usize) -> usize {
    #[derive(Clone, Copy)]
    enum C {
        Start,
        StartDash,
        Text,
        Lt,
        LtBang,
        LtBangDash,
        LtBangDashDash,
        EndDash,
        End,
        EndBang,
    }
    let mut state = C::Start;
    while let Some(&c) = s.get(i) {
        // The next state, and whether `c` was read (or is read again in the next state).
        let (next, read) = match (state, c) {
            (C::Start | C::StartDash | C::End | C::EndBang, b'>') => return i + 1,
            (C::Start, b'-') => (C::StartDash, true),
            (C::StartDash, b'-') | (C::EndDash, b'-') | (C::End, b'-') => (C::End, true),
            (C::Text, b'<') | (C::Lt, b'<') => (C::Lt, true),
            (C::Text, b'-') | (C::EndBang, b'-') => (C::EndDash, true),
            (C::Lt, b'!') => (C::LtBang, true),
            (C::LtBang, b'-') => (C::LtBangDash, true),
            (C::LtBangDash, b'-') => (C::LtBangDashDash, true),
            (C::End, b'!') => (C::EndBang, true),
            (C::Start | C::StartDash | C::Text | C::EndDash | C::EndBang, _) => (C::Text, true),
            (C::Lt | C::LtBang | C::End, _) => (C::Text, false),
            (C::LtBangDash, _) => (C::EndDash, false),
            (C::LtBangDashDash, _) => (C::End, false),
        };
        state = next;
        if read {
            i += 1;
        }
    }
    s.len()
}

#[cfg(test)]
mod tests {
    use super::super::{HtmlInput, LIMITS, Sink, parse_within};
    use super::*;
    use html5ever::TokenizerResult;
    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::{
        BufferQueue, TagToken, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
    };
    use html5ever::tree_builder::{TreeBuilder, TreeBuilderOpts};
    use proptest::prelude::*;
    use std::cell::RefCell;

    #[test]
    fn comments_end_where_html5ever_ends_them() {
        for (comment, end) in [
            ("<!-->x", 5),
            ("<!--->x", 6),
            ("<!---->x", 7),
            ("<!-- a -- b --!>x", 16),
            ("<!--<!-- -->x", 12),
            ("<!--<!--->x", 10),
            ("<!-- -- -->x", 11),
            ("<!-- - ->x-->", 13),
        ] {
            assert_eq!(comment_end(comment.as_bytes(), 4), end, "{comment}");
        }
    }

    /// A token, as the tree builder is given it; texts joined.
    #[derive(Debug, PartialEq)]
    enum Tok {
        Tag {
            end: bool,
            name: String,
            attrs: Vec<(String, String)>,
            self_closing: bool,
        },
        Comment(String),
        Text(String),
        Doctype,
    }

    /// Records the tokens html5ever gives its tree builder.
    struct Record<B> {
        builder: B,
        tokens: RefCell<Vec<(Tok, bool)>>,
    }

    impl<B: TokenSink> TokenSink for Record<B> {
        type Handle = B::Handle;

        fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<B::Handle> {
            use html5ever::tokenizer::{CharacterTokens, CommentToken, DoctypeToken, EndTag};
            let mut tokens = self.tokens.borrow_mut();
            let text = match &token {
                CharacterTokens(t) => Some(t.to_string()),
                Token::NullCharacterToken => Some("\0".into()),
                _ => None,
            };
            match (&token, text) {
                (_, Some(text)) => match tokens.last_mut() {
                    Some((Tok::Text(before), _)) => before.push_str(&text),
                    _ => tokens.push((Tok::Text(text), false)),
                },
                (TagToken(tag), _) => tokens.push((
                    Tok::Tag {
                        end: tag.kind == EndTag,
                        name: tag.name.to_string(),
                        attrs: tag
                            .attrs
                            .iter()
                            .map(|a| (a.name.local.to_string(), a.value.to_string()))
                            .collect(),
                        self_closing: tag.self_closing,
                    },
                    tag.had_duplicate_attributes,
                )),
                (CommentToken(c), _) => tokens.push((Tok::Comment(c.to_string()), false)),
                (DoctypeToken(_), _) => tokens.push((Tok::Doctype, false)),
                _ => {}
            }
            drop(tokens);
            self.builder.process_token(token, line)
        }

        fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
            self.builder
                .adjusted_current_node_present_but_not_in_html_namespace()
        }
    }

    /// The tokens of a plain parse of `source` (with this module's tree sink, whose answers
    /// the tokenizer depends on), and whether each tag had duplicate attributes.
    fn tokens(source: &str) -> Vec<(Tok, bool)> {
        let sink = Sink::new(HtmlInput::Document, source.len(), LIMITS);
        let builder = TreeBuilder::new(sink, TreeBuilderOpts::default());
        let tokenizer = Tokenizer::new(
            Record {
                builder,
                tokens: RefCell::default(),
            },
            TokenizerOpts::default(),
        );
        let queue = BufferQueue::default();
        queue.push_back(StrTendril::from_slice(source));
        while !matches!(tokenizer.feed(&queue), TokenizerResult::Done) {}
        tokenizer.end();
        tokenizer.sink.tokens.into_inner()
    }

    /// Pieces of HTML whose concatenations put tags in every state of html5ever's
    /// tokenizer: in comments, raw text, script data (escaped and double-escaped), CDATA,
    /// foreign content and attribute values.
    const PIECES: &[&str] = &[
        "<p a b c d>",
        "</p a=1 b=2 c=3>",
        "<b x=1 y='2' z=\"3\">",
        "</b>",
        "<br a b c/>",
        "<div a=\"x>y\" b='<p q r s>' c>",
        "<textarea a b c>",
        "</textarea>",
        "</textarea x y z>",
        "<title a b c>",
        "</title>",
        "<script a b c>",
        "</script>",
        "</script a b c>",
        "<style>",
        "</style >",
        "<xmp>",
        "</xmp>",
        "<iframe>",
        "</iframe>",
        "<noscript>",
        "</noscript>",
        "<noembed>",
        "<plaintext a b c>",
        "<svg>",
        "</svg>",
        "<math>",
        "</math>",
        "<mi>",
        "<annotation-xml encoding=text/html>",
        "<foreignObject>",
        "<desc>",
        "<select>",
        "</select>",
        "<option>",
        "<table>",
        "<td>",
        "<template>",
        "</template>",
        "<frameset>",
        "<!--",
        "-->",
        "--!>",
        "<!-->",
        "<!--->",
        "<!- ",
        "<!",
        "<!DOCTYPE html a b>",
        "<![CDATA[",
        "]]>",
        "<?x a b>",
        "</",
        "</>",
        "</ a b c>",
        "<",
        ">",
        "\"",
        "'",
        "=",
        "/",
        "-",
        "--",
        "<!--<script>",
        "<script><!--<script>",
        "</script><p a b c>",
        "-->",
        "x",
        " ",
        "\n",
        "\r\n",
        "&amp;",
        "&",
        "&#x3c;",
        "<a b=c d=e f=g h=i>",
        "<p\ta\nb\x0cc\rd>",
        "<p a/b/c/d>",
        "<p a=b/c=d e=f>",
        "<p =a =b =c>",
        "<P A B C>",
        "<script>",
        "<!-- -->",
        "<!--<script>-->",
        "</script>",
        "<p a b c d>",
        "<br a=\"1\" b='2' c=\"3\"/>",
        "<p a= \"x y\" b c>",
        "<p a= 'x>' b c>",
        "</textarea1>",
        "</script-x>",
        "</title0 a b c>",
        "<img a b c />",
        "<p a b=\"\"c d>",
        "<p a=b =c d e>",
    ];

    fn html() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(PIECES), 0..48)
            .prop_map(|pieces| pieces.concat())
    }

    /// Checks that, with two attributes a tag, html5ever reads from the scanned source the
    /// tokens it reads from `source`, but each tag keeps only its first two attributes.
    fn check_scanned(source: &str) -> Result<(), TestCaseError> {
        let limits = Limits {
            attributes: 2,
            ..LIMITS
        };
        let parsed = parse_within(source, HtmlInput::Document, limits);
        prop_assert!(!parsed.cut);
        let scanned = tokens(&parsed.source);
        let original = tokens(source);
        prop_assert_eq!(scanned.len(), original.len(), "{:?}", parsed.source);
        for ((got, _), (want, duplicates)) in scanned.into_iter().zip(original) {
            match (got, want) {
                (
                    Tok::Tag {
                        end,
                        name,
                        attrs,
                        self_closing,
                    },
                    Tok::Tag {
                        end: e,
                        name: n,
                        attrs: mut a,
                        self_closing: s,
                    },
                ) => {
                    prop_assert_eq!((end, name, self_closing), (e, n, s));
                    if !duplicates {
                        a.truncate(2);
                        prop_assert_eq!(attrs, a, "{:?}", parsed.source);
                    }
                }
                (got, want) => prop_assert_eq!(got, want, "{:?}", parsed.source),
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn scanned_source_keeps_every_token_but_extra_attributes(source in html()) {
            check_scanned(&source)?;
        }
    }

    #[test]
    fn script_data_ends_where_html5ever_ends_it() {
        let tag = "<p a b c d>";
        for script in [
            "<script><!-- --><script></script>",
            "<script><!--<script></script>--></script>",
            "<script><!--<script></script></script>",
            "<script><!--<script>--></script>",
            "<script><!--<script>-- ></script></script>",
            "<script><!--<script>--->x</script>",
            "<script><!--<scripts></script>",
            "<script><!--<script/></SCRIPT></script>",
            "<script><!--</scriptx></script>",
            "<script><!-<script></script>",
            "<script><!---></script>",
            "<script><!--<script>-<</script></script>",
            "<script><!--<script>--<</script>--></script>",
            "<script></scrip></script >",
            "<script><!--<script ></script\t>",
        ] {
            check_scanned(&format!("{script}{tag}x{tag}")).unwrap();
        }
    }

    #[test]
    fn names_beyond_the_limit_are_left_out() {
        let limits = Limits { names: 2, ..LIMITS };
        let source = "<custom-one data-first-name=1 data-second-name=2 id=x>a</custom-one>\
                      <custom-two data-first-name=3 class=c>b</custom-two>\
                      <p data-third-name data-first-name>c</p><textarea>d</textarea>";
        let parsed = parse_within(source, HtmlInput::Document, limits);
        assert_eq!(
            parsed.source,
            "<custom-one data-first-name=1 /id=x>a</custom-one>\
             <!---->b<!---->\
             <p /data-first-name>c</p><textarea>d</textarea>"
        );
        let html = parsed.html.html();
        assert!(html.contains("<p data-first-name=\"\">c</p>"), "{html}");
    }
}
