//! Puts the children of property elements in the order the OOXML schema gives them.
//!
//! docx-rs writes, for instance, a paragraph's run properties (`w:rPr`) first in its
//! `w:pPr`, and a run's size before its bold; the schema (ECMA-376, Part 1, §17.3.1.26 and
//! §17.3.2.28) has them as sequences. LibreOffice does not mind, but Microsoft Word and the
//! Open XML SDK's validator check the order of some of these elements, and docx-rs' own
//! tracker reports files that Word asked to repair (bokuweb/docx-rs#724). The elements are
//! moved, never changed: every byte of each one is kept as docx-rs wrote it.

use quick_xml::events::Event;
use quick_xml::Reader;

/// The schema's order of the children of the elements we reorder (local names, `w:`
/// namespace); a child not listed keeps its place after the listed ones.
fn order_of(parent: &[u8]) -> Option<&'static [&'static str]> {
    Some(match parent {
        b"pPr" => &[
            "pStyle",
            "keepNext",
            "keepLines",
            "pageBreakBefore",
            "framePr",
            "widowControl",
            "numPr",
            "suppressLineNumbers",
            "pBdr",
            "shd",
            "tabs",
            "suppressAutoHyphens",
            "kinsoku",
            "wordWrap",
            "overflowPunct",
            "topLinePunct",
            "autoSpaceDE",
            "autoSpaceDN",
            "bidi",
            "adjustRightInd",
            "snapToGrid",
            "spacing",
            "ind",
            "contextualSpacing",
            "mirrorIndents",
            "suppressOverlap",
            "jc",
            "textDirection",
            "textAlignment",
            "textboxTightWrap",
            "outlineLvl",
            "divId",
            "cnfStyle",
            "rPr",
            "sectPr",
            "pPrChange",
        ],
        b"rPr" => &[
            "ins",
            "del",
            "moveFrom",
            "moveTo",
            "rStyle",
            "rFonts",
            "b",
            "bCs",
            "i",
            "iCs",
            "caps",
            "smallCaps",
            "strike",
            "dstrike",
            "outline",
            "shadow",
            "emboss",
            "imprint",
            "noProof",
            "snapToGrid",
            "vanish",
            "webHidden",
            "color",
            "spacing",
            "w",
            "kern",
            "position",
            "sz",
            "szCs",
            "highlight",
            "u",
            "effect",
            "bdr",
            "shd",
            "fitText",
            "vertAlign",
            "rtl",
            "cs",
            "em",
            "lang",
            "eastAsianLayout",
            "specVanish",
            "oMath",
            "rPrChange",
        ],
        b"tcPr" => &[
            "cnfStyle",
            "tcW",
            "gridSpan",
            "hMerge",
            "vMerge",
            "tcBorders",
            "shd",
            "noWrap",
            "tcMar",
            "textDirection",
            "tcFitText",
            "vAlign",
            "hideMark",
            "headers",
            "cellIns",
            "cellDel",
            "cellMerge",
            "tcPrChange",
        ],
        b"tblPr" => &[
            "tblStyle",
            "tblpPr",
            "tblOverlap",
            "bidiVisual",
            "tblStyleRowBandSize",
            "tblStyleColBandSize",
            "tblW",
            "jc",
            "tblCellSpacing",
            "tblInd",
            "tblBorders",
            "shd",
            "tblLayout",
            "tblCellMar",
            "tblLook",
            "tblCaption",
            "tblDescription",
            "tblPrChange",
        ],
        b"pBdr" => &["top", "left", "bottom", "right", "between", "bar"],
        b"tblBorders" => &[
            "top", "left", "start", "bottom", "right", "end", "insideH", "insideV",
        ],
        _ => return None,
    })
}

/// An element or other piece of the document, as byte ranges of the original.
struct Node {
    /// The start tag (or the whole of an empty element, or a text, comment...).
    head: (usize, usize),
    /// The end tag of an element with content.
    tail: Option<(usize, usize)>,
    /// The local name of an element; empty for anything else.
    name: Vec<u8>,
    children: Vec<Node>,
}

fn local(qname: &[u8]) -> Vec<u8> {
    match qname.iter().position(|b| *b == b':') {
        Some(i) => qname[i + 1..].to_vec(),
        None => qname.to_vec(),
    }
}

/// `xml` with the children of `w:pPr`, `w:rPr`, `w:tcPr`, `w:tblPr` and the border lists in
/// schema order; `None` when it does not parse (the caller keeps the original).
pub(super) fn reorder(xml: &[u8]) -> Option<Vec<u8>> {
    let mut reader = Reader::from_reader(xml);
    let config = reader.config_mut();
    config.trim_text(false);
    config.check_end_names = true;
    config.expand_empty_elements = false;
    // The stack of open elements; the bottom one holds the top-level nodes.
    let mut stack: Vec<Node> = vec![Node {
        head: (0, 0),
        tail: None,
        name: Vec::new(),
        children: Vec::new(),
    }];
    loop {
        let start = usize::try_from(reader.buffer_position()).ok()?;
        let event = reader.read_event().ok()?;
        let end = usize::try_from(reader.buffer_position()).ok()?;
        match event {
            Event::Eof => break,
            Event::Start(e) => stack.push(Node {
                head: (start, end),
                tail: None,
                name: local(e.name().as_ref()),
                children: Vec::new(),
            }),
            Event::End(_) => {
                let mut node = stack.pop()?;
                node.tail = Some((start, end));
                stack.last_mut()?.children.push(node);
            }
            Event::Empty(e) => stack.last_mut()?.children.push(Node {
                head: (start, end),
                tail: None,
                name: local(e.name().as_ref()),
                children: Vec::new(),
            }),
            _ => stack.last_mut()?.children.push(Node {
                head: (start, end),
                tail: None,
                name: Vec::new(),
                children: Vec::new(),
            }),
        }
    }
    let [root] = &mut stack[..] else {
        return None;
    };
    let mut out = Vec::with_capacity(xml.len());
    for child in &mut root.children {
        write(xml, child, &mut out);
    }
    Some(out)
}

fn write(xml: &[u8], node: &mut Node, out: &mut Vec<u8>) {
    out.extend_from_slice(&xml[node.head.0..node.head.1]);
    if let Some(order) = order_of(&node.name) {
        let rank = |n: &Node| {
            order
                .iter()
                .position(|o| o.as_bytes() == n.name.as_slice())
                .unwrap_or(order.len())
        };
        // Stable: children of equal rank (and anything unknown) keep their order.
        node.children.sort_by_key(rank);
    }
    for child in &mut node.children {
        write(xml, child, out);
    }
    if let Some((a, b)) = node.tail {
        out.extend_from_slice(&xml[a..b]);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn properties_take_the_schema_order_and_nothing_else_changes() {
        let xml = br#"<?xml version="1.0"?><w:document xmlns:w="x"><w:body><w:p w14:paraId="1"><w:pPr><w:rPr><w:sz w:val="2" /></w:rPr><w:jc w:val="center" /><w:spacing w:before="0" /><w:keepNext /></w:pPr><w:r><w:rPr><w:sz w:val="26" /><w:b /><w:rFonts w:ascii="T" /></w:rPr><w:t xml:space="preserve"> a &amp; b </w:t></w:r></w:p></w:body></w:document>"#;
        let out = String::from_utf8(reorder(xml).unwrap()).unwrap();
        assert_eq!(
            out,
            r#"<?xml version="1.0"?><w:document xmlns:w="x"><w:body><w:p w14:paraId="1"><w:pPr><w:keepNext /><w:spacing w:before="0" /><w:jc w:val="center" /><w:rPr><w:sz w:val="2" /></w:rPr></w:pPr><w:r><w:rPr><w:rFonts w:ascii="T" /><w:b /><w:sz w:val="26" /></w:rPr><w:t xml:space="preserve"> a &amp; b </w:t></w:r></w:p></w:body></w:document>"#
        );
        assert_eq!(out.len(), xml.len());
    }

    #[test]
    fn what_does_not_parse_is_left_to_the_caller() {
        assert!(reorder(b"<a><b></a>").is_none());
    }
}
