//! What the office writes itself for a review, kept with it: the causes of the shortfalls
//! (section II), the directions and tasks ahead (section IV), and what the heading block and
//! the closing need that the data cannot tell — the document's number, the recipients, who
//! signs. Everything else in the review is computed; this is the one part a person drafts.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Which rule book a report's heading block and signature follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// A party committee's document (Hướng dẫn 36-HD/VPTW).
    Party,
    /// A state body's document, such as a people's committee's (Decree 30/2020/NĐ-CP).
    State,
}

impl Layout {
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Party => "party",
            Layout::State => "state",
        }
    }

    pub fn parse(s: &str) -> Option<Layout> {
        match s {
            "party" => Some(Layout::Party),
            "state" => Some(Layout::State),
            _ => None,
        }
    }
}

/// The office's own text for the review of `unit` at `as_of`. One per unit and date: saving
/// it again replaces it, as an office redrafts until the report is signed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReviewText {
    pub unit: String,
    pub as_of: NaiveDate,
    /// The document's number as the office registers it ("45-BC/HU"); blank in a draft.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Overrides the layout chosen from the issuing body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<Layout>,
    /// Overrides the issuing body's name derived from the unit ("HUYỆN ỦY LỤC NGẠN").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Overrides the superior body's name derived from the parent unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superior: Option<String>,
    /// The place on the place-date line; the unit's own name without its level by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// Causes of the shortfalls (section II), paragraphs separated by blank lines.
    #[serde(default)]
    pub causes: String,
    /// Directions and tasks ahead (section IV).
    #[serde(default)]
    pub directions: String,
    /// "Nơi nhận", one per line; empty: the defaults for the issuing body.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Who signs ("Nguyễn Văn A"); blank until known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// The signer's title ("BÍ THƯ", "PHÓ BÍ THƯ", "CHỦ TỊCH").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer_title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewTextError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
}

/// Longest text kept for a free-text field: a whole report section is far shorter, and a bound
/// keeps a pasted file from filling the database.
pub const MAX_TEXT: usize = 100_000;
const MAX_LINE: usize = 500;

impl ReviewText {
    pub fn new(unit: impl Into<String>, as_of: NaiveDate) -> ReviewText {
        ReviewText {
            unit: unit.into(),
            as_of,
            ..ReviewText::default()
        }
    }

    /// Trims every field, drops blank optional fields and blank recipients, and checks the
    /// lengths, naming the field at fault.
    pub fn normalised(mut self) -> Result<ReviewText, ReviewTextError> {
        fn opt(v: Option<String>) -> Option<String> {
            v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
        }
        fn line(field: &'static str, v: &Option<String>) -> Result<(), ReviewTextError> {
            match v {
                Some(s) if s.contains('\n') => Err(ReviewTextError::Invalid {
                    field,
                    message: "expected one line".into(),
                }),
                Some(s) if s.chars().count() > MAX_LINE => Err(ReviewTextError::Invalid {
                    field,
                    message: format!("expected at most {MAX_LINE} characters"),
                }),
                _ => Ok(()),
            }
        }
        self.number = opt(self.number);
        self.issuer = opt(self.issuer);
        self.superior = opt(self.superior);
        self.place = opt(self.place);
        self.signer = opt(self.signer);
        self.signer_title = opt(self.signer_title);
        for (field, v) in [
            ("number", &self.number),
            ("issuer", &self.issuer),
            ("superior", &self.superior),
            ("place", &self.place),
            ("signer", &self.signer),
            ("signer_title", &self.signer_title),
        ] {
            line(field, v)?;
        }
        self.causes = self.causes.trim().replace("\r\n", "\n");
        self.directions = self.directions.trim().replace("\r\n", "\n");
        for (field, v) in [("causes", &self.causes), ("directions", &self.directions)] {
            if v.chars().count() > MAX_TEXT {
                return Err(ReviewTextError::Invalid {
                    field,
                    message: format!("expected at most {MAX_TEXT} characters"),
                });
            }
        }
        let recipients: Vec<String> = self
            .recipients
            .iter()
            .flat_map(|r| r.lines())
            .map(|r| {
                r.trim()
                    .trim_start_matches(['-', '–', '•'])
                    .trim()
                    .to_string()
            })
            .filter(|r| !r.is_empty())
            .collect();
        for r in &recipients {
            line("recipients", &Some(r.clone()))?;
        }
        if recipients.len() > 100 {
            return Err(ReviewTextError::Invalid {
                field: "recipients",
                message: "expected at most 100 recipients".into(),
            });
        }
        self.recipients = recipients;
        Ok(self)
    }

    /// Nothing written: saving it is the same as having no text.
    pub fn is_empty(&self) -> bool {
        let ReviewText {
            unit: _,
            as_of: _,
            number,
            layout,
            issuer,
            superior,
            place,
            causes,
            directions,
            recipients,
            signer,
            signer_title,
        } = self;
        number.is_none()
            && layout.is_none()
            && issuer.is_none()
            && superior.is_none()
            && place.is_none()
            && causes.is_empty()
            && directions.is_empty()
            && recipients.is_empty()
            && signer.is_none()
            && signer_title.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2018, 6, 25).unwrap_or_default()
    }

    #[test]
    fn normalising_trims_and_splits_recipients() {
        let t = ReviewText {
            number: Some("  45-BC/HU ".into()),
            signer: Some("   ".into()),
            causes: "  Nguyên nhân.\r\n\r\nThứ hai. ".into(),
            recipients: vec![
                "- Ban Thường vụ Tỉnh ủy (b/c),\n\n- Lưu VP".into(),
                " ".into(),
            ],
            ..ReviewText::new("luc-ngan", date())
        }
        .normalised()
        .unwrap_or_default();
        assert_eq!(t.number.as_deref(), Some("45-BC/HU"));
        assert_eq!(t.signer, None);
        assert_eq!(t.causes, "Nguyên nhân.\n\nThứ hai.");
        assert_eq!(t.recipients, vec!["Ban Thường vụ Tỉnh ủy (b/c),", "Lưu VP"]);
        assert!(!t.is_empty());
    }

    #[test]
    fn a_field_that_must_be_one_line_is_named() {
        let err = ReviewText {
            signer_title: Some("BÍ THƯ\nPHÓ BÍ THƯ".into()),
            ..ReviewText::new("luc-ngan", date())
        }
        .normalised();
        assert_eq!(
            err,
            Err(ReviewTextError::Invalid {
                field: "signer_title",
                message: "expected one line".into()
            })
        );
    }

    #[test]
    fn blank_text_is_empty() {
        let t = ReviewText {
            causes: "  \n ".into(),
            ..ReviewText::new("luc-ngan", date())
        }
        .normalised();
        assert!(t.is_ok_and(|t| t.is_empty()));
    }
}
