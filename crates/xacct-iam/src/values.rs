//! Typed condition values: numbers, dates, IP addresses. Each parser returns `None` for text
//! it cannot read, which the condition turns into `Maybe` rather than a guess.

use std::net::IpAddr;

/// A decimal number (`NumericEquals` and friends take integers and decimals).
pub(crate) fn number(text: &str) -> Option<f64> {
    let text = text.trim();
    // Rust's parser also takes `inf` and `NaN`, which IAM does not.
    let plausible = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    let value: f64 = text.parse().ok().filter(|_| plausible)?;
    value.is_finite().then_some(value)
}

/// Seconds since the Unix epoch for an epoch number or an ISO 8601 date
/// (`2025-01-31`, `2025-01-31T12:00Z`, `2025-01-31T12:00:00.5+01:00`). Times without an offset
/// are UTC, as AWS reads them.
pub(crate) fn date(text: &str) -> Option<f64> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse::<f64>().ok();
    }
    let (day, time) = match text.split_once(['T', 't']) {
        Some((day, time)) => (day, Some(time)),
        None => (text, None),
    };
    let mut parts = day.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let (year, month, day) = (digits(y, 4)?, digits(m, 2)?, digits(d, 2)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = match time {
        Some(time) => time_of_day(time)?,
        None => 0.0,
    };
    Some(days as f64 * 86_400.0 + seconds)
}

/// `HH:MM[:SS[.fff]]` then `Z`, `±HH:MM`, `±HHMM` or nothing; seconds since midnight UTC.
fn time_of_day(text: &str) -> Option<f64> {
    let (clock, offset) = if let Some(clock) = text.strip_suffix(['Z', 'z']) {
        (clock, 0.0)
    } else if let Some(at) = text.rfind(['+', '-']) {
        let sign = if text.as_bytes()[at] == b'-' {
            -1.0
        } else {
            1.0
        };
        let zone = &text[at + 1..];
        let (h, m) = match zone.split_once(':') {
            Some((h, m)) => (h, m),
            // Checked ASCII first: splitting inside a multi-byte character would panic.
            None if zone.len() == 4 && zone.is_ascii() => zone.split_at(2),
            None => (zone, "00"),
        };
        let (h, m) = (digits(h, 2)?, digits(m, 2)?);
        if h > 23 || m > 59 {
            return None;
        }
        (&text[..at], sign * f64::from(h * 3600 + m * 60))
    } else {
        (text, 0.0)
    };
    let mut fields = clock.split(':');
    let hour = digits(fields.next()?, 2)?;
    let minute = digits(fields.next()?, 2)?;
    let second = match fields.next() {
        Some(s) => {
            let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
            let whole = digits(whole, 2)?;
            let fraction = if fraction.is_empty() {
                0.0
            } else if fraction.bytes().all(|b| b.is_ascii_digit()) {
                format!("0.{fraction}").parse::<f64>().ok()?
            } else {
                return None;
            };
            f64::from(whole) + fraction
        }
        None => 0.0,
    };
    if fields.next().is_some() || hour > 23 || minute > 59 || second >= 61.0 {
        return None;
    }
    Some(f64::from(hour * 3600 + minute * 60) + second - offset)
}

/// Exactly `len` ASCII digits.
fn digits(text: &str, len: usize) -> Option<u32> {
    (text.len() == len && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        // The calendar arithmetic already knows leap years.
        2 => (days_from_civil(year, 3, 1) - days_from_civil(year, 2, 1)) as u32,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: u32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// True when `address` lies in `cidr` (`203.0.113.0/24`, `2001:db8::/32`, or one address).
/// `None` when either does not parse; addresses of different families never match.
pub(crate) fn in_cidr(address: &str, cidr: &str) -> Option<bool> {
    let address: IpAddr = address.trim().parse().ok()?;
    let (network, prefix) = match cidr.trim().split_once('/') {
        Some((network, prefix)) => (network, Some(prefix)),
        None => (cidr.trim(), None),
    };
    let network: IpAddr = network.parse().ok()?;
    let (addr, net, width) = match (address, network) {
        (IpAddr::V4(a), IpAddr::V4(n)) => (u128::from(u32::from(a)), u128::from(u32::from(n)), 32),
        (IpAddr::V6(a), IpAddr::V6(n)) => (u128::from(a), u128::from(n), 128),
        _ => {
            // Still check the prefix parses, so a typo is not mistaken for a mismatch.
            return prefix.map_or(Some(false), |p| p.parse::<u32>().ok().map(|_| false));
        }
    };
    let prefix = match prefix {
        Some(p) => p.parse::<u32>().ok().filter(|p| *p <= width)?,
        None => width,
    };
    if prefix == 0 {
        return Some(true);
    }
    let shift = width - prefix;
    Some((addr >> shift) == (net >> shift))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(number("42"), Some(42.0));
        assert_eq!(number("-1.5"), Some(-1.5));
        assert_eq!(number(" 3 "), Some(3.0));
        assert_eq!(number("inf"), None);
        assert_eq!(number("NaN"), None);
        assert_eq!(number("12abc"), None);
        assert_eq!(number(""), None);
    }

    #[test]
    fn dates_in_every_accepted_form() {
        assert_eq!(date("1970-01-01"), Some(0.0));
        assert_eq!(date("1970-01-02T00:00:00Z"), Some(86_400.0));
        assert_eq!(date("2020-03-01T00:00:00Z"), Some(1_583_020_800.0));
        assert_eq!(date("2020-02-29T12:30Z"), Some(1_582_979_400.0));
        assert_eq!(
            date("2020-03-01T01:00:00+01:00"),
            date("2020-03-01T00:00:00Z")
        );
        assert_eq!(
            date("2020-02-29T23:00:00-0100"),
            date("2020-03-01T00:00:00Z")
        );
        assert_eq!(date("2020-03-01T00:00:00.250Z"), Some(1_583_020_800.25));
        assert_eq!(date("1583020800"), Some(1_583_020_800.0));
        for bad in [
            "2019-02-29",
            "2020-13-01",
            "2020-1-01",
            "yesterday",
            "2020-01-01T25:00Z",
            "",
        ] {
            assert_eq!(date(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

        #[test]
        fn parsers_never_panic(text in "\\PC{0,24}", other in "[0-9:./+TZ-]{0,24}") {
            let _ = (number(&text), date(&text), in_cidr(&text, &other), in_cidr(&other, &text));
            let _ = (date(&other), date(&format!("2020-01-01T{text}")), date(&format!("2020-01-01T00:00{text}")));
        }
    }

    #[test]
    fn timezone_text_is_checked_before_it_is_split() {
        assert_eq!(date("2020-01-01T00:00+a€"), None);
    }

    #[test]
    fn cidr_blocks() {
        assert_eq!(in_cidr("203.0.113.7", "203.0.113.0/24"), Some(true));
        assert_eq!(in_cidr("203.0.114.7", "203.0.113.0/24"), Some(false));
        assert_eq!(in_cidr("203.0.113.7", "203.0.113.7"), Some(true));
        assert_eq!(in_cidr("10.1.2.3", "0.0.0.0/0"), Some(true));
        assert_eq!(in_cidr("2001:db8::1", "2001:db8::/32"), Some(true));
        assert_eq!(in_cidr("2001:db9::1", "2001:db8::/32"), Some(false));
        assert_eq!(in_cidr("2001:db8::1", "203.0.113.0/24"), Some(false));
        assert_eq!(in_cidr("203.0.113.7", "203.0.113.0/33"), None);
        assert_eq!(in_cidr("not-an-ip", "203.0.113.0/24"), None);
    }
}
