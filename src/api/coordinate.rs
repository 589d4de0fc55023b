//! Network coordinates (`/v1/coordinate/*`, `Coord` of `/v1/agent/self`): Serf's Vivaldi
//! coordinate as Consul's JSON spells it, the estimated round trip between two of them, and the
//! checks a server makes on a coordinate it is sent.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Below this, a distance or an error counts as zero (Serf's `zeroThreshold`).
pub const ZERO_THRESHOLD: f64 = 1.0e-6;

/// A point in Serf's model: a Euclidean vector plus a height (the access link every path from
/// the node crosses), an adjustment (what the Euclidean part misses, on average) and the
/// node's confidence in it (`Error`, 1.5 when nothing is known).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct Coordinate {
    pub vec: Vec<f64>,
    pub error: f64,
    pub adjustment: f64,
    pub height: f64,
}

impl Coordinate {
    /// The Euclidean part plus both heights, in seconds, without the adjustments.
    pub fn raw_distance_to(&self, other: &Coordinate) -> f64 {
        let squares: f64 = self
            .vec
            .iter()
            .zip(&other.vec)
            .map(|(a, b)| (a - b) * (a - b))
            .sum();
        squares.sqrt() + self.height + other.height
    }

    /// The estimated round trip to `other` (Serf's `DistanceTo`): the raw distance plus both
    /// adjustments, unless that would not be positive.
    pub fn distance_to(&self, other: &Coordinate) -> Duration {
        let raw = self.raw_distance_to(other);
        let adjusted = raw + self.adjustment + other.adjustment;
        let seconds = if adjusted > 0.0 { adjusted } else { raw };
        Duration::try_from_secs_f64(seconds).unwrap_or(Duration::ZERO)
    }

    /// Every component is a finite number.
    pub fn is_valid(&self) -> bool {
        self.vec.iter().all(|v| v.is_finite())
            && self.error.is_finite()
            && self.adjustment.is_finite()
            && self.height.is_finite()
    }

    /// Both have the same dimensionality (coordinates of different models cannot be compared).
    pub fn is_compatible_with(&self, other: &Coordinate) -> bool {
        self.vec.len() == other.vec.len()
    }
}

/// One node's coordinate in one network segment (`/v1/coordinate/nodes`, `/node/:node`, and the
/// body of `PUT /v1/coordinate/update`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct CoordinateEntry {
    pub node: String,
    pub segment: String,
    pub coord: Coordinate,
}

/// One datacenter's servers and their WAN coordinates (`/v1/coordinate/datacenters`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct DatacenterMap {
    pub datacenter: String,
    #[serde(rename = "AreaID")]
    pub area_id: String,
    pub coordinates: Vec<CoordinateEntry>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(vec: &[f64], height: f64, adjustment: f64) -> Coordinate {
        Coordinate {
            vec: vec.to_vec(),
            error: 1.5,
            adjustment,
            height,
        }
    }

    #[test]
    fn distance_adds_heights_and_adjustments() {
        let a = at(&[0.0, 0.0], 0.001, 0.0);
        let b = at(&[0.003, 0.004], 0.002, 0.0);
        assert!((a.distance_to(&b).as_secs_f64() - 0.008).abs() < 1e-9);
        let a = at(&[0.0, 0.0], 0.001, 0.0005);
        assert!((a.distance_to(&b).as_secs_f64() - 0.0085).abs() < 1e-9);
        // An adjustment that would make the estimate negative is ignored.
        let a = at(&[0.0, 0.0], 0.001, -1.0);
        assert!((a.distance_to(&b).as_secs_f64() - 0.008).abs() < 1e-9);
    }

    #[test]
    fn json_is_consuls() {
        let e = CoordinateEntry {
            node: "n1".into(),
            segment: String::new(),
            coord: at(&[0.5], 1.0e-5, 0.0),
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"Node":"n1","Segment":"","Coord":{"Vec":[0.5],"Error":1.5,"Adjustment":0.0,"Height":0.00001}}"#
        );
        assert!(!at(&[f64::NAN], 0.0, 0.0).is_valid());
        assert!(!at(&[0.0], 0.0, 0.0).is_compatible_with(&at(&[0.0, 0.0], 0.0, 0.0)));
    }
}
