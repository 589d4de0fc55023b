//! Running a prepared query for the agent's own DNS (`<name>.query.consul`): here when this
//! agent may answer the read (a server that leads, or any server for a stale read), otherwise
//! on the leader or (from a client agent) a server, through the same `/v1/query/:name/execute`
//! the HTTP API serves, with this agent as the node `_agent` means. A query with no healthy
//! instance here fails over to other datacenters as its definition says (`query_failover`).

use super::catalog::{decode, decode_from, escape, query_string, request};
use super::{query_failover, read, EndpointError, QueryOptions};
use crate::agent::state::query_exec::{resolve_and_execute, ExecuteOptions};
use crate::agent::Agent;
use crate::api::prepared_query::QueryExecuteResponse;

impl Agent {
    /// Executes the query `name` names (in `q.datacenter` when it names another one); `None`
    /// when none does, or that datacenter cannot be reached.
    pub async fn prepared_query_execute(
        &self,
        name: &str,
        q: &QueryOptions,
    ) -> Result<Option<QueryExecuteResponse>, EndpointError> {
        let path = format!("/v1/query/{}/execute", escape(name));
        let mut message = request(
            self,
            "GET",
            format!("{path}{}", query_string(q)),
            Vec::new(),
        );
        message.origin_node = Some(self.config.node_name.clone());
        if let Some(dc) = self.other_datacenter(q) {
            let answer = self.send_to_datacenter(dc, &message).await?;
            return match decode_from::<QueryExecuteResponse>(dc, answer, q.consistency) {
                Ok((r, _)) => Ok(Some(r)),
                Err(EndpointError::NotFound(_) | EndpointError::NoPathToDatacenter(_)) => Ok(None),
                Err(e) => Err(e),
            };
        }
        let stale = q.consistency == super::Consistency::Stale;
        match self.send_unless_here(&message, stale).await? {
            None => {
                read::gate(self, q.consistency).await?;
                let o = ExecuteOptions {
                    datacenter: &self.config.datacenter,
                    agent_node: &self.config.node_name,
                    ..ExecuteOptions::default()
                };
                let found = resolve_and_execute(&self.store.read(), name, &o, false)
                    .map_err(EndpointError::Invalid)?;
                Ok(match found {
                    Some((local, query)) => Some(query_failover::run(self, local, &query, 0).await),
                    None => None,
                })
            }
            Some(answer) => match decode::<QueryExecuteResponse>(answer, q.consistency) {
                Ok((r, _)) => Ok(Some(r)),
                Err(EndpointError::NotFound(_)) => Ok(None),
                Err(e) => Err(e),
            },
        }
    }
}
