//! Who a request is: [`Agent::caller`] turns the secret a request carried (or the agent's
//! default token) into a [`Caller`]. A server looks in its own state; a client agent asks a
//! server through `/v1/internal/acl/resolve` and caches the answer (`acl::resolve`). A server
//! of a secondary datacenter (`primary_datacenter` names another one) asks a server of the
//! primary the same way for a token it does not hold itself: the primary's tokens and policies
//! work everywhere, tokens made `Local` work only where they were made. The leader also makes
//! the configured `initial_management` token.

use std::sync::Arc;

use super::catalog::{decode, request_as};
use super::forward;
use super::{Consistency, EndpointError};
use crate::agent::acl::{builtin, Caller, Resolved};
use crate::agent::state::acl::{secret_key, AclOp};
use crate::agent::state::{Command, CommandResult};
use crate::agent::Agent;

/// The sd-internal route a client agent resolves tokens through.
pub const RESOLVE_PATH: &str = "/v1/internal/acl/resolve";

impl Agent {
    /// The caller a request with `secret` (none: the default token) acts as.
    pub async fn caller(&self, secret: Option<&str>) -> Result<Arc<Caller>, EndpointError> {
        let acls = &self.acls;
        if !acls.enabled() {
            return Ok(acls.everyone());
        }
        let default;
        let secret = match secret.filter(|s| !s.is_empty()) {
            Some(s) => s,
            None => {
                default = acls.default_secret();
                &default
            }
        };
        if self.raft_opt().is_some() {
            let local = {
                let t = self.store.read();
                acls.resolve_local(secret, &t.acl, t.restores)
            };
            match local {
                Err(EndpointError::AclNotFound) if self.acl_primary().is_some() => {}
                found => return found,
            }
        }
        if let Some(caller) = acls.cached(secret) {
            return Ok(caller);
        }
        let mut message = request_as(Some(secret), "GET", RESOLVE_PATH.to_string(), Vec::new());
        let sent = match self.acl_primary() {
            Some(primary) => {
                message.uri = format!("{RESOLVE_PATH}?dc={primary}");
                Box::pin(forward::to_datacenter(self, primary, &message)).await
            }
            None => Box::pin(forward::to_server(self, &message)).await,
        };
        let answer = match sent {
            Ok(answer) => decode::<Resolved>(answer, Consistency::Stale).map(|(r, _)| r),
            Err(e) => Err(e),
        };
        match answer {
            Ok(resolved) => Ok(acls.learn(secret, &resolved)),
            Err(EndpointError::AclNotFound) => {
                acls.forget(secret);
                Err(EndpointError::AclNotFound)
            }
            Err(e) => {
                tracing::warn!(
                    "cannot look up an ACL token on the servers, applying acl.down_policy: {e}"
                );
                acls.when_down(secret, e)
            }
        }
    }
}

impl Agent {
    /// The primary datacenter, on a server of another one with ACLs on: where tokens and
    /// policies are made and resolved.
    pub fn acl_primary(&self) -> Option<&str> {
        let primary = self.config.primary_datacenter.as_str();
        (self.acls.enabled()
            && self.raft_opt().is_some()
            && !primary.is_empty()
            && primary != self.config.datacenter)
            .then_some(primary)
    }

    /// On the leader: makes `acl.tokens.initial_management` a management token when no token
    /// has that secret yet (the bootstrap, if none was done).
    pub async fn ensure_initial_management(&self) -> Result<(), EndpointError> {
        let Some(secret) = self.acls.tokens().initial_management else {
            return Ok(());
        };
        // Tokens are made in the primary datacenter; a secondary resolves them there.
        if self.acl_primary().is_some() {
            return Ok(());
        }
        let (exists, bootstrapped) = {
            let t = self.store.read();
            (
                t.acl.token_by_secret(&secret_key(&secret)).is_some(),
                t.acl.bootstrapped().is_some(),
            )
        };
        if exists {
            return Ok(());
        }
        let mut token = builtin::bootstrap_token(secret);
        token.description = "Initial Management Token".into();
        let op = match bootstrapped {
            true => AclOp::TokenSet(Box::new(token)),
            false => AclOp::Bootstrap {
                token: Box::new(token),
                reset: None,
            },
        };
        match self.write(Command::Acl(op)).await?.1 {
            CommandResult::Acl(Err(e)) => Err(EndpointError::Write(e)),
            _ => Ok(()),
        }
    }
}
