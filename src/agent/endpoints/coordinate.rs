//! `Coordinate.Update`: an agent's network coordinate on its way to the leader, which gathers
//! them and writes them in batches (`agent::coordinates`). A server that does not lead, or a
//! client agent, sends it on as `PUT /v1/coordinate/update`.

use super::EndpointError;
use crate::agent::Agent;
use crate::api::coordinate::CoordinateEntry;

impl Agent {
    /// Sends `entry` to the leader (or takes it, leading).
    pub async fn coordinate_update(&self, entry: CoordinateEntry) -> Result<(), EndpointError> {
        if self.write_here("/v1/coordinate/update", &entry).await? {
            self.accept_coordinate(entry)?;
        }
        Ok(())
    }

    /// On the leader: checks `entry` and queues it for the next batch (the latest per node and
    /// segment wins).
    pub fn accept_coordinate(&self, entry: CoordinateEntry) -> Result<(), EndpointError> {
        if entry.node.is_empty() {
            return Err(EndpointError::Invalid("Must provide node".into()));
        }
        if !entry.coord.is_valid() {
            return Err(EndpointError::Invalid("invalid coordinate".into()));
        }
        if !self.gossip.coordinate().is_compatible_with(&entry.coord) {
            return Err(EndpointError::Invalid("incompatible coordinate".into()));
        }
        self.coordinate_updates.add(entry);
        Ok(())
    }
}
