//! Formulas of derived indicators.
//!
//! A derived indicator is computed from base indicators *after* their figures have been added
//! up over the units, never by averaging the units' own results. For forest cover, the
//! district's figure is the sum of the communes' forest areas divided by the sum of their
//! natural areas, times 100 — not the average of the communes' percentages, which would weigh
//! a tiny commune as much as a large one. This module only parses and evaluates formulas; the
//! roll-up (`rollup.rs`) aggregates the inputs and hands them over.
//!
//! # Syntax
//!
//! ```text
//! forest_area / natural_area * 100
//! pct(village_heads_party_members, villages)
//! [forest-area] / [natural-area] × 100
//! if(villages > 0, round(pct(heads, villages), 1), 0)
//! ```
//!
//! - **Indicator ids.** A plain id is a letter or `_` followed by letters, digits or `_`
//!   (Vietnamese letters included: `diện_tích_rừng`). Any other id — with a hyphen, a dot or a
//!   space — is written in square brackets: `[forest-area]`, `[ntm.criteria 19]`. Without
//!   brackets `forest-area` would read as `forest` minus `area`. `x` and `[x]` are the same
//!   input. `and` and `or` are words of the language, so indicators with those ids need
//!   brackets.
//! - **Numbers** are written with a dot for decimals: `100`, `0.5`, `41.3`. There is no
//!   exponent and no thousands separator.
//! - **Operators**, loosest first: `or`; `and`; comparisons `<` `<=` `>` `>=` `==` `!=` (also
//!   `=`, `<>`, `≤`, `≥`, `≠`), which give 1 or 0 and do not chain; `+` `-`; `*` `/` (also `×`,
//!   `÷`); unary minus (also `−`). Parentheses group. Whitespace is free.
//! - **Functions** (names in any case): `if(condition, then, else)`; `pct(a, b)` = a / b × 100;
//!   `min(a, b, ...)` and `max(a, b, ...)` with two or more arguments; `abs(x)`;
//!   `round(x, places)`, where `places` is a whole number from 0 to 10 written as is, rounding
//!   halves away from zero (2.25 → 2.3, not 2.2 as banker's rounding would). Arguments are separated by `,`
//!   or `;` (as in Excel with Vietnamese regional settings).
//!
//! A mistake is reported at its column, counted in characters from 1, e.g. for `(a + b`:
//! ``column 7: expected `)` to close the `(` at column 1, found the end of the formula``.
//!
//! # Values
//!
//! A formula has a value or "no value" with a reason ([`NoValue`]): an input without a figure,
//! a division by zero or a result too large. Never a panic, never NaN or infinity as a value.
//! A condition is true when it is not 0. `if`, `and` and `or` look only at what they need: in
//! `if(villages > 0, heads / villages, 0)` nothing is divided when there are no villages, and a
//! missing input in the branch not taken does not matter.
//!
//! [`Formula::eval`] computes exactly over decimals. [`Formula::eval_f64`] and
//! [`Formula::eval_columns`] compute in binary floating point for bulk roll-ups; there,
//! values within a relative 10⁻¹¹ of each other compare equal and count as a midpoint when
//! rounding, so that a figure computed as 41.29999999999999 is judged as the 41.3 it is.
//!
//! ```
//! use chitieu_domain::formula::Formula;
//! use chitieu_domain::Decimal;
//!
//! let f = Formula::parse("forest_area / natural_area * 100").unwrap();
//! assert_eq!(f.inputs(), ["forest_area", "natural_area"]);
//! // Two communes: 10 ha of forest out of 100, 90 out of 300 — added up first.
//! let sum = |id: &str| match id {
//!     "forest_area" => Some(Decimal::from(10 + 90)),
//!     "natural_area" => Some(Decimal::from(100 + 300)),
//!     _ => None,
//! };
//! assert_eq!(f.eval(sum), Ok(Decimal::from(25)));
//!
//! let err = Formula::parse("(forest_area / natural_area * 100").unwrap_err();
//! assert_eq!(err.column, 34);
//! ```

use std::cmp::Ordering;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

#[cfg(test)]
mod tests;

/// Parentheses, unary minus and calls inside one another. The parser recurses once per level,
/// so the limit keeps hostile input from exhausting the stack.
const MAX_NESTING: usize = 100;
/// Depth of the parsed tree, which evaluation and `Display` walk recursively; a left-leaning
/// chain `a + b + ...` grows it without nesting. A sum of a few hundred ids stays well below.
const MAX_DEPTH: u32 = 1000;
const MAX_ROUND_PLACES: u32 = 10;
/// Relative tolerance of the binary paths: a few thousand ulps, room for the error of summing
/// many figures before the formula, far below any difference that figures with a few decimals
/// can make.
const APPROX: f64 = 1e-11;
/// Rows evaluated together by `eval_columns`: long enough for the per-node loops to vectorise,
/// short enough for every node's lanes to stay in cache.
const CHUNK: usize = 256;

const FUNCTIONS: &str = "if, pct, min, max, abs and round";

/// A formula that could not be parsed, with the column of the mistake (1-based, in characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct FormulaError {
    pub column: usize,
    pub message: String,
}

/// Why a formula has no value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoValue {
    /// An input has no figure (for the binary paths: NaN or infinite).
    #[error("input `{0}` has no figure")]
    MissingInput(String),
    /// The divisor, an input id or the divisor's text in the formula, is 0.
    #[error("division by zero (`{divisor}` is 0)")]
    DivisionByZero { divisor: String },
    /// The expression, as written in the formula, whose result is too large.
    #[error("`{expression}` is too large to compute")]
    Overflow { expression: String },
}

/// A parsed formula.
///
/// `Display` writes it in canonical form (single spaces, lower-case function names, no
/// unneeded parentheses), which parses back to the same formula; [`Formula::source`] keeps the
/// text as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    source: String,
    inputs: Vec<String>,
    /// Post-order: every node's operands come before it, so that `eval_columns` can compute the
    /// nodes in sequence.
    nodes: Vec<Node>,
    root: usize,
}

#[derive(Debug, Clone, PartialEq)]
struct Node {
    op: Op,
    /// Byte range in the source, for the reasons of `NoValue`.
    text: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    /// A constant, parsed once into both representations.
    Num(Decimal, f64),
    Input(usize),
    Neg(usize),
    Abs(usize),
    Round(usize, u32),
    Arith(Arith, usize, usize),
    Pct(usize, usize),
    Cmp(Cmp, usize, usize),
    And(usize, usize),
    Or(usize, usize),
    If(usize, usize, usize),
    /// `min(a, b, c)` is kept as `min(min(a, b), c)`: same value, same first missing input.
    Min(usize, usize),
    Max(usize, usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arith {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Cmp {
    fn holds(self, o: Ordering) -> bool {
        match self {
            Cmp::Lt => o == Ordering::Less,
            Cmp::Le => o != Ordering::Greater,
            Cmp::Gt => o == Ordering::Greater,
            Cmp::Ge => o != Ordering::Less,
            Cmp::Eq => o == Ordering::Equal,
            Cmp::Ne => o != Ordering::Equal,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
            Cmp::Eq => "==",
            Cmp::Ne => "!=",
        }
    }
}

impl Formula {
    /// Parses a formula; the error names the column of the first mistake.
    pub fn parse(src: &str) -> Result<Formula, FormulaError> {
        if src.trim().is_empty() {
            return Err(error_at(0, "the formula is empty"));
        }
        let mut p = Parser::new(src)?;
        let e = p.expr()?;
        if p.tok.kind != Tok::End {
            return Err(p.trailing());
        }
        Ok(Formula {
            source: src.to_string(),
            inputs: p.inputs,
            nodes: p.nodes,
            root: e.node,
        })
    }

    /// The distinct indicator ids the formula uses, in order of first appearance.
    pub fn inputs(&self) -> &[String] {
        &self.inputs
    }

    /// The formula as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Exact evaluation over decimals; `lookup` gives an input's figure, or `None` when it has
    /// none. The result is normalised (no trailing zeros).
    pub fn eval(&self, lookup: impl Fn(&str) -> Option<Decimal>) -> Result<Decimal, NoValue> {
        let mut input = |k: usize| self.inputs.get(k).and_then(|id| lookup(id));
        self.value(self.root, &mut input)
            .map(|v| v.normalize())
            .map_err(|f| self.explain(f))
    }

    /// Exact evaluation with the inputs' figures in the order of [`Formula::inputs`]; an input
    /// beyond the end of `values` has no figure.
    pub fn eval_values(&self, values: &[Option<Decimal>]) -> Result<Decimal, NoValue> {
        let mut input = |k: usize| values.get(k).copied().flatten();
        self.value(self.root, &mut input)
            .map(|v| v.normalize())
            .map_err(|f| self.explain(f))
    }

    /// Binary evaluation, for bulk roll-ups: the inputs' figures in the order of
    /// [`Formula::inputs`]; NaN, an infinity or an input beyond the end of `inputs` has no
    /// figure. The value is always finite.
    pub fn eval_f64(&self, inputs: &[f64]) -> Result<f64, NoValue> {
        let mut input = |k: usize| inputs.get(k).copied().filter(|v| v.is_finite());
        // `+ 0.0` turns -0 into 0, so that no report prints "-0".
        self.value(self.root, &mut input)
            .map(|v: f64| v + 0.0)
            .map_err(|f| self.explain(f))
    }

    /// Column-wise binary evaluation: `columns[i]` holds input `i` for every row; each row of
    /// `out` receives the formula's value, or NaN where it has none. Returns the number of rows
    /// without a value. The values are those of [`Formula::eval_f64`] row by row; as there, NaN,
    /// an infinity, a missing column or a row beyond a column's end has no figure.
    pub fn eval_columns(&self, columns: &[&[f64]], out: &mut [f64]) -> usize {
        let n = self.nodes.len();
        let mut lanes = vec![0.0; n * CHUNK];
        for (i, node) in self.nodes.iter().enumerate() {
            if let Op::Num(_, f) = node.op {
                lanes[i * CHUNK..(i + 1) * CHUNK].fill(f);
            }
        }
        let mut without = 0;
        for (c, out) in out.chunks_mut(CHUNK).enumerate() {
            let first = c * CHUNK;
            let len = out.len();
            for (i, node) in self.nodes.iter().enumerate() {
                let (done, rest) = lanes.split_at_mut(i * CHUNK);
                let dst = &mut rest[..len];
                let l = |j: usize| &done[j * CHUNK..j * CHUNK + len];
                match node.op {
                    Op::Num(..) => {}
                    Op::Input(k) => {
                        let column = columns.get(k).copied().unwrap_or(&[]);
                        match column.get(first..first + len) {
                            Some(src) => {
                                map1(dst, src, |x| if x.is_finite() { x } else { f64::NAN })
                            }
                            None => {
                                for (r, d) in dst.iter_mut().enumerate() {
                                    *d = column
                                        .get(first + r)
                                        .copied()
                                        .filter(|x| x.is_finite())
                                        .unwrap_or(f64::NAN);
                                }
                            }
                        }
                    }
                    Op::Neg(a) => map1(dst, l(a), |x| -x),
                    Op::Abs(a) => map1(dst, l(a), f64::abs),
                    Op::Round(a, p) => map1(dst, l(a), |x| round_f64(x, p)),
                    Op::Arith(Arith::Add, a, b) => map2(dst, l(a), l(b), |x, y| finite(x + y)),
                    Op::Arith(Arith::Sub, a, b) => map2(dst, l(a), l(b), |x, y| finite(x - y)),
                    Op::Arith(Arith::Mul, a, b) => map2(dst, l(a), l(b), |x, y| finite(x * y)),
                    Op::Arith(Arith::Div, a, b) => map2(dst, l(a), l(b), lane_div),
                    Op::Pct(a, b) => map2(dst, l(a), l(b), |x, y| finite(lane_div(x, y) * 100.0)),
                    Op::Cmp(op, a, b) => map2(dst, l(a), l(b), |x, y| {
                        if x.is_nan() || y.is_nan() {
                            f64::NAN
                        } else {
                            truth(op.holds(approx_cmp(x, y)))
                        }
                    }),
                    Op::And(a, b) => map2(dst, l(a), l(b), |x, y| {
                        if x.is_nan() {
                            f64::NAN
                        } else if x == 0.0 {
                            0.0
                        } else if y.is_nan() {
                            f64::NAN
                        } else {
                            truth(y != 0.0)
                        }
                    }),
                    Op::Or(a, b) => map2(dst, l(a), l(b), |x, y| {
                        if x.is_nan() {
                            f64::NAN
                        } else if x != 0.0 {
                            1.0
                        } else if y.is_nan() {
                            f64::NAN
                        } else {
                            truth(y != 0.0)
                        }
                    }),
                    Op::If(cond, a, b) => {
                        for (((d, &c), &x), &y) in dst.iter_mut().zip(l(cond)).zip(l(a)).zip(l(b)) {
                            *d = if c.is_nan() {
                                f64::NAN
                            } else if c != 0.0 {
                                x
                            } else {
                                y
                            };
                        }
                    }
                    Op::Min(a, b) => map2(dst, l(a), l(b), |x, y| {
                        if x.is_nan() || y.is_nan() {
                            f64::NAN
                        } else {
                            <f64 as Value>::min(x, y)
                        }
                    }),
                    Op::Max(a, b) => map2(dst, l(a), l(b), |x, y| {
                        if x.is_nan() || y.is_nan() {
                            f64::NAN
                        } else {
                            <f64 as Value>::max(x, y)
                        }
                    }),
                }
            }
            let root = &lanes[self.root * CHUNK..self.root * CHUNK + len];
            for (o, &v) in out.iter_mut().zip(root) {
                *o = v + 0.0;
                without += usize::from(v.is_nan());
            }
        }
        without
    }

    /// The scalar evaluator, shared by the exact and the binary paths so that both look at the
    /// same operands in the same order and fail for the same reason.
    fn value<V: Value>(
        &self,
        i: usize,
        input: &mut impl FnMut(usize) -> Option<V>,
    ) -> Result<V, Fault> {
        // Node indices come from the parser, which only refers to nodes it has pushed.
        Ok(match self.nodes[i].op {
            Op::Num(d, f) => V::constant(d, f),
            Op::Input(k) => input(k).ok_or(Fault::Missing(k))?,
            Op::Neg(a) => self.value(a, input)?.neg(),
            Op::Abs(a) => self.value(a, input)?.abs(),
            Op::Round(a, p) => self.value(a, input)?.round(p),
            Op::Arith(op, a, b) => {
                let x = self.value(a, input)?;
                let y = self.value(b, input)?;
                match op {
                    Arith::Add => x.add(y),
                    Arith::Sub => x.sub(y),
                    Arith::Mul => x.mul(y),
                    Arith::Div => divide(x, y, b)?,
                }
                .ok_or(Fault::Overflow(i))?
            }
            Op::Pct(a, b) => {
                let x = self.value(a, input)?;
                let y = self.value(b, input)?;
                divide(x, y, b)?
                    .and_then(|q| q.mul(V::hundred()))
                    .ok_or(Fault::Overflow(i))?
            }
            Op::Cmp(op, a, b) => {
                let x = self.value(a, input)?;
                let y = self.value(b, input)?;
                V::truth(op.holds(x.compare(y)))
            }
            Op::And(a, b) => {
                if self.value(a, input)?.is_zero() {
                    V::truth(false)
                } else {
                    V::truth(!self.value(b, input)?.is_zero())
                }
            }
            Op::Or(a, b) => {
                if !self.value(a, input)?.is_zero() {
                    V::truth(true)
                } else {
                    V::truth(!self.value(b, input)?.is_zero())
                }
            }
            Op::If(c, a, b) => {
                if !self.value(c, input)?.is_zero() {
                    self.value(a, input)?
                } else {
                    self.value(b, input)?
                }
            }
            Op::Min(a, b) => {
                let x = self.value(a, input)?;
                x.min(self.value(b, input)?)
            }
            Op::Max(a, b) => {
                let x = self.value(a, input)?;
                x.max(self.value(b, input)?)
            }
        })
    }

    fn explain(&self, fault: Fault) -> NoValue {
        match fault {
            Fault::Missing(k) => {
                NoValue::MissingInput(self.inputs.get(k).cloned().unwrap_or_default())
            }
            Fault::DivisionByZero(node) => NoValue::DivisionByZero {
                divisor: match self.nodes.get(node).map(|n| n.op) {
                    Some(Op::Input(k)) => self.inputs.get(k).cloned().unwrap_or_default(),
                    _ => self.text(node).to_string(),
                },
            },
            Fault::Overflow(node) => NoValue::Overflow {
                expression: self.text(node).to_string(),
            },
        }
    }

    fn text(&self, node: usize) -> &str {
        self.nodes
            .get(node)
            .and_then(|n| self.source.get(n.text.clone()))
            .unwrap_or("")
    }

    fn precedence(&self, i: usize) -> u8 {
        match self.nodes.get(i).map(|n| n.op) {
            Some(Op::Or(..)) => 1,
            Some(Op::And(..)) => 2,
            Some(Op::Cmp(..)) => 3,
            Some(Op::Arith(Arith::Add | Arith::Sub, ..)) => 4,
            Some(Op::Arith(Arith::Mul | Arith::Div, ..)) => 5,
            Some(Op::Neg(..)) => 6,
            _ => 7,
        }
    }

    fn write_node(&self, f: &mut fmt::Formatter<'_>, i: usize) -> fmt::Result {
        let Some(node) = self.nodes.get(i) else {
            return Ok(());
        };
        let p = self.precedence(i);
        match node.op {
            Op::Num(d, _) => write!(f, "{d}"),
            Op::Input(k) => {
                let id = self.inputs.get(k).map(String::as_str).unwrap_or("");
                if is_plain_id(id) {
                    f.write_str(id)
                } else {
                    write!(f, "[{id}]")
                }
            }
            Op::Neg(a) => {
                f.write_str("-")?;
                self.write_operand(f, a, self.precedence(a) < p)
            }
            Op::Arith(op, a, b) => {
                let symbol = match op {
                    Arith::Add => "+",
                    Arith::Sub => "-",
                    Arith::Mul => "*",
                    Arith::Div => "/",
                };
                self.write_binary(f, a, symbol, b, p, false)
            }
            Op::Cmp(op, a, b) => self.write_binary(f, a, op.symbol(), b, p, true),
            Op::And(a, b) => self.write_binary(f, a, "and", b, p, false),
            Op::Or(a, b) => self.write_binary(f, a, "or", b, p, false),
            Op::Abs(a) => self.write_call(f, "abs", &[a]),
            Op::Pct(a, b) => self.write_call(f, "pct", &[a, b]),
            Op::If(c, a, b) => self.write_call(f, "if", &[c, a, b]),
            Op::Round(a, places) => {
                f.write_str("round(")?;
                self.write_node(f, a)?;
                write!(f, ", {places})")
            }
            Op::Min(..) | Op::Max(..) => {
                let name = if matches!(node.op, Op::Min(..)) {
                    "min"
                } else {
                    "max"
                };
                // The left spine of the same function is one call as written: min(a, b, c).
                let mut args = Vec::new();
                let mut at = i;
                loop {
                    match self.nodes.get(at).map(|n| n.op) {
                        Some(Op::Min(a, b)) if name == "min" => {
                            args.push(b);
                            at = a;
                        }
                        Some(Op::Max(a, b)) if name == "max" => {
                            args.push(b);
                            at = a;
                        }
                        _ => {
                            args.push(at);
                            break;
                        }
                    }
                }
                args.reverse();
                self.write_call(f, name, &args)
            }
        }
    }

    /// `chain` marks the comparisons, which do not associate: their left operand needs
    /// parentheses at equal precedence too.
    fn write_binary(
        &self,
        f: &mut fmt::Formatter<'_>,
        a: usize,
        symbol: &str,
        b: usize,
        p: u8,
        chain: bool,
    ) -> fmt::Result {
        let left = self.precedence(a);
        self.write_operand(f, a, left < p || (chain && left == p))?;
        write!(f, " {symbol} ")?;
        self.write_operand(f, b, self.precedence(b) <= p)
    }

    fn write_operand(&self, f: &mut fmt::Formatter<'_>, i: usize, parens: bool) -> fmt::Result {
        if parens {
            f.write_str("(")?;
            self.write_node(f, i)?;
            f.write_str(")")
        } else {
            self.write_node(f, i)
        }
    }

    fn write_call(&self, f: &mut fmt::Formatter<'_>, name: &str, args: &[usize]) -> fmt::Result {
        write!(f, "{name}(")?;
        for (n, &a) in args.iter().enumerate() {
            if n > 0 {
                f.write_str(", ")?;
            }
            self.write_node(f, a)?;
        }
        f.write_str(")")
    }
}

impl fmt::Display for Formula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_node(f, self.root)
    }
}

impl FromStr for Formula {
    type Err = FormulaError;

    fn from_str(s: &str) -> Result<Formula, FormulaError> {
        Formula::parse(s)
    }
}

/// Why evaluation stopped, by index: cheap to return from deep inside a bulk evaluation; the
/// words are only put together for the caller.
#[derive(Debug, Clone, Copy)]
enum Fault {
    Missing(usize),
    /// The divisor's node.
    DivisionByZero(usize),
    /// The node whose result is too large.
    Overflow(usize),
}

/// Arithmetic of one representation. `None` means the result is too large.
trait Value: Copy {
    fn constant(d: Decimal, f: f64) -> Self;
    fn truth(b: bool) -> Self;
    fn hundred() -> Self;
    fn is_zero(self) -> bool;
    fn add(self, o: Self) -> Option<Self>;
    fn sub(self, o: Self) -> Option<Self>;
    fn mul(self, o: Self) -> Option<Self>;
    /// Only called with a divisor that is not zero.
    fn div(self, o: Self) -> Option<Self>;
    fn neg(self) -> Self;
    fn abs(self) -> Self;
    fn round(self, places: u32) -> Self;
    fn compare(self, o: Self) -> Ordering;

    /// The first of equal values, as both paths must pick the same one.
    fn min(self, o: Self) -> Self {
        if o.compare(self) == Ordering::Less {
            o
        } else {
            self
        }
    }

    fn max(self, o: Self) -> Self {
        if o.compare(self) == Ordering::Greater {
            o
        } else {
            self
        }
    }
}

fn divide<V: Value>(x: V, y: V, divisor: usize) -> Result<Option<V>, Fault> {
    if y.is_zero() {
        return Err(Fault::DivisionByZero(divisor));
    }
    Ok(x.div(y))
}

impl Value for Decimal {
    fn constant(d: Decimal, _: f64) -> Self {
        d
    }
    fn truth(b: bool) -> Self {
        if b {
            Decimal::ONE
        } else {
            Decimal::ZERO
        }
    }
    fn hundred() -> Self {
        Decimal::ONE_HUNDRED
    }
    fn is_zero(self) -> bool {
        Decimal::is_zero(&self)
    }
    fn add(self, o: Self) -> Option<Self> {
        self.checked_add(o)
    }
    fn sub(self, o: Self) -> Option<Self> {
        self.checked_sub(o)
    }
    fn mul(self, o: Self) -> Option<Self> {
        self.checked_mul(o)
    }
    fn div(self, o: Self) -> Option<Self> {
        self.checked_div(o)
    }
    fn neg(self) -> Self {
        -self
    }
    fn abs(self) -> Self {
        Decimal::abs(&self)
    }
    fn round(self, places: u32) -> Self {
        self.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
    }
    fn compare(self, o: Self) -> Ordering {
        self.cmp(&o)
    }
}

/// The binary path. Its operations are also those of `eval_columns`' lanes (there NaN stands
/// for "no value"), so the two agree to the bit.
impl Value for f64 {
    fn constant(_: Decimal, f: f64) -> Self {
        f
    }
    fn truth(b: bool) -> Self {
        truth(b)
    }
    fn hundred() -> Self {
        100.0
    }
    fn is_zero(self) -> bool {
        self == 0.0
    }
    fn add(self, o: Self) -> Option<Self> {
        Some(self + o).filter(|r| r.is_finite())
    }
    fn sub(self, o: Self) -> Option<Self> {
        Some(self - o).filter(|r| r.is_finite())
    }
    fn mul(self, o: Self) -> Option<Self> {
        Some(self * o).filter(|r| r.is_finite())
    }
    fn div(self, o: Self) -> Option<Self> {
        Some(self / o).filter(|r| r.is_finite())
    }
    fn neg(self) -> Self {
        -self
    }
    fn abs(self) -> Self {
        f64::abs(self)
    }
    fn round(self, places: u32) -> Self {
        round_f64(self, places)
    }
    fn compare(self, o: Self) -> Ordering {
        approx_cmp(self, o)
    }
}

fn truth(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

fn finite(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        f64::NAN
    }
}

fn lane_div(x: f64, y: f64) -> f64 {
    let q = x / y;
    // Written as one select, which vectorises, rather than a branch on the divisor.
    if y != 0.0 && q.is_finite() {
        q
    } else {
        f64::NAN
    }
}

/// Equal within the relative tolerance, so that binary noise does not flip a comparison that
/// is an equality in decimals.
fn approx_cmp(a: f64, b: f64) -> Ordering {
    if (a - b).abs() <= APPROX * a.abs().max(b.abs()) {
        Ordering::Equal
    } else if a < b {
        Ordering::Less
    } else {
        Ordering::Greater
    }
}

/// Half away from zero, like the decimal path; a value within the tolerance of a midpoint is
/// taken as the midpoint it stands for (41.25 computed as 41.249999999999993).
fn round_f64(x: f64, places: u32) -> f64 {
    let scale = 10f64.powi(places.min(MAX_ROUND_PLACES) as i32);
    let y = x * scale;
    // Beyond 2^52 every f64 is a whole number: nothing to round.
    if !y.is_finite() || y.abs() >= 4_503_599_627_370_496.0 {
        return x;
    }
    let floor = y.floor();
    let r = if (y - floor - 0.5).abs() <= APPROX * y.abs().max(1.0) {
        if y > 0.0 {
            floor + 1.0
        } else {
            floor
        }
    } else {
        y.round()
    };
    r / scale
}

fn map1(dst: &mut [f64], a: &[f64], f: impl Fn(f64) -> f64) {
    for (d, &x) in dst.iter_mut().zip(a) {
        *d = f(x);
    }
}

fn map2(dst: &mut [f64], a: &[f64], b: &[f64], f: impl Fn(f64, f64) -> f64) {
    for ((d, &x), &y) in dst.iter_mut().zip(a).zip(b) {
        *d = f(x, y);
    }
}

fn is_plain_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
        && !is_keyword(id)
}

fn is_keyword(word: &str) -> bool {
    word.eq_ignore_ascii_case("and") || word.eq_ignore_ascii_case("or")
}

fn error_at(col: usize, message: impl Into<String>) -> FormulaError {
    FormulaError {
        column: col + 1,
        message: message.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(Decimal, f64),
    Ident(String),
    Bracketed(String),
    LParen,
    RParen,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Cmp(Cmp),
    And,
    Or,
    End,
}

#[derive(Debug, Clone)]
struct Token {
    kind: Tok,
    /// 0-based, in characters.
    col: usize,
    /// Byte range in the source.
    start: usize,
    end: usize,
}

struct Lexer<'a> {
    src: &'a str,
    chars: Vec<(usize, char)>,
    pos: usize,
}

impl Lexer<'_> {
    fn byte(&self, pos: usize) -> usize {
        self.chars.get(pos).map_or(self.src.len(), |c| c.0)
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).map(|c| c.1)
    }

    fn next(&mut self) -> Result<Token, FormulaError> {
        while self.peek(0).is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
        let col = self.pos;
        let Some(c) = self.peek(0) else {
            return Ok(Token {
                kind: Tok::End,
                col,
                start: self.src.len(),
                end: self.src.len(),
            });
        };
        let mut len = 1;
        let kind = match c {
            '0'..='9' => return self.number(),
            '[' => return self.bracketed(),
            c if c == '_' || c.is_alphabetic() => {
                while self
                    .peek(len)
                    .is_some_and(|c| c == '_' || c.is_alphanumeric())
                {
                    len += 1;
                }
                let word: String = self.chars[self.pos..self.pos + len]
                    .iter()
                    .map(|c| c.1)
                    .collect();
                if word.eq_ignore_ascii_case("and") {
                    Tok::And
                } else if word.eq_ignore_ascii_case("or") {
                    Tok::Or
                } else {
                    Tok::Ident(word)
                }
            }
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            ',' | ';' => Tok::Comma,
            '+' => Tok::Plus,
            '-' | '−' => Tok::Minus,
            '*' | '×' => Tok::Star,
            '/' | '÷' => Tok::Slash,
            '≤' => Tok::Cmp(Cmp::Le),
            '≥' => Tok::Cmp(Cmp::Ge),
            '≠' => Tok::Cmp(Cmp::Ne),
            '<' => match self.peek(1) {
                Some('=') => {
                    len = 2;
                    Tok::Cmp(Cmp::Le)
                }
                Some('>') => {
                    len = 2;
                    Tok::Cmp(Cmp::Ne)
                }
                _ => Tok::Cmp(Cmp::Lt),
            },
            '>' => match self.peek(1) {
                Some('=') => {
                    len = 2;
                    Tok::Cmp(Cmp::Ge)
                }
                _ => Tok::Cmp(Cmp::Gt),
            },
            '=' => {
                if self.peek(1) == Some('=') {
                    len = 2;
                }
                Tok::Cmp(Cmp::Eq)
            }
            '!' if self.peek(1) == Some('=') => {
                len = 2;
                Tok::Cmp(Cmp::Ne)
            }
            '`' | '"' | '\'' | '“' | '”' => {
                return Err(error_at(
                    col,
                    format!("unexpected `{c}`: write an indicator id with other characters in brackets, like [forest-area]"),
                ));
            }
            ']' => return Err(error_at(col, "unexpected `]` without a `[`")),
            _ => return Err(error_at(col, format!("unexpected character `{c}`"))),
        };
        let start = self.byte(self.pos);
        self.pos += len;
        Ok(Token {
            kind,
            col,
            start,
            end: self.byte(self.pos),
        })
    }

    fn number(&mut self) -> Result<Token, FormulaError> {
        let col = self.pos;
        let start = self.byte(col);
        while self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.peek(0) == Some('.') {
            self.pos += 1;
            if !self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
                return Err(error_at(
                    self.pos,
                    "expected a digit after the decimal point",
                ));
            }
            while self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
        }
        let end = self.byte(self.pos);
        let text = &self.src[start..end];
        let too_big = || error_at(col, format!("the number `{text}` has too many digits"));
        let d = Decimal::from_str(text).map_err(|_| too_big())?;
        let f = text.parse::<f64>().map_err(|_| too_big())?;
        Ok(Token {
            kind: Tok::Num(d, f),
            col,
            start,
            end,
        })
    }

    fn bracketed(&mut self) -> Result<Token, FormulaError> {
        let col = self.pos;
        let start = self.byte(col);
        let mut len = 1;
        loop {
            match self.peek(len) {
                None => return Err(error_at(col, "this `[` is not closed: expected `]`")),
                Some(']') => break,
                Some(_) => len += 1,
            }
        }
        let id = self.src[self.byte(col + 1)..self.byte(col + len)]
            .trim()
            .to_string();
        if id.is_empty() {
            return Err(error_at(
                col,
                "expected an indicator id between `[` and `]`",
            ));
        }
        self.pos += len + 1;
        Ok(Token {
            kind: Tok::Bracketed(id),
            col,
            start,
            end: self.byte(self.pos),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Parser: precedence climbing, one function per level.

/// A parsed operand: its node and its extent in the source (with parentheses, unlike the
/// node's own text, so that an enclosing expression's text stays balanced).
#[derive(Debug, Clone, Copy)]
struct Expr {
    node: usize,
    start: usize,
    end: usize,
    col: usize,
}

#[derive(Debug, Clone, Copy)]
enum Fun {
    If,
    Pct,
    Min,
    Max,
    Abs,
    Round,
}

struct Parser<'a> {
    lex: Lexer<'a>,
    tok: Token,
    nodes: Vec<Node>,
    depth: Vec<u32>,
    inputs: Vec<String>,
    nesting: usize,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Result<Parser<'a>, FormulaError> {
        let mut lex = Lexer {
            src,
            chars: src.char_indices().collect(),
            pos: 0,
        };
        let tok = lex.next()?;
        Ok(Parser {
            lex,
            tok,
            nodes: Vec::new(),
            depth: Vec::new(),
            inputs: Vec::new(),
            nesting: 0,
        })
    }

    fn bump(&mut self) -> Result<Token, FormulaError> {
        let next = self.lex.next()?;
        Ok(std::mem::replace(&mut self.tok, next))
    }

    fn describe(&self, t: &Token) -> String {
        match t.kind {
            Tok::End => "the end of the formula".to_string(),
            _ => format!("`{}`", self.lex.src.get(t.start..t.end).unwrap_or("")),
        }
    }

    fn enter(&mut self, col: usize) -> Result<(), FormulaError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(error_at(
                col,
                format!("the formula is nested too deeply (more than {MAX_NESTING} levels)"),
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.nesting -= 1;
    }

    fn push(&mut self, op: Op, start: usize, end: usize, col: usize) -> Result<Expr, FormulaError> {
        let operands: &[usize] = match &op {
            Op::Num(..) | Op::Input(_) => &[],
            Op::Neg(a) | Op::Abs(a) | Op::Round(a, _) => &[*a],
            Op::Arith(_, a, b)
            | Op::Pct(a, b)
            | Op::Cmp(_, a, b)
            | Op::And(a, b)
            | Op::Or(a, b)
            | Op::Min(a, b)
            | Op::Max(a, b) => &[*a, *b],
            Op::If(c, a, b) => &[*c, *a, *b],
        };
        let depth = 1 + operands
            .iter()
            .map(|&o| self.depth.get(o).copied().unwrap_or(0))
            .max()
            .unwrap_or(0);
        if depth > MAX_DEPTH {
            return Err(error_at(
                col,
                format!(
                    "the formula is too long or nested too deeply (more than {MAX_DEPTH} levels)"
                ),
            ));
        }
        self.nodes.push(Node {
            op,
            text: start..end,
        });
        self.depth.push(depth);
        Ok(Expr {
            node: self.nodes.len() - 1,
            start,
            end,
            col,
        })
    }

    fn binary(&mut self, op: Op, l: Expr, r: Expr) -> Result<Expr, FormulaError> {
        self.push(op, l.start, r.end, l.col)
    }

    fn expr(&mut self) -> Result<Expr, FormulaError> {
        let mut l = self.and()?;
        while self.tok.kind == Tok::Or {
            self.bump()?;
            let r = self.and()?;
            l = self.binary(Op::Or(l.node, r.node), l, r)?;
        }
        Ok(l)
    }

    fn and(&mut self) -> Result<Expr, FormulaError> {
        let mut l = self.comparison()?;
        while self.tok.kind == Tok::And {
            self.bump()?;
            let r = self.comparison()?;
            l = self.binary(Op::And(l.node, r.node), l, r)?;
        }
        Ok(l)
    }

    fn comparison(&mut self) -> Result<Expr, FormulaError> {
        let l = self.additive()?;
        let Tok::Cmp(op) = self.tok.kind else {
            return Ok(l);
        };
        self.bump()?;
        let r = self.additive()?;
        let e = self.binary(Op::Cmp(op, l.node, r.node), l, r)?;
        if let Tok::Cmp(_) = self.tok.kind {
            return Err(error_at(
                self.tok.col,
                "comparisons do not chain: write `a < b and b < c`",
            ));
        }
        Ok(e)
    }

    fn additive(&mut self) -> Result<Expr, FormulaError> {
        let mut l = self.multiplicative()?;
        loop {
            let op = match self.tok.kind {
                Tok::Plus => Arith::Add,
                Tok::Minus => Arith::Sub,
                _ => return Ok(l),
            };
            self.bump()?;
            let r = self.multiplicative()?;
            l = self.binary(Op::Arith(op, l.node, r.node), l, r)?;
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, FormulaError> {
        let mut l = self.unary()?;
        loop {
            let op = match self.tok.kind {
                Tok::Star => Arith::Mul,
                Tok::Slash => Arith::Div,
                _ => return Ok(l),
            };
            self.bump()?;
            let r = self.unary()?;
            l = self.binary(Op::Arith(op, l.node, r.node), l, r)?;
        }
    }

    fn unary(&mut self) -> Result<Expr, FormulaError> {
        if self.tok.kind != Tok::Minus {
            return self.primary();
        }
        let minus = self.bump()?;
        self.enter(minus.col)?;
        let e = self.unary()?;
        self.leave();
        self.push(Op::Neg(e.node), minus.start, e.end, minus.col)
    }

    fn primary(&mut self) -> Result<Expr, FormulaError> {
        match self.tok.kind.clone() {
            Tok::Num(d, f) => {
                let t = self.bump()?;
                self.push(Op::Num(d, f), t.start, t.end, t.col)
            }
            Tok::Bracketed(id) => {
                let t = self.bump()?;
                self.input(id, &t)
            }
            Tok::Ident(name) => {
                let t = self.bump()?;
                if self.tok.kind == Tok::LParen {
                    self.call(&name, &t)
                } else {
                    self.input(name, &t)
                }
            }
            Tok::LParen => {
                let open = self.bump()?;
                self.enter(open.col)?;
                let e = self.expr()?;
                self.leave();
                if self.tok.kind != Tok::RParen {
                    return Err(error_at(
                        self.tok.col,
                        format!(
                            "expected `)` to close the `(` at column {}, found {}",
                            open.col + 1,
                            self.describe(&self.tok)
                        ),
                    ));
                }
                let close = self.bump()?;
                Ok(Expr {
                    node: e.node,
                    start: open.start,
                    end: close.end,
                    col: open.col,
                })
            }
            _ => Err(self.expected_operand()),
        }
    }

    fn expected_operand(&self) -> FormulaError {
        let t = &self.tok;
        if t.kind == Tok::Cmp(Cmp::Eq) && t.col == 0 {
            return error_at(
                t.col,
                "a formula does not start with `=`: write `a / b * 100`, not `=a / b * 100`",
            );
        }
        error_at(
            t.col,
            format!(
                "expected a number, an indicator or `(`, found {}",
                self.describe(t)
            ),
        )
    }

    /// A token left after a complete formula.
    fn trailing(&self) -> FormulaError {
        let t = &self.tok;
        match t.kind {
            Tok::RParen => error_at(t.col, "unexpected `)`: there is no `(` to close"),
            Tok::Comma
                if self
                    .lex
                    .src
                    .get(..t.start)
                    .is_some_and(|s| s.ends_with(|c: char| c.is_ascii_digit())) =>
            {
                error_at(
                    t.col,
                    "unexpected `,`: decimals are written with a dot, like 41.3",
                )
            }
            _ => error_at(
                t.col,
                format!(
                    "expected an operator or the end of the formula, found {}",
                    self.describe(t)
                ),
            ),
        }
    }

    fn input(&mut self, id: String, t: &Token) -> Result<Expr, FormulaError> {
        let k = match self.inputs.iter().position(|x| *x == id) {
            Some(k) => k,
            None => {
                self.inputs.push(id);
                self.inputs.len() - 1
            }
        };
        self.push(Op::Input(k), t.start, t.end, t.col)
    }

    fn call(&mut self, name: &str, t: &Token) -> Result<Expr, FormulaError> {
        let lower = name.to_lowercase();
        let fun = match lower.as_str() {
            "if" => Fun::If,
            "pct" => Fun::Pct,
            "min" => Fun::Min,
            "max" => Fun::Max,
            "abs" => Fun::Abs,
            "round" => Fun::Round,
            _ => {
                return Err(error_at(
                    t.col,
                    format!("unknown function `{name}`; the functions are {FUNCTIONS}"),
                ))
            }
        };
        let open = self.bump()?;
        self.enter(open.col)?;
        let mut args = Vec::new();
        if self.tok.kind != Tok::RParen {
            loop {
                args.push(self.expr()?);
                match self.tok.kind {
                    Tok::Comma => {
                        self.bump()?;
                    }
                    Tok::RParen => break,
                    _ => {
                        return Err(error_at(
                            self.tok.col,
                            format!(
                                "expected `,` or `)` in `{lower}(...)`, found {}",
                                self.describe(&self.tok)
                            ),
                        ));
                    }
                }
            }
        }
        let close = self.bump()?;
        self.leave();
        let (start, end, col) = (t.start, close.end, t.col);
        let arity = |wanted: &str| {
            let n = args.len();
            let s = if n == 1 { "" } else { "s" };
            error_at(
                col,
                format!("`{lower}` takes {wanted}, found {n} argument{s}"),
            )
        };
        match (fun, args.as_slice()) {
            (Fun::If, &[c, a, b]) => self.push(Op::If(c.node, a.node, b.node), start, end, col),
            (Fun::If, _) => Err(arity("3 arguments (condition, then, else)")),
            (Fun::Pct, &[a, b]) => self.push(Op::Pct(a.node, b.node), start, end, col),
            (Fun::Pct, _) => Err(arity("2 arguments (part, whole)")),
            (Fun::Abs, &[a]) => self.push(Op::Abs(a.node), start, end, col),
            (Fun::Abs, _) => Err(arity("1 argument")),
            (Fun::Round, &[a, places]) => {
                let whole = match self.nodes.get(places.node).map(|n| n.op) {
                    Some(Op::Num(d, _)) if d.fract().is_zero() => {
                        d.to_u32().filter(|&p| p <= MAX_ROUND_PLACES)
                    }
                    _ => None,
                };
                let Some(p) = whole.filter(|_| places.node + 1 == self.nodes.len()) else {
                    return Err(error_at(
                        places.col,
                        format!("the decimal places of `round` must be a whole number from 0 to {MAX_ROUND_PLACES}"),
                    ));
                };
                // The places are part of the node; the constant they were parsed into goes.
                self.nodes.pop();
                self.depth.pop();
                self.push(Op::Round(a.node, p), start, end, col)
            }
            (Fun::Round, _) => Err(arity("2 arguments (value, decimal places)")),
            (Fun::Min | Fun::Max, [first, rest @ ..]) if !rest.is_empty() => {
                let mut acc = *first;
                for r in rest {
                    let op = if matches!(fun, Fun::Min) {
                        Op::Min(acc.node, r.node)
                    } else {
                        Op::Max(acc.node, r.node)
                    };
                    acc = self.push(op, start, end, col)?;
                }
                Ok(acc)
            }
            (Fun::Min | Fun::Max, _) => Err(arity("2 or more arguments")),
        }
    }
}
