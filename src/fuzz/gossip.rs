//! `gossip`: what arrives on the serf LAN port, fed to a gossip core without sockets (see
//! `agent::gossip::fuzzing`): foca's SWIM packets, leave intents, user events, coordinates,
//! push/pull state, sealed datagrams. Fails on a panic.

pub(super) fn packet(data: &[u8]) {
    crate::agent::gossip::fuzzing::input(data);
}
