//! This node's network coordinate, as Serf computes it: Vivaldi (a spring system in 8
//! dimensions) with a height for the access link, a per-peer median filter over the last 3 round
//! trips, an adjustment term averaging what the model misses over the last 20 samples, and a
//! weak gravity towards the origin that keeps the whole system from drifting. The constants are
//! Serf's defaults, so estimates mean the same as Consul's.
//!
//! Hand-written: no maintained crate implements Serf's variant (height, adjustment window,
//! gravity, latency filter), and coordinates must be comparable with what Consul's clients
//! compute from them (`DistanceTo`).

use std::collections::HashMap;
use std::time::Duration;

use crate::api::coordinate::{Coordinate, ZERO_THRESHOLD};

const DIMENSIONS: usize = 8;
const ERROR_MAX: f64 = 1.5;
/// How fast the error estimate moves (Vivaldi's c_e).
const CE: f64 = 0.25;
/// How far one sample moves the coordinate (Vivaldi's c_c).
const CC: f64 = 0.25;
const ADJUSTMENT_WINDOW: usize = 20;
const HEIGHT_MIN: f64 = 10.0e-6;
const LATENCY_FILTER: usize = 3;
/// Distance (seconds) from the origin at which gravity's pull grows large.
const GRAVITY_RHO: f64 = 150.0;
/// Round trips beyond this are measurement errors, not distances.
const MAX_RTT: Duration = Duration::from_secs(10);

/// Why a sample was not used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SampleError {
    #[error("coordinate dimensionality does not match ({0} instead of {DIMENSIONS})")]
    Dimensions(usize),
    #[error("coordinate is not a finite number")]
    Invalid,
    #[error("round trip time {0:?} is out of range")]
    Rtt(Duration),
}

/// The local coordinate and what updates it.
pub struct Vivaldi {
    coord: Coordinate,
    origin: Coordinate,
    adjustments: [f64; ADJUSTMENT_WINDOW],
    next_adjustment: usize,
    latencies: HashMap<String, Vec<f64>>,
    /// Times the coordinate went invalid and was reset.
    pub resets: u64,
}

impl Default for Vivaldi {
    fn default() -> Self {
        Vivaldi::new()
    }
}

/// Where a node starts: the origin, with the largest error.
pub fn initial() -> Coordinate {
    Coordinate {
        vec: vec![0.0; DIMENSIONS],
        error: ERROR_MAX,
        adjustment: 0.0,
        height: HEIGHT_MIN,
    }
}

impl Vivaldi {
    pub fn new() -> Vivaldi {
        Vivaldi {
            coord: initial(),
            origin: initial(),
            adjustments: [0.0; ADJUSTMENT_WINDOW],
            next_adjustment: 0,
            latencies: HashMap::new(),
            resets: 0,
        }
    }

    pub fn coordinate(&self) -> &Coordinate {
        &self.coord
    }

    /// Drops what was kept about a node that left.
    pub fn forget(&mut self, node: &str) {
        self.latencies.remove(node);
    }

    /// Takes one measured round trip to `node`, whose coordinate is `other`.
    pub fn observe(
        &mut self,
        node: &str,
        other: &Coordinate,
        rtt: Duration,
    ) -> Result<&Coordinate, SampleError> {
        if other.vec.len() != DIMENSIONS {
            return Err(SampleError::Dimensions(other.vec.len()));
        }
        if !other.is_valid() {
            return Err(SampleError::Invalid);
        }
        if rtt > MAX_RTT {
            return Err(SampleError::Rtt(rtt));
        }
        let rtt = self.filtered(node, rtt.as_secs_f64());
        self.spring(other, rtt);
        self.adjust(other, rtt);
        self.gravity();
        if !self.coord.is_valid() {
            self.resets += 1;
            self.coord = initial();
        }
        Ok(&self.coord)
    }

    /// The median of the last few samples to `node`: one slow reply does not move us.
    fn filtered(&mut self, node: &str, rtt: f64) -> f64 {
        let samples = self.latencies.entry(node.to_string()).or_default();
        samples.push(rtt);
        if samples.len() > LATENCY_FILTER {
            samples.remove(0);
        }
        let mut sorted = samples.clone();
        sorted.sort_by(f64::total_cmp);
        sorted[sorted.len() / 2]
    }

    /// Vivaldi's step: move along the line to `other` by how wrong the estimate was, weighted
    /// by how sure each side is.
    fn spring(&mut self, other: &Coordinate, rtt: f64) {
        let rtt = rtt.max(ZERO_THRESHOLD);
        let estimate = self.coord.distance_to(other).as_secs_f64();
        let wrongness = (estimate - rtt).abs() / rtt;
        let total_error = (self.coord.error + other.error).max(ZERO_THRESHOLD);
        let weight = self.coord.error / total_error;
        self.coord.error =
            (CE * weight * wrongness + self.coord.error * (1.0 - CE * weight)).min(ERROR_MAX);
        let force = CC * weight * (rtt - estimate);
        self.coord = pushed(&self.coord, force, other);
    }

    /// The adjustment: half the mean of what the Euclidean model missed over the window.
    fn adjust(&mut self, other: &Coordinate, rtt: f64) {
        self.adjustments[self.next_adjustment] = rtt - self.coord.raw_distance_to(other);
        self.next_adjustment = (self.next_adjustment + 1) % ADJUSTMENT_WINDOW;
        let sum: f64 = self.adjustments.iter().sum();
        self.coord.adjustment = sum / (2.0 * ADJUSTMENT_WINDOW as f64);
    }

    /// A pull towards the origin that grows with the square of the distance from it.
    fn gravity(&mut self) {
        let distance = self.origin.distance_to(&self.coord).as_secs_f64();
        let force = -(distance / GRAVITY_RHO).powi(2);
        self.coord = pushed(&self.coord, force, &self.origin);
    }
}

/// `from` moved by `force` seconds along the unit vector from `other` to it (away from `other`
/// when positive), its height scaled along.
fn pushed(from: &Coordinate, force: f64, other: &Coordinate) -> Coordinate {
    let (unit, magnitude) = unit_vector(&from.vec, &other.vec);
    let mut out = from.clone();
    for (v, u) in out.vec.iter_mut().zip(&unit) {
        *v += u * force;
    }
    if magnitude > ZERO_THRESHOLD {
        out.height = ((out.height + other.height) * force / magnitude + out.height).max(HEIGHT_MIN);
    }
    out
}

/// The unit vector from `b` to `a` and the distance between them; a random direction (and
/// distance 0) when they coincide.
fn unit_vector(a: &[f64], b: &[f64]) -> (Vec<f64>, f64) {
    let diff: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let magnitude = norm(&diff);
    if magnitude > ZERO_THRESHOLD {
        return (diff.iter().map(|d| d / magnitude).collect(), magnitude);
    }
    let random: Vec<f64> = (0..a.len()).map(|_| rand::random::<f64>() - 0.5).collect();
    let m = norm(&random);
    if m > ZERO_THRESHOLD {
        return (random.iter().map(|d| d / m).collect(), 0.0);
    }
    let mut axis = vec![0.0; a.len()];
    if let Some(first) = axis.first_mut() {
        *first = 1.0;
    }
    (axis, 0.0)
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nodes on a plane with round trips proportional to their distance, plus a fixed access
    /// link each: every node probes random others, and the estimates approach the truth.
    #[test]
    fn converges_on_a_known_topology() {
        let positions: Vec<(f64, f64)> = (0..16)
            .map(|i| ((i % 4) as f64 * 0.010, (i / 4) as f64 * 0.010))
            .collect();
        let access = 0.0005;
        let truth = |a: usize, b: usize| {
            let (x1, y1) = positions[a];
            let (x2, y2) = positions[b];
            ((x1 - x2).powi(2) + (y1 - y2).powi(2)).sqrt() + 2.0 * access
        };
        let mut nodes: Vec<Vivaldi> = (0..positions.len()).map(|_| Vivaldi::new()).collect();
        for round in 0..2000 {
            for i in 0..nodes.len() {
                let j = (i + 1 + (round * 7 + i * 3) % (nodes.len() - 1)) % nodes.len();
                let other = nodes[j].coordinate().clone();
                let rtt = Duration::from_secs_f64(truth(i, j));
                nodes[i].observe(&j.to_string(), &other, rtt).unwrap();
            }
        }
        let mut worst: f64 = 0.0;
        for i in 0..nodes.len() {
            for j in 0..nodes.len() {
                if i == j {
                    continue;
                }
                let estimate = nodes[i].coordinate().distance_to(nodes[j].coordinate());
                let error = (estimate.as_secs_f64() - truth(i, j)).abs() / truth(i, j);
                worst = worst.max(error);
            }
        }
        assert!(worst < 0.25, "worst relative error {worst}");
        assert!(nodes.iter().all(|n| n.coordinate().error < 0.5));
    }

    #[test]
    fn bad_samples_are_refused_and_the_coordinate_stays() {
        let mut v = Vivaldi::new();
        let mut other = initial();
        other.vec.pop();
        assert_eq!(
            v.observe("a", &other, Duration::from_millis(1)),
            Err(SampleError::Dimensions(7))
        );
        let mut other = initial();
        other.vec[0] = f64::NAN;
        assert_eq!(
            v.observe("a", &other, Duration::from_millis(1)),
            Err(SampleError::Invalid)
        );
        assert!(matches!(
            v.observe("a", &initial(), Duration::from_secs(11)),
            Err(SampleError::Rtt(_))
        ));
        assert_eq!(v.coordinate(), &initial());
    }

    #[test]
    fn one_slow_reply_is_filtered_out() {
        let mut v = Vivaldi::new();
        let peer = initial();
        for _ in 0..50 {
            v.observe("a", &peer, Duration::from_millis(2)).unwrap();
        }
        let before = v.coordinate().distance_to(&peer);
        v.observe("a", &peer, Duration::from_millis(900)).unwrap();
        let after = v.coordinate().distance_to(&peer);
        let moved = (after.as_secs_f64() - before.as_secs_f64()).abs();
        assert!(moved < 0.001, "moved {moved} s on one outlier");
    }
}
