//! Go's duration syntax (`time.ParseDuration` / `Duration.String`), used in Consul's JSON, query
//! parameters (`wait=9.87s`) and config files.
//!
//! Hand-written on purpose: humantime does not accept Go's fractional units (`1.5s`, `9.87s`) nor
//! print Go's compact form (`1m30s`), and clients depend on both.

use std::time::Duration;

/// Parses `"300ms"`, `"1.5h"`, `"2h45m"`, `"-0"`, `"0"`. A bare number other than 0 is an error,
/// as in Go. Negative durations are refused (nothing in sd takes one).
pub fn parse_duration(input: &str) -> Result<Duration, String> {
    let s = input.trim();
    let bad = || format!("invalid duration {input:?}");
    let s = s.strip_prefix('+').unwrap_or(s);
    if let Some(negative) = s.strip_prefix('-') {
        return if negative == "0" {
            Ok(Duration::ZERO)
        } else {
            Err(format!("negative duration {input:?}"))
        };
    }
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    if s.is_empty() {
        return Err(bad());
    }
    let mut total: f64 = 0.0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return Err(bad());
        }
        let number: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let nanos_per_unit = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => return Err(format!("missing unit in duration {input:?}")),
            other => return Err(format!("unknown unit {other:?} in duration {input:?}")),
        };
        rest = &rest[unit_len..];
        total += number * nanos_per_unit;
    }
    if !total.is_finite() || total > u64::MAX as f64 {
        return Err(bad());
    }
    Ok(Duration::from_nanos(total.round() as u64))
}

/// Formats like Go's `Duration.String()`: `0s`, `500ms`, `1.5s`, `1m30s`, `72h0m0s`.
pub fn format_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".into();
    }
    if nanos < 1_000 {
        return format!("{nanos}ns");
    }
    if nanos < 1_000_000 {
        return format!("{}µs", trim_fraction(nanos, 1_000));
    }
    if nanos < 1_000_000_000 {
        return format!("{}ms", trim_fraction(nanos, 1_000_000));
    }
    let secs_nanos = nanos % 60_000_000_000;
    let total_minutes = nanos / 60_000_000_000;
    let seconds = format!("{}s", trim_fraction(secs_nanos, 1_000_000_000));
    if total_minutes == 0 {
        return seconds;
    }
    let minutes = total_minutes % 60;
    let hours = total_minutes / 60;
    if hours == 0 {
        format!("{minutes}m{seconds}")
    } else {
        format!("{hours}h{minutes}m{seconds}")
    }
}

/// `value / unit` with the fraction printed without trailing zeros (`1500, 1000` -> `1.5`).
fn trim_fraction(value: u128, unit: u128) -> String {
    let whole = value / unit;
    let frac = value % unit;
    if frac == 0 {
        return whole.to_string();
    }
    let width = unit.ilog10() as usize;
    let digits = format!("{frac:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// A Go duration string (`"10s"`, `"1m30s"`) or a number of nanoseconds; empty and `null`
/// mean unset, a negative number means zero (which validation then refuses).
pub fn deserialize_opt<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Duration>, D::Error> {
    struct Visitor;
    impl serde::de::Visitor<'_> for Visitor {
        type Value = Option<Duration>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a duration such as \"10s\" or a number of nanoseconds")
        }

        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Self::Value, E> {
            if s.is_empty() {
                return Ok(None);
            }
            parse_duration(s).map(Some).map_err(E::custom)
        }

        fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Self::Value, E> {
            Ok(Some(Duration::from_nanos(n)))
        }

        fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Self::Value, E> {
            Ok(Some(Duration::from_nanos(u64::try_from(n).unwrap_or(0))))
        }

        fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Self::Value, E> {
            let nanos = if n.is_finite() && n > 0.0 {
                n.min(u64::MAX as f64) as u64
            } else {
                0
            };
            Ok(Some(Duration::from_nanos(nanos)))
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(Visitor)
}

/// A Go duration held in a JSON value (text or nanoseconds), read as [`deserialize_opt`] reads
/// it; zero counts as unset, as Consul's zero `time.Duration` does.
pub fn from_json(v: &serde_json::Value) -> Result<Option<Duration>, String> {
    deserialize_opt(v)
        .map(|d| d.filter(|d| !d.is_zero()))
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_forms() {
        assert_eq!(parse_duration("15s").unwrap(), Duration::from_secs(15));
        assert_eq!(parse_duration("15.0s").unwrap(), Duration::from_secs(15));
        assert_eq!(
            parse_duration("9.87s").unwrap(),
            Duration::from_millis(9870)
        );
        assert_eq!(parse_duration("1m30s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("2h45m").unwrap(), Duration::from_secs(9900));
        assert_eq!(parse_duration("60000ms").unwrap(), Duration::from_secs(60));
        assert_eq!(parse_duration("10us").unwrap(), Duration::from_micros(10));
        assert_eq!(parse_duration("0").unwrap(), Duration::ZERO);
        assert_eq!(parse_duration(".5s").unwrap(), Duration::from_millis(500));
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "10", "s", "1x", "1.2.3s", "-5s", "abc", "5s6"] {
            assert!(parse_duration(bad).is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn formats_like_go() {
        assert_eq!(format_duration(Duration::ZERO), "0s");
        assert_eq!(format_duration(Duration::from_millis(500)), "500ms");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(format_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(format_duration(Duration::from_secs(72 * 3600)), "72h0m0s");
        assert_eq!(format_duration(Duration::from_secs(15)), "15s");
    }
}
