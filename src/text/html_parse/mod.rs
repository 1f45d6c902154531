//! HTML parsing with bounded cost.
//!
//! html5ever is fed a chunk at a time and stopped at the first chunk that leaves it over one of
//! its limits (open elements, memory, work). Before any byte reaches it, a scanner that reads the
//! source exactly as html5ever's tokenizer does removes what would cost html5ever quadratic time:
//! attributes beyond 256 in a tag (each attribute is checked against all the earlier ones) and
//! names beyond 4,096 distinct ones (each new name is interned in a global table of 4,096 linked
//! lists). The scanner never guesses what the tree builder does: after a start
//! tag that may switch the tokenizer to raw text, and at a CDATA section, it waits until html5ever
//! has read that far and asks it. Ordinary documents pass unchanged.

mod scan;

use ego_tree::NodeId;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, StartTag, TagToken, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::tree_builder::{
    ElementFlags, NodeOrText, QuirksMode, Tracer, TreeBuilder, TreeBuilderOpts, TreeSink,
    create_element,
};
use html5ever::{Attribute, LocalName, QualName, TokenizerResult, local_name, ns};
use scan::{Scanner, Step};
use scraper::{Html, HtmlTreeSink, Node};
use std::borrow::Cow;
use std::cell::{Cell, Ref, RefCell};
use std::collections::HashSet;

/// Most elements an HTML parse may hold open, counting the misnested formatting elements it
/// re-opens at the next text. html5ever's work per tag grows with their number (a nest of 20,000
/// `<div>`s takes seconds, a deeper one hangs), and real pages stay far below.
const MAX_OPEN_ELEMENTS: usize = 256;

/// Bytes given to the parser between two checks of its limits.
const PARSE_CHUNK: usize = 512;

/// What the scanner leaves out.
#[derive(Clone, Copy, Debug)]
struct Limits {
    /// Attributes kept in one tag; the rest are left out of the source.
    attributes: usize,
    /// Distinct names (of elements, attributes, classes) a parse may intern beyond
    /// html5ever's built-in ones; a tag or attribute with a further new name is left out.
    names: usize,
    /// Memory a parse may take beyond [`MEMORY_PER_BYTE`] per byte of source.
    extra_memory: usize,
}

const LIMITS: Limits = Limits {
    attributes: 256,
    names: 4096,
    extra_memory: 256 << 20,
};

/// What a node and an attribute of a parse cost in memory, in bytes (measured).
const NODE_BYTES: usize = 128;
const ATTRIBUTE_BYTES: usize = 48;

/// A parse may take this many bytes of memory per byte of source, plus its limit's
/// `extra_memory`: a 64 MiB snapshot stays within about 1.3 GiB however its markup
/// multiplies nodes.
const MEMORY_PER_BYTE: usize = 16;

/// Work html5ever does comparing a new formatting element (`<b>`, `<a>`, …) with the earlier
/// ones of the same name (it copies and sorts both attribute lists each time), in attributes
/// copied, allowed per byte of source plus a fixed amount.
const FORMATTING_WORK_PER_BYTE: usize = 4;
const EXTRA_FORMATTING_WORK: usize = 4 << 20;

/// Work ammonia does on a fragment beyond what this parse does itself, in steps of about
/// half a nanosecond: a sibling visited, [`SERIALISED_BYTES_PER_STEP`] bytes its serialiser
/// scans, or an attribute hashed ([`STEPS_PER_HASHED_ATTRIBUTE`]). Allowed per byte of
/// source, plus a fixed amount.
const AMMONIA_STEPS_PER_BYTE: usize = 128;
const EXTRA_AMMONIA_STEPS: usize = 1 << 20;
const SERIALISED_BYTES_PER_STEP: usize = 16;
const STEPS_PER_HASHED_ATTRIBUTE: usize = 32;

/// The formatting elements html5ever keeps a list of and compares a new one with.
const FORMATTING_ELEMENTS: [&str; 14] = [
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];

/// How [`parse_html`] reads its source.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum HtmlInput {
    /// A whole document: an archived snapshot.
    Document,
    /// A fragment as ammonia parses one (in a `<div>`). Ammonia then parses and writes out
    /// the same source, so what that costs it counts against the limits too.
    Fragment,
}

/// An HTML parse that [`parse_html`] may have cut short.
pub(crate) struct ParsedHtml<'a> {
    pub html: Html,
    /// Whether the parse stopped at its limits, before the end of its source.
    pub cut: bool,
    /// The source as html5ever read it: without what the scanner left out, and ending where
    /// the parse stopped. Borrowed when nothing was left out.
    pub source: Cow<'a, str>,
}

/// Parses HTML as a document or as ammonia parses a fragment, under the limits described at
/// the top of this module: what was read before a limit is kept, the rest is dropped.
pub(crate) fn parse_html(source: &str, input: HtmlInput) -> ParsedHtml<'_> {
    parse_within(source, input, LIMITS)
}

fn parse_within(source: &str, input: HtmlInput, limits: Limits) -> ParsedHtml<'_> {
    let sink = Sink::new(input, source.len(), limits);
    let opts = TreeBuilderOpts::default();
    let (builder, initial_state) = match input {
        HtmlInput::Document => (TreeBuilder::new(sink, opts), None),
        HtmlInput::Fragment => {
            let div = QualName::new(None, ns!(html), local_name!("div"));
            let context = create_element(&sink, div, Vec::new());
            let builder = TreeBuilder::new_for_fragment(sink, context, None, opts);
            let state = builder.tokenizer_state_for_context_elem(false);
            (builder, Some(state))
        }
    };
    let tokenizer = Tokenizer::new(
        Watch::new(builder),
        TokenizerOpts {
            initial_state,
            ..TokenizerOpts::default()
        },
    );
    let mut parse = Parse {
        tokenizer,
        queue: BufferQueue::default(),
        source,
        read: 0,
        copy: None,
        unchecked: 0,
        formatting_work: 0,
        formatting_budget: work_budget(
            source.len(),
            FORMATTING_WORK_PER_BYTE,
            EXTRA_FORMATTING_WORK,
        ),
    };
    let mut scanner = Scanner::new(source, limits);
    let mut within = true;
    while within && let Some(step) = scanner.next() {
        within = match step {
            Step::Read(end) => parse.read(end),
            Step::Replace { at, with, resume } => parse.replace(at, with, resume),
            Step::StartTag(end) => {
                let within = parse.read(end);
                scanner.raw_text(parse.tokenizer.sink.switched.take());
                within
            }
            Step::Cdata(end) => {
                let within = parse.read(end);
                scanner.cdata(
                    parse
                        .tokenizer
                        .sink
                        .builder
                        .adjusted_current_node_present_but_not_in_html_namespace(),
                );
                within
            }
        };
    }
    parse.finish(!within)
}

fn work_budget(source_len: usize, per_byte: usize, extra: usize) -> usize {
    source_len.saturating_mul(per_byte).saturating_add(extra)
}

/// html5ever reading a source under limits, and what it has read.
struct Parse<'a> {
    tokenizer: Tokenizer<Watch<TreeBuilder<NodeId, Sink>>>,
    queue: BufferQueue,
    source: &'a str,
    /// How far the source has been read.
    read: usize,
    /// What html5ever was given, once it differs from the source.
    copy: Option<String>,
    /// Bytes given since the limits were last checked.
    unchecked: usize,
    formatting_work: usize,
    formatting_budget: usize,
}

impl<'a> Parse<'a> {
    /// Gives html5ever the source up to `end`, a chunk at a time; false once over a limit.
    fn read(&mut self, end: usize) -> bool {
        while self.read < end {
            let mut chunk_end = end.min(self.read + PARSE_CHUNK);
            while !self.source.is_char_boundary(chunk_end) {
                chunk_end += 1;
            }
            let chunk = &self.source[self.read..chunk_end];
            self.read = chunk_end;
            if !self.write(chunk) {
                return false;
            }
        }
        true
    }

    /// Gives html5ever `text`, checking its limits every [`PARSE_CHUNK`] bytes; false once
    /// over one.
    fn write(&mut self, text: &str) -> bool {
        if text.is_empty() {
            return true;
        }
        if let Some(copy) = &mut self.copy {
            copy.push_str(text);
        }
        self.queue.push_back(StrTendril::from_slice(text));
        // html5ever pauses after each `</script>`, for a browser to run the script.
        while !matches!(self.tokenizer.feed(&self.queue), TokenizerResult::Done) {}
        self.unchecked += text.len();
        if self.unchecked < PARSE_CHUNK {
            return true;
        }
        self.unchecked = 0;
        self.within_limits()
    }

    /// Gives html5ever the source up to `at`, then `with` instead of the source up to
    /// `resume`; false once over a limit.
    fn replace(&mut self, at: usize, with: &str, resume: usize) -> bool {
        if !self.read(at) {
            return false;
        }
        let read = &self.source[..self.read];
        self.copy.get_or_insert_with(|| read.to_string());
        self.read = resume;
        self.write(with)
    }

    fn within_limits(&mut self) -> bool {
        let watch = &self.tokenizer.sink;
        let handles = Handles::default();
        watch.builder.trace_handles(&handles);
        let handles = handles.0.into_inner();
        let sink = &watch.builder.sink;
        // Each formatting start tag read since the last check was compared with every
        // formatting element of its name the tree builder holds.
        let held = {
            let html = sink.html.0.borrow();
            let mut held = [(0, 0); FORMATTING_ELEMENTS.len()];
            for id in &handles {
                if let Some(Node::Element(e)) = html.tree.get(*id).map(|n| n.value())
                    && e.name.ns == ns!(html)
                    && let Some(k) = formatting_index(&e.name.local)
                {
                    held[k].0 += 1;
                    held[k].1 += 1 + e.attrs().count();
                }
            }
            held
        };
        for (k, (tags, attributes)) in watch.formatting.take().into_iter().enumerate() {
            let (elements, weight) = held[k];
            self.formatting_work = self
                .formatting_work
                .saturating_add(tags * weight + attributes * elements);
        }
        handles.len() <= MAX_OPEN_ELEMENTS
            && self.formatting_work <= self.formatting_budget
            && sink.within_limits()
    }

    fn finish(self, cut: bool) -> ParsedHtml<'a> {
        let Parse {
            tokenizer,
            source,
            read,
            copy,
            ..
        } = self;
        tokenizer.end();
        let sink = tokenizer.sink.builder.sink;
        let cut = cut || !sink.serialisable();
        ParsedHtml {
            html: sink.html.finish(),
            cut,
            source: copy.map_or(Cow::Borrowed(&source[..read]), Cow::Owned),
        }
    }
}

/// The index of a formatting element's name in [`FORMATTING_ELEMENTS`].
fn formatting_index(name: &LocalName) -> Option<usize> {
    FORMATTING_ELEMENTS.iter().position(|f| *f == &**name)
}

/// Collects the handles html5ever's tree builder holds: its open elements and its list of
/// formatting elements (plus the document, and `<head>` and `<form>` once seen).
#[derive(Default)]
struct Handles(RefCell<Vec<NodeId>>);

impl Tracer for Handles {
    type Handle = NodeId;

    fn trace_handle(&self, id: &NodeId) {
        self.0.borrow_mut().push(*id);
    }
}

/// What the tree builder switches the tokenizer to after a start tag.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum RawText {
    /// RCDATA or RAWTEXT: text up to the element's end tag.
    Text,
    Script,
    /// Text to the end of the source.
    Plaintext,
}

/// Passes html5ever's tokens to its tree builder, noting the raw-text switches the tree
/// builder asks for and the formatting start tags it is given.
struct Watch<B> {
    builder: B,
    switched: Cell<Option<RawText>>,
    /// Per formatting element name: start tags, and their attributes.
    formatting: Cell<[(usize, usize); FORMATTING_ELEMENTS.len()]>,
}

impl<B> Watch<B> {
    fn new(builder: B) -> Self {
        Watch {
            builder,
            switched: Cell::new(None),
            formatting: Cell::new([(0, 0); FORMATTING_ELEMENTS.len()]),
        }
    }
}

impl<B: TokenSink> TokenSink for Watch<B> {
    type Handle = B::Handle;

    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<B::Handle> {
        if let TagToken(tag) = &token
            && tag.kind == StartTag
            && let Some(k) = formatting_index(&tag.name)
        {
            let mut counts = self.formatting.get();
            counts[k].0 += 1;
            counts[k].1 += tag.attrs.len();
            self.formatting.set(counts);
        }
        let result = self.builder.process_token(token, line);
        match result {
            TokenSinkResult::RawData(RawKind::ScriptData) => {
                self.switched.set(Some(RawText::Script))
            }
            TokenSinkResult::RawData(_) => self.switched.set(Some(RawText::Text)),
            TokenSinkResult::Plaintext => self.switched.set(Some(RawText::Plaintext)),
            _ => {}
        }
        result
    }

    fn end(&self) {
        self.builder.end();
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.builder
            .adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// scraper's tree sink, counting what the tree takes and, for a fragment, the work ammonia's
/// own tree would do on the same calls: it finds a node among its siblings by walking them
/// from the first, and hashes all of an element's attributes to add one.
struct Sink {
    html: HtmlTreeSink,
    input: HtmlInput,
    source_len: usize,
    /// Attributes in the tree.
    attributes: Cell<usize>,
    /// The elements html5ever created as MathML `annotation-xml` integration points; it asks
    /// the sink, and ammonia's sink answers, so this one must too.
    integration_points: RefCell<HashSet<NodeId>>,
    /// Distinct class names beyond html5ever's built-in names: selectors intern them.
    class_names: RefCell<HashSet<Box<str>>>,
    /// Attributes offered to `<html>` and `<body>` elements: ammonia's tree keeps them all.
    merged: Cell<usize>,
    ammonia_steps: Cell<usize>,
    ammonia_budget: usize,
    limits: Limits,
}

impl Sink {
    fn new(input: HtmlInput, source_len: usize, limits: Limits) -> Self {
        let html = match input {
            HtmlInput::Document => Html::new_document(),
            HtmlInput::Fragment => Html::new_fragment(),
        };
        Sink {
            html: HtmlTreeSink::new(html),
            input,
            source_len,
            attributes: Cell::new(0),
            integration_points: RefCell::default(),
            class_names: RefCell::default(),
            merged: Cell::new(0),
            ammonia_steps: Cell::new(0),
            ammonia_budget: work_budget(source_len, AMMONIA_STEPS_PER_BYTE, EXTRA_AMMONIA_STEPS),
            limits,
        }
    }

    fn memory(&self) -> usize {
        let nodes = self.html.0.borrow().tree.nodes().len();
        nodes * NODE_BYTES + self.attributes.get() * ATTRIBUTE_BYTES
    }

    fn memory_budget(&self) -> usize {
        work_budget(self.source_len, MEMORY_PER_BYTE, self.limits.extra_memory)
    }

    fn within_limits(&self) -> bool {
        self.memory() <= self.memory_budget() && self.ammonia_steps.get() <= self.ammonia_budget
    }

    /// Attributes for a new element or a merge: without classes beyond the limit of
    /// distinct new names, and none at all once the tree is over its memory (the parse
    /// stops at the end of the chunk).
    fn admit(&self, mut attrs: Vec<Attribute>) -> Vec<Attribute> {
        if self.memory() > self.memory_budget() {
            attrs.clear();
        }
        attrs.retain(|a| a.name.local != local_name!("class") || self.admit_classes(&a.value));
        self.attributes.set(self.attributes.get() + attrs.len());
        attrs
    }

    fn admit_classes(&self, value: &str) -> bool {
        let mut known = self.class_names.borrow_mut();
        // Selectors intern class names as they are written.
        value
            .split_ascii_whitespace()
            .all(|name| admit_name(&mut known, name, self.limits.names))
    }

    fn charge(&self, steps: usize) {
        if self.input == HtmlInput::Fragment {
            self.ammonia_steps
                .set(self.ammonia_steps.get().saturating_add(steps));
        }
    }

    /// Charges ammonia's search for `node` among its siblings.
    fn charge_search(&self, node: NodeId) {
        if self.input == HtmlInput::Fragment {
            let left = self.ammonia_budget.saturating_sub(self.ammonia_steps.get());
            let html = self.html.0.borrow();
            let before = html
                .tree
                .get(node)
                .map_or(0, |n| n.prev_siblings().take(left).count());
            self.charge(before + 1);
        }
    }

    /// Whether ammonia writes the fragment out within its budget: html5ever's serialiser
    /// scans from every `&` and U+0080–U+00BF to the next `<` or `>` (or `"` in an attribute),
    /// so a long text or value holding many costs time quadratic in its length.
    fn serialisable(&self) -> bool {
        if self.input == HtmlInput::Document {
            return true;
        }
        let html = self.html.0.borrow();
        let mut scanned = 0usize;
        for node in html.tree.nodes() {
            match node.value() {
                Node::Text(text) => scanned = scanned.saturating_add(escape_scan(text, false)),
                Node::Element(e) => {
                    for (_, value) in e.attrs() {
                        scanned = scanned.saturating_add(escape_scan(value, true));
                    }
                }
                _ => {}
            }
            if self.ammonia_steps.get() + scanned / SERIALISED_BYTES_PER_STEP > self.ammonia_budget
            {
                return false;
            }
        }
        true
    }
}

/// Bytes html5ever 0.40's serialiser scans to escape `text`: from every `&` and every 0xC2
/// byte it searches up to the next `<` or `>` (or `"` in an attribute), and again for the
/// escaped characters within.
fn escape_scan(text: &str, attribute: bool) -> usize {
    let mut next_stop = text.len();
    let mut scanned = 0usize;
    for (i, &b) in text.as_bytes().iter().enumerate().rev() {
        match b {
            b'<' | b'>' => next_stop = i,
            b'"' if attribute => next_stop = i,
            b'&' | 0xc2 => scanned = scanned.saturating_add(next_stop - i),
            _ => {}
        }
    }
    scanned
}

impl TreeSink for Sink {
    type Handle = NodeId;
    type Output = Html;
    type ElemName<'a> = Ref<'a, QualName>;

    fn finish(self) -> Html {
        self.html.finish()
    }

    /// Not kept: a hostile source can hold one per byte.
    fn parse_error(&self, _: Cow<'static, str>) {}

    fn get_document(&self) -> NodeId {
        self.html.get_document()
    }

    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Ref<'a, QualName> {
        self.html.elem_name(target)
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> NodeId {
        let integration_point = flags.mathml_annotation_xml_integration_point;
        let id = self.html.create_element(name, self.admit(attrs), flags);
        if integration_point {
            self.integration_points.borrow_mut().insert(id);
        }
        id
    }

    fn create_comment(&self, text: StrTendril) -> NodeId {
        self.html.create_comment(text)
    }

    fn create_pi(&self, target: StrTendril, data: StrTendril) -> NodeId {
        self.html.create_pi(target, data)
    }

    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        self.html.append(parent, child);
    }

    fn append_based_on_parent_node(
        &self,
        element: &NodeId,
        prev_element: &NodeId,
        child: NodeOrText<NodeId>,
    ) {
        let has_parent = self
            .html
            .0
            .borrow()
            .tree
            .get(*element)
            .is_some_and(|e| e.parent().is_some());
        if has_parent {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(
        &self,
        name: StrTendril,
        public_id: StrTendril,
        system_id: StrTendril,
    ) {
        self.html
            .append_doctype_to_document(name, public_id, system_id);
    }

    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        self.html.get_template_contents(target)
    }

    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        self.html.same_node(x, y)
    }

    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.html.set_quirks_mode(mode);
    }

    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        self.charge_search(*sibling);
        if let NodeOrText::AppendNode(node) = &new_node {
            self.charge_search(*node);
        }
        self.html.append_before_sibling(sibling, new_node);
    }

    fn add_attrs_if_missing(&self, target: &NodeId, mut attrs: Vec<Attribute>) {
        let merged = self.merged.get() + attrs.len();
        self.charge(merged.saturating_mul(STEPS_PER_HASHED_ATTRIBUTE));
        self.merged.set(merged);
        let present = match self.html.0.borrow().tree.get(*target).map(|n| n.value()) {
            Some(Node::Element(e)) => e.attrs().count(),
            _ => 0,
        };
        attrs.truncate(self.limits.attributes.saturating_sub(present));
        self.html.add_attrs_if_missing(target, self.admit(attrs));
    }

    fn remove_from_parent(&self, target: &NodeId) {
        self.charge_search(*target);
        self.html.remove_from_parent(target);
    }

    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        self.html.reparent_children(node, new_parent);
    }

    fn is_mathml_annotation_xml_integration_point(&self, handle: &NodeId) -> bool {
        self.integration_points.borrow().contains(handle)
    }
}

/// Whether html5ever interns `name` in string_cache's global table, whose lookups get slower
/// with every name in it: names of more than 7 bytes that are not built in.
fn is_interned(name: &str) -> bool {
    name.len() > 7 && LocalName::try_static(name).is_none()
}

/// Whether a parse that has interned the names in `known` may intern `name`: it is not
/// interned, was interned before, or there is room for one more.
fn admit_name(known: &mut HashSet<Box<str>>, name: &str, limit: usize) -> bool {
    if !is_interned(name) || known.contains(name) {
        return true;
    }
    if known.len() >= limit {
        return false;
    }
    known.insert(name.into());
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    #[test]
    fn classes_beyond_the_limit_are_left_out() {
        let limits = Limits { names: 2, ..LIMITS };
        let source = "<p class='first-class x'>a</p><p class='second-class'>b</p>\
                      <p class='third-class y'>c</p><p class='first-class'>d</p>";
        let parsed = parse_within(source, HtmlInput::Document, limits);
        let html = parsed.html.html();
        assert!(html.contains("<p>c</p>"), "{html}");
        assert!(html.contains("<p class=\"first-class\">d</p>"), "{html}");
    }

    #[test]
    fn merged_attributes_are_bounded() {
        let tags = |n| -> String {
            (0..n)
                .map(|i| {
                    let attrs: String = (0..300).map(|k| format!(" a{i}x{k}")).collect();
                    format!("<html{attrs}>")
                })
                .collect()
        };
        let few = tags(10);
        let parsed = parse_html(&few, HtmlInput::Document);
        let root = parsed.html.root_element();
        assert_eq!(root.value().attrs().count(), LIMITS.attributes);
        // ammonia's tree hashes every attribute already there again at each `<html>`.
        assert!(!parse_html(&few, HtmlInput::Fragment).cut);
        assert!(parse_html(&tags(200), HtmlInput::Fragment).cut);
    }

    #[test]
    fn memory_is_bounded() {
        let limits = Limits {
            extra_memory: 1 << 20,
            ..LIMITS
        };
        // Misnested formatting elements are re-created at every paragraph.
        let bombs: String = (0..100).map(|i| format!("<b id={i}>")).collect();
        let source = format!("<p>{bombs}</p>{}", "<p>x".repeat(20_000));
        let parsed = parse_within(&source, HtmlInput::Document, limits);
        assert!(parsed.cut);
        let nodes = parsed.html.tree.nodes().len();
        let budget = work_budget(source.len(), MEMORY_PER_BYTE, limits.extra_memory);
        // Past the budget, elements are created without attributes until the chunk ends.
        assert!(
            nodes * NODE_BYTES <= budget + PARSE_CHUNK * 200 * NODE_BYTES,
            "{nodes}"
        );
    }

    #[test]
    fn formatting_elements_compared_with_many_are_bounded() {
        let open: String = (0..100).map(|i| format!("<b id={i}>")).collect();
        let source = format!("{open}x{}", "<b></b>".repeat(200_000));
        assert!(parse_html(&source, HtmlInput::Document).cut);
        let few = format!("<b id=1><i>x{}", "<b></b>".repeat(200_000));
        assert!(!parse_html(&few, HtmlInput::Document).cut);
    }

    #[test]
    fn ammonia_costs_count_in_fragments_only() {
        // ammonia's tree finds the table among its siblings for every element put before it.
        let foster = format!("<table>{}", "<b></b>".repeat(50_000));
        // html5ever's serialiser scans to the end of the text from every `&`.
        let ampersands = format!("<div>{}</div>", "&amp;".repeat(100_000));
        for source in [foster, ampersands] {
            assert!(parse_html(&source, HtmlInput::Fragment).cut);
            assert!(!parse_html(&source, HtmlInput::Document).cut);
        }
        let ordinary = "<p>Tom &amp; Jerry&nbsp;&laquo;2&raquo;.</p>\n".repeat(10_000);
        assert!(!parse_html(&ordinary, HtmlInput::Fragment).cut);
    }

    #[test]
    fn annotation_xml_holds_html_as_in_ammonia() {
        let source = "<math><annotation-xml encoding=\"text/html\"><textarea><p>x</textarea>";
        let parsed = parse_html(source, HtmlInput::Fragment);
        let html = parsed.html.html();
        assert!(html.contains("<textarea>&lt;p&gt;x</textarea>"), "{html}");
    }

    #[test]
    fn escape_scan_follows_the_serialiser() {
        assert_eq!(escape_scan("abc", false), 0);
        assert_eq!(escape_scan("a&b<c&", false), 2 + 1);
        assert_eq!(escape_scan("\u{a0}\"x", true), 2);
        assert_eq!(escape_scan("\u{a0}\"x", false), 4);
    }

    #[test]
    fn html_parse_in_chunks_is_the_plain_parse() {
        let mut page = String::from("<!DOCTYPE html><html><head><title>T</title></head><body>");
        for i in 0..200 {
            let _ = write!(
                page,
                "<p class=\"p{i}\">Été {i}\r\n<b>bold <i>both</b> italic</i> &amp; &eacute; <a href=\"/x?a=1&b=2\">l</a></p>\r\n<table><td>{i}</table><!-- c --><script>if (a<b) x = '</p>';</script>"
            );
        }
        let parsed = parse_html(&page, HtmlInput::Document);
        assert!(!parsed.cut);
        assert!(matches!(parsed.source, std::borrow::Cow::Borrowed(_)));
        assert_eq!(
            parsed.html.html(),
            scraper::Html::parse_document(&page).html()
        );
    }

    #[test]
    fn html_parse_stops_at_its_limits() {
        let deep = "<div>".repeat(1000) + "deep";
        let parsed = parse_html(&deep, HtmlInput::Document);
        assert!(parsed.cut);
        let depth = parsed
            .html
            .tree
            .nodes()
            .map(|n| n.ancestors().count())
            .max();
        assert!(depth < Some(MAX_OPEN_ELEMENTS + PARSE_CHUNK), "{depth:?}");
    }
}
