//! Reporting periods (*kỳ báo cáo*): year, half-year, quarter, month.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A reporting period. Written `2018`, `2018-H1`, `2018-Q2`, `2018-06`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Year(i32),
    Half(i32, u8),
    Quarter(i32, u8),
    Month(i32, u8),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a period: expected a year (2018), a half (2018-H1), a quarter (2018-Q2) or a month (2018-06)")]
pub struct PeriodParseError(pub String);

impl Period {
    pub fn year(&self) -> i32 {
        match *self {
            Period::Year(y) | Period::Half(y, _) | Period::Quarter(y, _) | Period::Month(y, _) => y,
        }
    }

    /// Months covered: (first month, last month), 1-based.
    fn months(&self) -> (u32, u32) {
        match *self {
            Period::Year(_) => (1, 12),
            Period::Half(_, h) => {
                let first = (u32::from(h) - 1) * 6 + 1;
                (first, first + 5)
            }
            Period::Quarter(_, q) => {
                let first = (u32::from(q) - 1) * 3 + 1;
                (first, first + 2)
            }
            Period::Month(_, m) => (u32::from(m), u32::from(m)),
        }
    }

    pub fn start(&self) -> NaiveDate {
        let (first, _) = self.months();
        NaiveDate::from_ymd_opt(self.year(), first, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The last day of the period.
    pub fn end(&self) -> NaiveDate {
        let (_, last) = self.months();
        let (y, m) = if last == 12 {
            (self.year() + 1, 1)
        } else {
            (self.year(), last + 1)
        };
        NaiveDate::from_ymd_opt(y, m, 1)
            .and_then(|d| d.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    }

    pub fn is_year(&self) -> bool {
        matches!(self, Period::Year(_))
    }

    /// Length rank: a year outranks a half, a half a quarter, a quarter a month. Used to prefer
    /// the longer period when two end on the same day.
    pub fn span_rank(&self) -> u8 {
        match self {
            Period::Year(_) => 3,
            Period::Half(..) => 2,
            Period::Quarter(..) => 1,
            Period::Month(..) => 0,
        }
    }

    pub fn of_date_year(date: NaiveDate) -> Period {
        Period::Year(date.year())
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Half(y, h) => write!(f, "{y}-H{h}"),
            Period::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            Period::Month(y, m) => write!(f, "{y}-{m:02}"),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || PeriodParseError(s.to_string());
        let t = s.trim();
        let parse_year = |y: &str| -> Result<i32, PeriodParseError> {
            if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) {
                y.parse().map_err(|_| err())
            } else {
                Err(err())
            }
        };
        match t.split_once('-') {
            None => Ok(Period::Year(parse_year(t)?)),
            Some((y, rest)) => {
                let y = parse_year(y)?;
                let num = |x: &str, max: u8| -> Result<u8, PeriodParseError> {
                    match x.parse::<u8>() {
                        Ok(n) if (1..=max).contains(&n) => Ok(n),
                        _ => Err(err()),
                    }
                };
                if let Some(h) = rest.strip_prefix(['H', 'h']) {
                    Ok(Period::Half(y, num(h, 2)?))
                } else if let Some(q) = rest.strip_prefix(['Q', 'q']) {
                    Ok(Period::Quarter(y, num(q, 4)?))
                } else if rest.len() == 2 {
                    Ok(Period::Month(y, num(rest, 12)?))
                } else {
                    Err(err())
                }
            }
        }
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Periods order by their end, then the longer first. Compared on (year, month) pairs rather
/// than calendar dates: roll-ups sort millions of them.
impl Ord for Period {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let key = |p: &Period| {
            let (first, last) = p.months();
            (p.year(), last, std::cmp::Reverse(p.span_rank()), first)
        };
        key(self).cmp(&key(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_every_form() {
        for s in [
            "2018", "2018-H1", "2018-H2", "2018-Q4", "2018-06", "2018-12",
        ] {
            let p: Period = s.parse().unwrap();
            assert_eq!(p.to_string(), s);
        }
    }

    #[test]
    fn rejects_bad_periods() {
        for s in [
            "18", "2018-H3", "2018-Q5", "2018-13", "2018-1", "abcd", "", "2018-X1",
        ] {
            assert!(s.parse::<Period>().is_err(), "{s} should be refused");
        }
    }

    #[test]
    fn bounds() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(Period::Year(2018).start(), d(2018, 1, 1));
        assert_eq!(Period::Year(2018).end(), d(2018, 12, 31));
        assert_eq!(Period::Half(2018, 1).end(), d(2018, 6, 30));
        assert_eq!(Period::Quarter(2018, 3).start(), d(2018, 7, 1));
        assert_eq!(Period::Month(2016, 2).end(), d(2016, 2, 29));
    }

    #[test]
    fn order_by_end_then_longer_first() {
        let mut v: Vec<Period> = ["2018-12", "2018", "2018-Q4", "2017", "2018-H1"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        v.sort();
        let s: Vec<String> = v.iter().map(|p| p.to_string()).collect();
        assert_eq!(s, ["2017", "2018-H1", "2018", "2018-Q4", "2018-12"]);
    }
}
