//! Numbers the way planners write them.
//!
//! Money may be a plain number of yuan or a string with a Chinese or English
//! multiplier: `"150万"` (1,500,000), `"1.371亿"` (137,100,000), `"2.2M"`,
//! `"150k"`, `"1,500,000"`, optionally followed by `元` or `yuan`. Rates may
//! be numbers (`0.06`) or percentages (`"6%"`). A range `"A to B"` (or
//! `"A ~ B"`, `"A 至 B"`) states a 90% interval, as estimation tools such as
//! Squiggle read it; see [`parse_range`].

/// Parses one number written with an optional unit: `"150万"`, `"6%"`, `"2.2M"`.
///
/// Returns a message saying what would be valid when the text is not a number.
pub fn parse_number(text: &str) -> Result<f64, String> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '_' && *c != '，')
        .collect();
    let body = cleaned.trim_end_matches("yuan").trim_end_matches('元').trim_end();
    let (digits, factor) = split_multiplier(body);
    let digits = digits.trim();
    let value: f64 = digits
        .parse()
        .ok()
        .filter(|_| !digits.is_empty() && digits.chars().all(|c| "+-.0123456789eE".contains(c)))
        .ok_or_else(|| {
            format!(
                "`{text}` is not a number; write yuan as 1500000, \"150万\", \"1.371亿\", \"2.2M\" or \"150k\", and rates as 0.06 or \"6%\""
            )
        })?;
    let value = value * factor;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(format!("`{text}` is not a finite number"))
    }
}

fn split_multiplier(body: &str) -> (&str, f64) {
    const SUFFIXES: [(&str, f64); 8] = [
        ("%", 0.01),
        ("万", 1e4),
        ("亿", 1e8),
        ("千", 1e3),
        ("k", 1e3),
        ("K", 1e3),
        ("M", 1e6),
        ("m", 1e6),
    ];
    for (suffix, factor) in SUFFIXES {
        if let Some(digits) = body.strip_suffix(suffix) {
            return (digits, factor);
        }
    }
    (body, 1.0)
}

/// z value of the 95th percentile of a standard normal: a 90% interval is
/// mean +/- 1.6449 sd.
pub const Z_95: f64 = 1.644_853_626_951_472_2;

/// A 90% interval read from `"A to B"`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range90 {
    pub low: f64,
    pub high: f64,
}

/// Parses `"5% to 8%"`, `"12万 to 30万"`, `"12万 ~ 30万"` or `"12万 至 30万"`.
/// Returns `Ok(None)` when the text is not a range at all.
pub fn parse_range(text: &str) -> Result<Option<Range90>, String> {
    let Some((a, b)) = [" to ", "~", "至"].iter().find_map(|sep| text.split_once(sep)) else {
        return Ok(None);
    };
    let low = parse_number(a)?;
    let high = parse_number(b)?;
    if low >= high {
        return Err(format!(
            "the range `{text}` must go from low to high (a 90% interval, low < high)"
        ));
    }
    Ok(Some(Range90 { low, high }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_strings() {
        assert_eq!(parse_number("150万").unwrap(), 1_500_000.0);
        assert!((parse_number("1.371亿").unwrap() - 137_100_000.0).abs() < 1e-6);
        assert_eq!(parse_number("2.2M").unwrap(), 2_200_000.0);
        assert_eq!(parse_number("150k").unwrap(), 150_000.0);
        assert_eq!(parse_number("1,500,000").unwrap(), 1_500_000.0);
        assert_eq!(parse_number("30万元").unwrap(), 300_000.0);
        assert_eq!(parse_number("6%").unwrap(), 0.06);
        assert_eq!(parse_number("-2.5%").unwrap(), -0.025);
    }

    #[test]
    fn bad_numbers_say_what_is_valid() {
        let err = parse_number("lots").unwrap_err();
        assert!(err.contains("150万"), "{err}");
        assert!(parse_number("").is_err());
        assert!(parse_number("5x").is_err());
        assert!(parse_number("inf").is_err());
        assert!(parse_number("NaN").is_err());
    }

    #[test]
    fn ranges() {
        let r = parse_range("12万 to 30万").unwrap().unwrap();
        assert_eq!((r.low, r.high), (120_000.0, 300_000.0));
        let r = parse_range("5% ~ 8%").unwrap().unwrap();
        assert_eq!((r.low, r.high), (0.05, 0.08));
        assert!(parse_range("8% to 5%").is_err());
        assert_eq!(parse_range("5%").unwrap(), None);
    }
}
