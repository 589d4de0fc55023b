//! Network coordinate settings: `disable_coordinates`, and the tuning keys Consul accepts in
//! files without documenting them for users (`sync_coordinate_interval_min`,
//! `sync_coordinate_rate_target` at the top level; `consul { coordinate { update_period
//! update_batch_size update_max_batches } }`), which `-dev` and the tests use to make
//! coordinates appear sooner.

use std::time::Duration;

use serde_json::Value;

use super::build::go_duration;
use super::error::ConfigError;
use super::runtime::CoordinateConfig;
use super::schema::FileConfig;

pub(super) fn coordinate_config(c: &FileConfig) -> Result<CoordinateConfig, ConfigError> {
    let d = CoordinateConfig::default();
    let inner = |key: &str| {
        c.consul
            .as_ref()
            .and_then(|v| v.get("coordinate"))
            .and_then(|v| v.get(key))
    };
    Ok(CoordinateConfig {
        disabled: c.disable_coordinates.unwrap_or(false),
        update_period: duration(
            "consul.coordinate.update_period",
            inner("update_period"),
            d.update_period,
        )?,
        update_batch_size: positive(
            "consul.coordinate.update_batch_size",
            inner("update_batch_size"),
            d.update_batch_size,
        )?,
        update_max_batches: positive(
            "consul.coordinate.update_max_batches",
            inner("update_max_batches"),
            d.update_max_batches,
        )?,
        sync_interval_min: duration(
            "sync_coordinate_interval_min",
            c.sync_coordinate_interval_min.as_ref(),
            d.sync_interval_min,
        )?,
        sync_rate_target: match &c.sync_coordinate_rate_target {
            None => d.sync_rate_target,
            Some(v) => v.as_f64().filter(|r| *r > 0.0).ok_or_else(|| {
                ConfigError::invalid(format!(
                    "sync_coordinate_rate_target: {v} is not a positive number"
                ))
            })?,
        },
    })
}

fn duration(path: &str, v: Option<&Value>, default: Duration) -> Result<Duration, ConfigError> {
    let Some(v) = v else {
        return Ok(default);
    };
    let parsed = match v {
        Value::String(text) => go_duration(text),
        other => Err(format!("{other} is not a duration")),
    };
    parsed
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| ConfigError::invalid(format!("{path}: {v} is not a positive duration")))
}

fn positive(path: &str, v: Option<&Value>, default: usize) -> Result<usize, ConfigError> {
    let Some(v) = v else {
        return Ok(default);
    };
    v.as_u64()
        .filter(|n| *n > 0)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| ConfigError::invalid(format!("{path}: {v} is not a positive integer")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: Value) -> Result<CoordinateConfig, ConfigError> {
        coordinate_config(&serde_json::from_value(json).unwrap())
    }

    #[test]
    fn defaults_are_consuls_and_tuning_keys_apply() {
        let d = config(serde_json::json!({})).unwrap();
        assert_eq!(d, CoordinateConfig::default());
        assert_eq!(d.update_period, Duration::from_secs(5));
        assert_eq!(d.sync_interval_min, Duration::from_secs(15));
        let c = config(serde_json::json!({
            "disable_coordinates": true,
            "sync_coordinate_interval_min": "200ms",
            "consul": {"coordinate": {"update_period": "100ms", "update_batch_size": 2}}
        }))
        .unwrap();
        assert!(c.disabled);
        assert_eq!(c.sync_interval_min, Duration::from_millis(200));
        assert_eq!(c.update_period, Duration::from_millis(100));
        assert_eq!(c.update_batch_size, 2);
        let e = config(serde_json::json!({"consul": {"coordinate": {"update_period": "soon"}}}))
            .unwrap_err();
        assert!(
            e.to_string().contains("consul.coordinate.update_period"),
            "{e}"
        );
    }
}
