//! Outage recovery with `<data-dir>/raft/peers.json`, as in Consul: when quorum is lost for
//! good, the operator writes the surviving servers into that file on each survivor and starts
//! them. Before Raft starts, a server that finds the file applies everything in its log to the
//! state, writes a snapshot at its last log entry whose configuration is the file's server set,
//! drops the log behind it and deletes the file. The survivors then elect a leader among
//! themselves; the one with the longest log wins and brings the others up to date.
//!
//! The file is Consul's Raft protocol 3 format:
//! `[{"id": "<node-id>", "address": "10.0.0.1:8300", "non_voter": false}, ...]`.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use openraft::storage::{RaftLogReader, RaftLogStorage, RaftSnapshotBuilder, RaftStateMachine};
use openraft::Membership;
use serde::Deserialize;

use super::state_machine::StateMachine;
use super::types::{node_id_from_uuid, ServerNode, StoredMembership};
use super::wal::LogStore;

/// The file's name inside the Raft directory.
pub const PEERS_FILE: &str = "peers.json";

/// Why recovery could not run; the agent does not start.
#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    #[error("cannot read {path}: {detail}; fix or remove the file and start again")]
    Invalid { path: PathBuf, detail: String },
    #[error("recovery from {path} failed: {detail}")]
    Failed { path: PathBuf, detail: String },
}

/// One server in peers.json.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct Peer {
    id: String,
    address: String,
    #[serde(default)]
    non_voter: bool,
}

/// Parses and checks the file's contents.
fn parse(text: &str) -> Result<Vec<Peer>, String> {
    let peers: Vec<Peer> = serde_json::from_str(text).map_err(|e| {
        format!("{e} (expected [{{\"id\": \"<node-id>\", \"address\": \"IP:8300\", \"non_voter\": false}}, ...])")
    })?;
    if !peers.iter().any(|p| !p.non_voter) {
        return Err("it names no voting server".into());
    }
    let mut ids = BTreeSet::new();
    for p in &peers {
        if uuid::Uuid::parse_str(p.id.trim()).is_err() {
            return Err(format!(
                "{:?} is not a node ID (the UUID in <data-dir>/node-id)",
                p.id
            ));
        }
        if p.address.parse::<SocketAddr>().is_err() {
            return Err(format!(
                "{:?} is not an IP:port server RPC address",
                p.address
            ));
        }
        if !ids.insert(node_id_from_uuid(&p.id)) {
            return Err(format!("node ID {} appears twice", p.id));
        }
    }
    Ok(peers)
}

/// Runs the recovery if `raft_dir` holds a peers.json. Returns whether it ran.
pub async fn recover_if_asked(
    raft_dir: &Path,
    log: &mut LogStore,
    sm: &mut StateMachine,
) -> Result<bool, RecoveryError> {
    let path = raft_dir.join(PEERS_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => {
            return Err(RecoveryError::Invalid {
                path,
                detail: e.to_string(),
            })
        }
    };
    let peers = parse(&text).map_err(|detail| RecoveryError::Invalid {
        path: path.clone(),
        detail,
    })?;
    let failed = |detail: String| RecoveryError::Failed {
        path: path.clone(),
        detail,
    };

    // Everything in the log, committed or not, goes into the state (as Consul does).
    let state = log
        .get_log_state()
        .await
        .map_err(|e| failed(e.to_string()))?;
    let (applied, old_membership) = sm
        .applied_state()
        .await
        .map_err(|e| failed(e.to_string()))?;
    if let Some(last) = state.last_log_id {
        let from = applied.map_or(0, |a| a.index + 1);
        if from <= last.index {
            let entries = log
                .try_get_log_entries(from..=last.index)
                .await
                .map_err(|e| failed(e.to_string()))?;
            sm.apply(entries).await.map_err(|e| failed(e.to_string()))?;
        }
    }
    let (last, _) = sm
        .applied_state()
        .await
        .map_err(|e| failed(e.to_string()))?;
    let Some(last) = last else {
        return Err(failed(
            "this server has no Raft data to recover; remove peers.json and start it as a new server".into(),
        ));
    };

    let names: BTreeMap<u64, String> = old_membership
        .membership()
        .nodes()
        .map(|(nid, n)| (*nid, n.name.clone()))
        .collect();
    let nodes: BTreeMap<u64, ServerNode> = peers
        .iter()
        .map(|p| {
            let nid = node_id_from_uuid(&p.id);
            let name = names
                .get(&nid)
                .cloned()
                .unwrap_or_else(|| p.address.clone());
            (
                nid,
                ServerNode {
                    id: p.id.trim().to_ascii_lowercase(),
                    name,
                    addr: p.address.clone(),
                },
            )
        })
        .collect();
    let voters: BTreeSet<u64> = peers
        .iter()
        .filter(|p| !p.non_voter)
        .map(|p| node_id_from_uuid(&p.id))
        .collect();
    sm.force_membership(StoredMembership::new(
        Some(last),
        Membership::new(vec![voters], nodes),
    ));
    sm.get_snapshot_builder()
        .await
        .build_snapshot()
        .await
        .map_err(|e| failed(e.to_string()))?;
    if state.last_log_id.is_some() {
        log.purge(last).await.map_err(|e| failed(e.to_string()))?;
    }
    std::fs::remove_file(&path).map_err(|e| failed(format!("cannot delete the file: {e}")))?;
    tracing::warn!(
        servers = peers.len(),
        index = last.index,
        "recovered the Raft configuration from peers.json; the file was deleted"
    );
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consul_format_parses() {
        let peers = parse(
            r#"[{"id":"3af9a31f-5313-07ca-5c53-079deb9386e3","address":"10.0.0.1:8300","non_voter":false},
                {"id":"92924082-0302-7ae8-2ed7-2b6d65510eba","address":"10.0.0.2:8300"}]"#,
        )
        .unwrap();
        assert_eq!(peers.len(), 2);
        assert!(!peers[1].non_voter);
    }

    #[test]
    fn bad_files_say_why() {
        assert!(parse("[]").unwrap_err().contains("no voting server"));
        assert!(parse("{").unwrap_err().contains("expected ["));
        assert!(parse(r#"[{"id":"x","address":"10.0.0.1:8300"}]"#)
            .unwrap_err()
            .contains("not a node ID"));
        assert!(
            parse(r#"[{"id":"3af9a31f-5313-07ca-5c53-079deb9386e3","address":"10.0.0.1"}]"#)
                .unwrap_err()
                .contains("IP:port")
        );
        let twice = r#"[{"id":"3af9a31f-5313-07ca-5c53-079deb9386e3","address":"10.0.0.1:8300"},
                        {"id":"3AF9A31F-5313-07ca-5c53-079deb9386e3","address":"10.0.0.2:8300"}]"#;
        assert!(parse(twice).unwrap_err().contains("twice"));
    }
}
