use super::*;
use proptest::prelude::*;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn f(src: &str) -> Formula {
    Formula::parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"))
}

fn err(src: &str) -> FormulaError {
    match Formula::parse(src) {
        Ok(x) => panic!("{src:?} parsed as {x}"),
        Err(e) => e,
    }
}

/// Evaluates a formula without inputs on all three paths, checking that they agree.
fn constant(src: &str) -> Decimal {
    let formula = f(src);
    let exact = formula
        .eval(|_| None)
        .unwrap_or_else(|e| panic!("{src:?}: {e}"));
    let binary = formula.eval_f64(&[]).unwrap();
    let mut out = [0.0];
    assert_eq!(formula.eval_columns(&[], &mut out), 0);
    assert_eq!(out[0].to_bits(), binary.to_bits(), "{src:?}");
    let expected: f64 = exact.to_string().parse().unwrap();
    assert!(
        (binary - expected).abs() <= 1e-12 * expected.abs().max(1.0),
        "{src:?}: {binary} vs {exact}"
    );
    exact
}

fn lookup<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<Decimal> + 'a {
    move |id| pairs.iter().find(|(k, _)| *k == id).map(|(_, v)| dec(v))
}

// ---- operators and precedence ---------------------------------------------------------------

#[test]
fn every_operator_and_precedence() {
    let cases = [
        ("1 + 2 * 3", "7"),
        ("(1 + 2) * 3", "9"),
        ("10 - 4 - 3", "3"),
        ("10 - (4 - 3)", "9"),
        ("2 * 3 / 4", "1.5"),
        ("100 / 10 / 5", "2"),
        ("100 / (10 / 5)", "50"),
        ("-2 * 3", "-6"),
        ("-(2 + 3)", "-5"),
        ("2 - -3", "5"),
        ("--2", "2"),
        ("-2 + 5", "3"),
        ("1 + 2 < 4", "1"),
        ("1 + 2 < 3", "0"),
        ("3 <= 3", "1"),
        ("3 >= 4", "0"),
        ("3 > 2", "1"),
        ("2 == 2.0", "1"),
        ("2 != 2", "0"),
        ("1 = 1", "1"),
        ("1 <> 2", "1"),
        ("0.1 + 0.2 == 0.3", "1"),
        ("1 < 2 and 2 < 1", "0"),
        ("1 < 2 or 2 < 1", "1"),
        ("0 or 0", "0"),
        ("2 and 3", "1"),
        ("2 and 0", "0"),
        // `and` binds tighter than `or`: 1 or (0 and 0), not (1 or 0) and 0.
        ("1 or 0 and 0", "1"),
        // comparisons bind tighter than `and`: (1 < 2) and (3 < 4).
        ("1 < 2 and 3 < 4", "1"),
        ("pct(1, 4)", "25"),
        ("pct(1, 3)", "33.33333333333333333333333333"),
        ("min(3, 1, 2)", "1"),
        ("max(3, 1, 2)", "3"),
        ("min(2, 3)", "2"),
        ("max(-2, -3)", "-2"),
        ("abs(-2.5)", "2.5"),
        ("abs(2.5)", "2.5"),
        ("round(2.345, 2)", "2.35"),
        ("round(2.25, 1)", "2.3"),
        ("round(2.5, 0)", "3"),
        ("round(-2.5, 0)", "-3"),
        ("round(41.26, 1)", "41.3"),
        ("round(7, 2)", "7"),
        ("if(1, 2, 3)", "2"),
        ("if(0, 2, 3)", "3"),
        ("if(1 > 2, 2, 3) * 2", "6"),
        ("2 × 3 ÷ 4 − 1", "0.5"),
        ("3 ≤ 3", "1"),
        ("3 ≥ 4", "0"),
        ("3 ≠ 4", "1"),
        ("IF(1, ROUND(2.25, 1), 0)", "2.3"),
        ("Max(1; 2)", "2"),
        ("  1\t+\n2  ", "3"),
        ("0.5", "0.5"),
        ("007", "7"),
    ];
    for (src, want) in cases {
        assert_eq!(constant(src), dec(want).normalize(), "{src}");
    }
}

#[test]
fn binary_comparisons_and_rounding_see_through_binary_noise() {
    // 0.1 + 0.2 is 0.30000000000000004 in binary; the decimal answer is "equal".
    assert_eq!(f("a + b == 0.3").eval_f64(&[0.1, 0.2]), Ok(1.0));
    assert_eq!(f("a + b > 0.3").eval_f64(&[0.1, 0.2]), Ok(0.0));
    // 41.25 as a quotient: 4125 / 100 is a midpoint in decimals, so up, as in the exact path.
    let r = f("round(a / b * 100, 1)");
    assert_eq!(
        r.eval_values(&[Some(dec("33")), Some(dec("80"))]),
        Ok(dec("41.3"))
    );
    assert_eq!(r.eval_f64(&[33.0, 80.0]), Ok(41.3));
    assert_eq!(f("round(a, 2)").eval_f64(&[0.005]), Ok(0.01));
    assert_eq!(f("round(a, 2)").eval_f64(&[-0.005]), Ok(-0.01));
    assert_eq!(
        f("round(a, 0)").eval_f64(&[12_345_678.499_5]),
        Ok(12_345_678.0)
    );
    // No "-0" out of the binary paths.
    assert!(f("round(a, 1)")
        .eval_f64(&[-0.01])
        .unwrap()
        .is_sign_positive());
    assert_eq!(
        f("-a")
            .eval_values(&[Some(Decimal::ZERO)])
            .unwrap()
            .to_string(),
        "0"
    );
}

// ---- inputs -----------------------------------------------------------------------------------

#[test]
fn inputs_are_distinct_in_order_of_appearance() {
    let x = f("b + a * b + [c-d] + a + [ b ] + đất_rừng");
    assert_eq!(x.inputs(), ["b", "a", "c-d", "đất_rừng"]);
    assert_eq!(x.source(), "b + a * b + [c-d] + a + [ b ] + đất_rừng");
    // A function name not followed by `(` is an ordinary id.
    assert_eq!(f("min + if").inputs(), ["min", "if"]);
    assert_eq!(f("[and] + [x.1 y]").inputs(), ["and", "x.1 y"]);
    assert!(f("1 + 2").inputs().is_empty());
}

#[test]
fn hyphenated_ids_need_brackets() {
    // Unbracketed, a hyphen is a minus sign: two inputs, not one.
    assert_eq!(f("forest-area").inputs(), ["forest", "area"]);
    let x = f("[forest-area] / [natural-area] * 100");
    assert_eq!(x.inputs(), ["forest-area", "natural-area"]);
    let v = x.eval(lookup(&[("forest-area", "413"), ("natural-area", "1000")]));
    assert_eq!(v, Ok(dec("41.3")));
}

// ---- the brief's examples ---------------------------------------------------------------------

#[test]
fn forest_cover_is_computed_from_summed_inputs_not_averaged() {
    let cover = f("forest_area / natural_area * 100");
    // Two communes: 10 ha of forest out of 100 (10%), 90 out of 300 (30%).
    let communes = [(dec("10"), dec("100")), (dec("90"), dec("300"))];
    let forest: Decimal = communes.iter().map(|c| c.0).sum();
    let natural: Decimal = communes.iter().map(|c| c.1).sum();
    let district = cover.eval_values(&[Some(forest), Some(natural)]).unwrap();
    assert_eq!(district, dec("25"), "(10 + 90) / (100 + 300) × 100");

    let percentages: Vec<Decimal> = communes
        .iter()
        .map(|&(a, n)| cover.eval_values(&[Some(a), Some(n)]).unwrap())
        .collect();
    assert_eq!(percentages, [dec("10"), dec("30")]);
    let average = percentages.iter().sum::<Decimal>() / Decimal::from(percentages.len());
    assert_eq!(average, dec("20"));
    assert_ne!(district, average);

    // The binary paths agree: per commune by columns, the district from the sums.
    let mut out = [0.0; 2];
    assert_eq!(
        cover.eval_columns(&[&[10.0, 90.0], &[100.0, 300.0]], &mut out),
        0
    );
    assert_eq!(out, [10.0, 30.0]);
    assert_eq!(cover.eval_f64(&[100.0, 400.0]), Ok(25.0));
}

#[test]
fn village_heads_who_are_party_members_over_villages() {
    // The demo bundle's formula.
    let share = f("village_heads_party_members / villages * 100");
    assert_eq!(share.inputs(), ["village_heads_party_members", "villages"]);
    // Commune A: 3 of 5 villages; commune B: 7 of 20. Across all 25 villages: 10, i.e. 40%,
    // where the average of 60% and 35% would say 47.5%.
    let all = share.eval(lookup(&[
        ("village_heads_party_members", "10"),
        ("villages", "25"),
    ]));
    assert_eq!(all, Ok(dec("40")));
    let a = share
        .eval_values(&[Some(dec("3")), Some(dec("5"))])
        .unwrap();
    let b = share
        .eval_values(&[Some(dec("7")), Some(dec("20"))])
        .unwrap();
    assert_eq!((a + b) / Decimal::TWO, dec("47.5"));
    assert_eq!(
        f("pct(village_heads_party_members, villages)").eval_f64(&[10.0, 25.0]),
        Ok(40.0)
    );
}

// ---- no value ---------------------------------------------------------------------------------

#[test]
fn division_by_zero_names_the_divisor() {
    let cover = f("forest_area / natural_area * 100");
    let none = cover
        .eval(lookup(&[("forest_area", "10"), ("natural_area", "0")]))
        .unwrap_err();
    assert_eq!(
        none,
        NoValue::DivisionByZero {
            divisor: "natural_area".into()
        }
    );
    assert_eq!(none.to_string(), "division by zero (`natural_area` is 0)");
    assert_eq!(cover.eval_f64(&[10.0, 0.0]), Err(none.clone()));
    assert_eq!(cover.eval_f64(&[10.0, -0.0]), Err(none));

    let x = f("a / (b - c)");
    let none = x
        .eval_values(&[Some(dec("1")), Some(dec("2")), Some(dec("2"))])
        .unwrap_err();
    assert_eq!(none.to_string(), "division by zero (`b - c` is 0)");
    assert_eq!(x.eval_f64(&[1.0, 2.0, 2.0]), Err(none));

    let none = f("pct(a, [natural-area])")
        .eval_f64(&[1.0, 0.0])
        .unwrap_err();
    assert_eq!(none.to_string(), "division by zero (`natural-area` is 0)");
    // Zero divided by zero is no more a value than one by zero.
    assert!(f("0 / 0").eval(|_| None).is_err());
}

#[test]
fn a_missing_input_is_named() {
    let cover = f("forest_area / natural_area * 100");
    let none = cover.eval(lookup(&[("natural_area", "100")])).unwrap_err();
    assert_eq!(none, NoValue::MissingInput("forest_area".into()));
    assert_eq!(none.to_string(), "input `forest_area` has no figure");
    // The first one met in evaluation order.
    assert_eq!(
        cover.eval(|_| None),
        Err(NoValue::MissingInput("forest_area".into()))
    );
    assert_eq!(
        cover.eval_f64(&[f64::NAN, 100.0]),
        Err(NoValue::MissingInput("forest_area".into()))
    );
    assert_eq!(
        cover.eval_f64(&[1.0, f64::INFINITY]),
        Err(NoValue::MissingInput("natural_area".into()))
    );
    // Fewer figures than inputs: the rest are missing, not a panic.
    assert_eq!(
        cover.eval_f64(&[1.0]),
        Err(NoValue::MissingInput("natural_area".into()))
    );
    assert_eq!(
        cover.eval_values(&[]),
        Err(NoValue::MissingInput("forest_area".into()))
    );
}

#[test]
fn if_and_or_only_look_at_what_they_need() {
    let guarded = f("if(villages > 0, heads / villages * 100, 0)");
    assert_eq!(
        guarded.eval(lookup(&[("heads", "3"), ("villages", "0")])),
        Ok(Decimal::ZERO)
    );
    // `heads` is missing but only needed in the branch not taken.
    assert_eq!(
        guarded.eval(lookup(&[("villages", "0")])),
        Ok(Decimal::ZERO)
    );
    assert_eq!(guarded.inputs(), ["villages", "heads"]);
    assert_eq!(guarded.eval_f64(&[0.0, f64::NAN]), Ok(0.0));
    // In the branch taken it matters.
    assert_eq!(
        guarded.eval(lookup(&[("villages", "4")])),
        Err(NoValue::MissingInput("heads".into()))
    );
    // A condition without a value gives none.
    assert_eq!(
        guarded.eval(lookup(&[("heads", "1")])),
        Err(NoValue::MissingInput("villages".into()))
    );
    let mut out = [0.0; 4];
    let rows = guarded.eval_columns(
        &[&[0.0, 4.0, 4.0, f64::NAN], &[f64::NAN, 3.0, f64::NAN, 1.0]],
        &mut out,
    );
    assert_eq!(rows, 2);
    assert_eq!(out[..2], [0.0, 75.0]);
    assert!(out[2].is_nan() && out[3].is_nan());

    let else_branch = f("if(a, 1 / 0, b)");
    assert_eq!(
        else_branch.eval_values(&[Some(Decimal::ZERO), Some(Decimal::TWO)]),
        Ok(Decimal::TWO)
    );

    let and = f("b != 0 and a / b > 1");
    assert_eq!(and.inputs(), ["b", "a"]);
    assert_eq!(
        and.eval_values(&[Some(Decimal::ZERO), None]),
        Ok(Decimal::ZERO)
    );
    assert_eq!(and.eval_f64(&[0.0, f64::NAN]), Ok(0.0));
    let or = f("b == 0 or a / b > 1");
    assert_eq!(
        or.eval_values(&[Some(Decimal::ZERO), None]),
        Ok(Decimal::ONE)
    );
    assert_eq!(or.eval_f64(&[0.0, f64::NAN]), Ok(1.0));
    // Without the shortcut the division is reached.
    assert_eq!(
        f("a / b > 1 or b == 0").eval_values(&[Some(Decimal::ONE), Some(Decimal::ZERO)]),
        Err(NoValue::DivisionByZero {
            divisor: "b".into()
        })
    );
}

#[test]
fn overflow_is_no_value_not_a_panic() {
    let max = Decimal::MAX.to_string();
    let big = f(&format!("{max} * 2"));
    let none = big.eval(|_| None).unwrap_err();
    assert_eq!(
        none,
        NoValue::Overflow {
            expression: format!("{max} * 2")
        }
    );
    assert_eq!(
        none.to_string(),
        format!("`{max} * 2` is too large to compute")
    );
    assert!(f(&format!("{max} + {max}")).eval(|_| None).is_err());
    assert!(f(&format!("-{max} - 1")).eval(|_| None).is_err());
    assert!(f(&format!("pct({max}, 0.5)")).eval(|_| None).is_err());
    assert!(f("a / 0.0000000000000000000000000001")
        .eval_values(&[Some(Decimal::MAX)])
        .is_err());

    let product = f("a * (b)");
    let none = product.eval_f64(&[1e200, 1e200]).unwrap_err();
    assert_eq!(
        none,
        NoValue::Overflow {
            expression: "a * (b)".into()
        }
    );
    let mut out = [0.0; 2];
    assert_eq!(
        product.eval_columns(&[&[1e200, 2.0], &[1e200, 3.0]], &mut out),
        1
    );
    assert!(out[0].is_nan());
    assert_eq!(out[1], 6.0);
    // 1 / (huge * huge) would be 0 if the infinity went on; it has no value.
    assert!(f("1 / (a * a)").eval_f64(&[1e200]).is_err());
}

#[test]
fn numbers_out_of_decimal_range_are_parse_errors() {
    let e = err("1 + 99999999999999999999999999999999");
    assert_eq!(e.column, 5);
    assert!(e.message.contains("too many digits"), "{e}");
}

// ---- eval_columns -----------------------------------------------------------------------------

#[test]
fn columns_row_by_row_with_missing_and_short_columns() {
    let x = f("a + b");
    let a = [1.0, f64::NAN, 3.0, 4.0];
    let b = [10.0, 20.0, f64::NEG_INFINITY];
    let mut out = [0.0; 4];
    assert_eq!(x.eval_columns(&[&a, &b], &mut out), 3);
    assert_eq!(out[0], 11.0);
    assert!(out[1..].iter().all(|v| v.is_nan()));
    // A missing column: every row without a value.
    assert_eq!(x.eval_columns(&[&a], &mut out), 4);
    // No rows.
    assert_eq!(x.eval_columns(&[&a, &b], &mut []), 0);
    // A constant formula fills every row, however many chunks.
    let mut many = vec![0.0; 3 * CHUNK + 7];
    assert_eq!(f("pct(1, 8)").eval_columns(&[], &mut many), 0);
    assert!(many.iter().all(|&v| v == 12.5));
}

#[test]
fn columns_span_several_chunks() {
    let x = f("if(b > 0, round(a / b * 100, 1), a - 1)");
    let rows = 2 * CHUNK + 3;
    let a: Vec<f64> = (0..rows).map(|r| r as f64 * 0.25).collect();
    let b: Vec<f64> = (0..rows)
        .map(|r| if r % 7 == 0 { f64::NAN } else { (r % 5) as f64 })
        .collect();
    let mut out = vec![0.0; rows];
    let without = x.eval_columns(&[&a, &b], &mut out);
    let mut expected_without = 0;
    for r in 0..rows {
        match x.eval_f64(&[a[r], b[r]]) {
            Ok(v) => assert_eq!(out[r].to_bits(), v.to_bits(), "row {r}"),
            Err(_) => {
                expected_without += 1;
                assert!(out[r].is_nan(), "row {r}");
            }
        }
    }
    assert_eq!(without, expected_without);
    assert!(without > 0);
}

// ---- parse errors -----------------------------------------------------------------------------

#[test]
fn error_columns() {
    let cases: &[(&str, usize)] = &[
        // unbalanced parentheses
        ("(a + b", 7),
        ("((a + b)", 9),
        ("a + b)", 6),
        ("()", 2),
        // unknown function
        ("foo(a)", 1),
        ("a + sqrt(b)", 5),
        // trailing operator
        ("a +", 4),
        ("a * ", 5),
        ("a * -", 6),
        // empty
        ("", 1),
        ("   ", 1),
        // bad characters
        ("a $ b", 3),
        ("a + b % 2", 7),
        ("a ! b", 3),
        ("`forest-area` / 2", 1),
        ("\"a\"", 1),
        ("a ]", 3),
        // unterminated or empty brackets
        ("[forest-area / 2", 1),
        ("a + [b", 5),
        ("a + [ ]", 5),
        // columns count characters, not bytes
        ("đất_rừng + $", 12),
        ("[rừng] × ", 10),
        // arguments
        ("pct(a)", 1),
        ("x + if(a, b)", 5),
        ("abs()", 1),
        ("min(a)", 1),
        ("x + round(a, b)", 14),
        ("round(a, 1.5)", 10),
        ("round(a, 11)", 10),
        ("round(a, -1)", 10),
        ("min(a,)", 7),
        ("min(a b)", 7),
        ("min(a, b", 9),
        // others
        ("a < b < c", 7),
        ("a b", 3),
        ("2a", 2),
        ("1e3", 2),
        ("1.", 3),
        ("1.5.2", 4),
        ("41,3", 3),
        ("=a / b", 1),
        ("a + * b", 5),
        ("[a](b)", 4),
    ];
    for &(src, column) in cases {
        assert_eq!(err(src).column, column, "{src:?}: {}", err(src));
    }
}

#[test]
fn error_messages() {
    let cases = [
        (
            "(a + b",
            "column 7: expected `)` to close the `(` at column 1, found the end of the formula",
        ),
        (
            "a + b)",
            "column 6: unexpected `)`: there is no `(` to close",
        ),
        (
            "a + sqrt(b)",
            "column 5: unknown function `sqrt`; the functions are if, pct, min, max, abs and round",
        ),
        (
            "a +",
            "column 4: expected a number, an indicator or `(`, found the end of the formula",
        ),
        ("", "column 1: the formula is empty"),
        ("a $ b", "column 3: unexpected character `$`"),
        (
            "[forest-area / 2",
            "column 1: this `[` is not closed: expected `]`",
        ),
        (
            "pct(a)",
            "column 1: `pct` takes 2 arguments (part, whole), found 1 argument",
        ),
        (
            "IF(a, b)",
            "column 1: `if` takes 3 arguments (condition, then, else), found 2 arguments",
        ),
        (
            "a < b < c",
            "column 7: comparisons do not chain: write `a < b and b < c`",
        ),
        (
            "41,3",
            "column 3: unexpected `,`: decimals are written with a dot, like 41.3",
        ),
        (
            "a b",
            "column 3: expected an operator or the end of the formula, found `b`",
        ),
        (
            "min(a b)",
            "column 7: expected `,` or `)` in `min(...)`, found `b`",
        ),
        (
            "round(a, x)",
            "column 10: the decimal places of `round` must be a whole number from 0 to 10",
        ),
    ];
    for (src, message) in cases {
        assert_eq!(err(src).to_string(), message, "{src:?}");
    }
    assert!(err("`a`").message.contains("[forest-area]"));
    assert!(err("=a").message.contains("does not start with `=`"));
}

/// On a thread with the 2 MiB stack servers and libtest give by default (.cargo/config.toml
/// raises it for the property tests' generators, not for product code).
#[test]
fn hostile_nesting_is_an_error_not_a_crash() {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(hostile_nesting)
        .unwrap()
        .join()
        .unwrap();
}

fn hostile_nesting() {
    let deep = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(err(&deep).message.contains("nested too deeply"));
    let minus = format!("{}a", "-".repeat(10_000));
    assert!(err(&minus).message.contains("nested too deeply"));
    let calls = format!("{}a{}", "abs(".repeat(10_000), ")".repeat(10_000));
    assert!(err(&calls).message.contains("nested too deeply"));
    let chain = vec!["a"; 5_000].join(" + ");
    assert!(err(&chain).message.contains("too long"));
    let args = format!("min({})", vec!["a"; 5_000].join(", "));
    assert!(err(&args).message.contains("too long"));
    // A realistic long sum is fine.
    let communes: Vec<String> = (0..300).map(|i| format!("c{i}")).collect();
    let sum = f(&communes.join(" + "));
    assert_eq!(sum.inputs().len(), 300);
    assert_eq!(sum.eval_f64(&vec![1.0; 300]), Ok(300.0));
    // Nesting within the limit is fine too.
    assert_eq!(
        constant(&format!("{}1{}", "(".repeat(90), ")".repeat(90))),
        Decimal::ONE
    );
}

// ---- display ----------------------------------------------------------------------------------

#[test]
fn display_is_canonical() {
    let cases = [
        ("a+b*c", "a + b * c"),
        ("(a+b)*c", "(a + b) * c"),
        ("a-(b-c)", "a - (b - c)"),
        ("(a-b)-c", "a - b - c"),
        ("a/(b*c)", "a / (b * c)"),
        ("-(a+b)", "-(a + b)"),
        ("- -a", "--a"),
        ("a - -b", "a - -b"),
        ("MIN(a;b;c)", "min(a, b, c)"),
        ("min(a, min(b, c))", "min(a, min(b, c))"),
        ("max(min(a, b), c)", "max(min(a, b), c)"),
        (
            "[forest-area]/[natural area]×100",
            "[forest-area] / [natural area] * 100",
        ),
        ("[and] + [x]", "[and] + x"),
        ("a = b", "a == b"),
        ("(a < b) == c", "(a < b) == c"),
        ("a < (b == c)", "a < (b == c)"),
        ("a or b and c", "a or b and c"),
        ("(a or b) and c", "(a or b) and c"),
        (
            "if(a>=1,round(b,2),pct(c,d))",
            "if(a >= 1, round(b, 2), pct(c, d))",
        ),
        ("1.50 * abs(x)", "1.50 * abs(x)"),
        ("((a))", "a"),
    ];
    for (src, shown) in cases {
        let x = f(src);
        assert_eq!(x.to_string(), shown, "{src:?}");
        assert_eq!(f(shown).to_string(), shown, "{src:?}");
        assert_eq!(f(shown).inputs(), x.inputs(), "{src:?}");
    }
    assert_eq!("a + 1".parse::<Formula>().unwrap().to_string(), "a + 1");
}

// ---- properties -------------------------------------------------------------------------------

/// Ids of the generated formulas; the figures are whole quarters, exact in binary.
const IDS: [&str; 4] = ["a", "b", "[c-d]", "đất_rừng"];
const CONSTANTS: [&str; 8] = ["0", "1", "2", "3", "7", "0.5", "0.25", "100"];

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(IDS.to_vec()).prop_map(String::from),
        prop::sample::select(CONSTANTS.to_vec()).prop_map(String::from),
    ]
}

/// Exact in both representations: no division, small products. Comparisons of these agree
/// between the paths, so the same branch is taken.
fn exact_operand() -> impl Strategy<Value = String> {
    prop_oneof![
        leaf(),
        (leaf(), prop::sample::select(vec!["+", "-", "*"]), leaf())
            .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
    ]
}

fn comparison() -> impl Strategy<Value = String> {
    let cmp = prop::sample::select(vec!["<", "<=", ">", ">=", "==", "!=", "=", "<>"]);
    (exact_operand(), cmp, exact_operand()).prop_map(|(a, op, b)| format!("({a} {op} {b})"))
}

fn condition() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => comparison(),
        1 => (comparison(), prop::sample::select(vec!["and", "or"]), comparison())
            .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
        1 => exact_operand(),
    ]
}

/// Random formulas whose divisors are leaves, so that both paths meet the same zero divisors,
/// and whose conditions are exact, so that both take the same branches.
fn expression() -> impl Strategy<Value = String> {
    leaf().prop_recursive(4, 32, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec!["+", "-", "*"]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            (inner.clone(), leaf()).prop_map(|(a, b)| format!("({a} / {b})")),
            (inner.clone(), leaf()).prop_map(|(a, b)| format!("pct({a}, {b})")),
            inner.clone().prop_map(|a| format!("-{a}")),
            inner.clone().prop_map(|a| format!("abs({a})")),
            (inner.clone(), 0u32..4).prop_map(|(a, n)| format!("round({a}, {n})")),
            prop::collection::vec(inner.clone(), 2..4)
                .prop_map(|v| format!("min({})", v.join(", "))),
            prop::collection::vec(inner.clone(), 2..4)
                .prop_map(|v| format!("max({})", v.join("; "))),
            (condition(), inner.clone(), inner).prop_map(|(c, a, b)| format!("if({c}, {a}, {b})")),
        ]
    })
}

/// Figures for the four ids: whole quarters in [-20, 20], sometimes missing.
fn figures() -> impl Strategy<Value = Vec<Option<i32>>> {
    prop::collection::vec(prop::option::weighted(0.9, -80i32..=80), 4)
}

/// The generated formula's inputs, in its order, as decimals and as binary.
fn values_for(x: &Formula, quarters: &[Option<i32>]) -> (Vec<Option<Decimal>>, Vec<f64>) {
    let figure = |id: &String| {
        let k = IDS
            .iter()
            .position(|s| s.trim_matches(['[', ']']) == id)
            .unwrap();
        quarters[k]
    };
    let exact = x
        .inputs()
        .iter()
        .map(|id| figure(id).map(|q| Decimal::new(i64::from(q) * 25, 2)))
        .collect();
    let binary = x
        .inputs()
        .iter()
        .map(|id| figure(id).map_or(f64::NAN, |q| f64::from(q) / 4.0))
        .collect();
    (exact, binary)
}

fn token_soup() -> impl Strategy<Value = String> {
    let pieces = vec![
        "a",
        "b",
        "[x-y]",
        "[",
        "]",
        "(",
        ")",
        ",",
        ";",
        "+",
        "-",
        "*",
        "/",
        "<",
        "<=",
        "==",
        "=",
        "!=",
        "!",
        "and",
        "or",
        "if",
        "pct",
        "min",
        "round",
        "abs",
        "foo",
        "1",
        "0",
        "2.5",
        "1.",
        ".",
        " ",
        "×",
        "đ",
        "`",
        "99999999999999999999999999999999",
    ];
    prop::collection::vec(prop::sample::select(pieces), 0..30).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_never_panics(src in any::<String>()) {
        if let Err(e) = Formula::parse(&src) {
            prop_assert!(e.column >= 1 && e.column <= src.chars().count() + 1, "{e}");
        }
    }

    #[test]
    fn parse_never_panics_on_formula_like_text(src in token_soup()) {
        match Formula::parse(&src) {
            Err(e) => prop_assert!(e.column >= 1 && e.column <= src.chars().count() + 1, "{src:?}: {e}"),
            Ok(x) => {
                // Whatever parses evaluates without panicking, on every path.
                let _ = x.eval(|_| Some(Decimal::ZERO));
                let _ = x.eval_f64(&[0.0, 1.0, 2.0]);
                let mut out = [0.0; 3];
                x.eval_columns(&[&[0.0, 1.0, f64::NAN]], &mut out);
                prop_assert!(out.iter().all(|v| v.is_nan() || v.is_finite()));
                prop_assert_eq!(f(&x.to_string()).to_string(), x.to_string());
            }
        }
    }

    #[test]
    fn eval_f64_agrees_with_eval(src in expression(), quarters in figures()) {
        let x = f(&src);
        let (exact, binary) = values_for(&x, &quarters);
        let d = x.eval_values(&exact);
        let v = x.eval_f64(&binary);
        match (d, v) {
            // The decimal range is the narrower; the binary path goes on.
            (Err(NoValue::Overflow { .. }), _) => {}
            (Ok(d), Ok(v)) => {
                let d: f64 = d.to_string().parse().unwrap();
                prop_assert!(v.is_finite());
                prop_assert!((d - v).abs() <= 1e-9 * d.abs().max(v.abs()).max(1.0), "{src}: {d} vs {v}");
            }
            (d, v) => prop_assert_eq!(d.map(|_| ()), v.map(|_| ()), "{}", src),
        }
    }

    #[test]
    fn eval_columns_agrees_with_eval_f64(src in expression(), rows in prop::collection::vec(figures(), 0..40)) {
        let x = f(&src);
        let columns: Vec<Vec<f64>> = (0..x.inputs().len())
            .map(|k| rows.iter().map(|q| values_for(&x, q).1[k]).collect())
            .collect();
        let refs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
        let mut out = vec![0.0; rows.len()];
        let without = x.eval_columns(&refs, &mut out);
        let mut expected = 0;
        for (r, q) in rows.iter().enumerate() {
            match x.eval_f64(&values_for(&x, q).1) {
                Ok(v) => prop_assert_eq!(out[r].to_bits(), v.to_bits(), "{} row {}", src, r),
                Err(_) => {
                    expected += 1;
                    prop_assert!(out[r].is_nan(), "{} row {}", src, r);
                }
            }
        }
        prop_assert_eq!(without, expected);
    }

    #[test]
    fn display_round_trips(src in expression(), quarters in figures()) {
        let x = f(&src);
        let shown = x.to_string();
        let y = f(&shown);
        prop_assert_eq!(y.to_string(), shown.clone());
        prop_assert_eq!(y.inputs(), x.inputs());
        let (exact, binary) = values_for(&x, &quarters);
        let (dx, dy) = (x.eval_values(&exact), y.eval_values(&exact));
        prop_assert_eq!(dx.as_ref().ok(), dy.as_ref().ok());
        // Reasons quote the source, which the canonical form may space differently; missing
        // inputs are named alike.
        if let Err(NoValue::MissingInput(id)) = dx {
            prop_assert_eq!(dy, Err(NoValue::MissingInput(id)));
        }
        prop_assert_eq!(y.eval_f64(&binary).ok().map(f64::to_bits), x.eval_f64(&binary).ok().map(f64::to_bits));
    }
}
