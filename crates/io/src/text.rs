//! Text and number conventions shared by the formats.

use std::str::FromStr;

use rust_decimal::Decimal;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Unicode NFC: "Lục Ngạn" typed with combining accents equals the precomposed one.
pub(crate) fn nfc(s: &str) -> String {
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => s.to_string(),
        _ => s.nfc().collect(),
    }
}

/// [`nfc`] without a copy when the text is already NFC (almost always).
pub(crate) fn nfc_cow(s: &str) -> std::borrow::Cow<'_, str> {
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => s.into(),
        _ => s.nfc().collect::<String>().into(),
    }
}

/// What a decimal written as text must look like.
pub(crate) const DECIMAL_EXPECTED: &str =
    "a number with a dot as decimal separator, such as 41.3 or -2";

/// A decimal written as text: optional sign, digits, optionally a dot and digits. No
/// exponent, no thousands separators, no decimal comma. The value is exact (an error if it
/// has more digits than a decimal holds) and normalised (`41.30` is `41.3`).
pub(crate) fn parse_decimal_text(s: &str) -> Option<Decimal> {
    let t = s.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || !frac.is_none_or(all_digits) {
        return None;
    }
    let t = t.strip_prefix('+').unwrap_or(t);
    Decimal::from_str_exact(t).ok().map(|d| d.normalize())
}

/// A float as read from TOML, exactly as its shortest round-trip decimal form (`41.3`, not
/// `41.29999999999999715782905696`).
pub(crate) fn decimal_from_f64(f: f64) -> Result<Decimal, String> {
    if !f.is_finite() {
        return Err(format!("expected a finite number, found {f}"));
    }
    let s = format!("{f}");
    Decimal::from_str_exact(&s)
        .map(|d| d.normalize())
        .map_err(|_| format!("{s} has more digits than a decimal holds (at most 28 decimal places and 29 digits)"))
}

/// The TOML form of a decimal: an integer when integral (and within TOML's 64 bits), a float
/// when the float's shortest form reads back as the same decimal, otherwise a string.
pub(crate) fn decimal_to_toml(d: Decimal) -> String {
    let d = d.normalize();
    let text = d.to_string();
    if d.scale() == 0 {
        if let Ok(i) = i64::from_str(&text) {
            return i.to_string();
        }
    } else if let Ok(f) = f64::from_str(&text) {
        if let Ok(back) = decimal_from_f64(f) {
            let s = format!("{f}");
            if back == d && back.scale() == d.scale() && s.contains('.') {
                return s;
            }
        }
    }
    format!("\"{text}\"")
}

/// The text form of a decimal (CSV): normalised, plain digits.
pub(crate) fn decimal_to_text(d: Decimal) -> String {
    d.normalize().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn decimal_text_is_strict() {
        assert_eq!(parse_decimal_text("41.30"), Some(dec("41.3")));
        assert_eq!(parse_decimal_text(" -2 "), Some(dec("-2")));
        assert_eq!(parse_decimal_text("+2.5"), Some(dec("2.5")));
        for bad in [
            "12,5", "1e5", "", "-", ".5", "5.", "1 000", "abc", "0x10", "1.2.3",
        ] {
            assert_eq!(parse_decimal_text(bad), None, "{bad}");
        }
        assert_eq!(
            parse_decimal_text("-0.00").map(|d| d.to_string()),
            Some("0".into())
        );
    }

    #[test]
    fn decimal_toml_forms() {
        assert_eq!(decimal_to_toml(dec("37")), "37");
        assert_eq!(decimal_to_toml(dec("37.000")), "37");
        assert_eq!(decimal_to_toml(dec("41.30")), "41.3");
        assert_eq!(decimal_to_toml(dec("-0.5")), "-0.5");
        assert_eq!(
            decimal_to_toml(dec("1234567890.123456789")),
            "\"1234567890.123456789\""
        );
        assert_eq!(
            decimal_to_toml(dec("123456789012345678901234")),
            "\"123456789012345678901234\""
        );
        assert_eq!(decimal_to_toml(dec("0.0000001")), "0.0000001");
    }

    #[test]
    fn floats_read_as_their_shortest_form() {
        assert_eq!(decimal_from_f64(41.3), Ok(dec("41.3")));
        assert_eq!(decimal_from_f64(0.1 + 0.2), Ok(dec("0.30000000000000004")));
        assert!(decimal_from_f64(f64::NAN).is_err());
        assert!(decimal_from_f64(f64::INFINITY).is_err());
        assert!(decimal_from_f64(1e300).is_err());
    }

    #[test]
    fn nfc_composes() {
        assert_eq!(nfc("Lu\u{0323}c Nga\u{0323}n"), "Lục Ngạn");
    }
}
