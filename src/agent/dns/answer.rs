//! Answers one question: parses the name, asks the source for the service, node or address
//! owner, and shapes Consul's records (shuffled on every query). Unknown or unhealthy names are
//! NXDOMAIN, existing names without records of the asked type are NODATA; both carry the SOA.
//! SOA and NS questions anywhere in the domain get the domain's SOA and its servers (up to
//! three healthy `consul` instances). Names outside the domain go to the recursors, or are
//! refused when there are none.

use std::net::IpAddr;
use std::sync::Arc;

use hickory_proto::op::{Query, ResponseCode};
use hickory_proto::rr::{Name, Record, RecordType};
use rand::seq::SliceRandom;

use super::fast::{self, Question, Wire};
use super::name::{self, Lookup};
use super::records::{self, Families};
use super::recursor::Recursor;
use super::reply::{Reply, Unit};
use super::settings::Settings;
use super::source::{Source, SourceError};
use super::view::{Instance, NodeView, Owner, ServiceView, SrvTarget, Target};
use crate::agent::Agent;

/// At most this many servers in NS answers (Consul's figure).
const MAX_NS: usize = 3;

/// A service question: its name and type, and how many answers are worth making.
#[derive(Clone, Copy)]
struct Asked<'a> {
    qname: &'a Name,
    qtype: RecordType,
    wanted: Option<usize>,
}

pub struct Responder {
    agent: Arc<Agent>,
    pub settings: Settings,
    source: Source,
    recursor: Option<Recursor>,
}

impl Responder {
    pub fn new(agent: Arc<Agent>) -> Responder {
        let settings = Settings::from_config(&agent.config);
        let recursor = Recursor::new(&settings);
        let source = Source::for_agent(&agent);
        Responder {
            agent,
            settings,
            source,
            recursor,
        }
    }

    /// Whether names outside the domain are forwarded (the RA flag).
    pub fn recursion_available(&self) -> bool {
        self.recursor.is_some()
    }

    /// The reply to `query`; service answers stop at `wanted` records when it is given (the
    /// rest would be trimmed away).
    pub async fn answer(&self, query: &Query, wanted: Option<usize>) -> Reply {
        let qname = query.name();
        let qtype = query.query_type();
        let lower = qname.to_lowercase().to_ascii();
        let domains: Vec<&str> = self.settings.domains.iter().map(String::as_str).collect();
        let parsed = name::parse(&lower, qtype == RecordType::SRV, &domains);
        let primary = self.settings.domains[0].as_str();
        let soa_domain = match parsed.lookup {
            Lookup::Reverse(_) => primary,
            _ => parsed.domain,
        };
        let result = match parsed.lookup {
            Lookup::Outside => return self.recurse(query).await,
            Lookup::Reverse(ip) => self.reverse(query, ip).await,
            _ if matches!(qtype, RecordType::AXFR | RecordType::IXFR) => {
                Ok(Reply::code(ResponseCode::NotImp))
            }
            _ if qtype == RecordType::SOA => self.soa_reply(parsed.domain).await,
            _ if qtype == RecordType::NS => self.ns_reply(parsed.domain).await,
            Lookup::Service {
                service,
                tag,
                datacenter,
            } if self.settings.is_local(datacenter.as_deref()) => {
                let asked = Asked {
                    qname,
                    qtype,
                    wanted,
                };
                self.service(asked, &service, tag.as_deref(), parsed.domain)
                    .await
            }
            Lookup::Query { name, datacenter } => {
                let asked = Asked {
                    qname,
                    qtype,
                    wanted,
                };
                let remote = datacenter.filter(|dc| !self.settings.is_local(Some(dc)));
                self.prepared(asked, &name, remote, parsed.domain).await
            }
            Lookup::Node { node, datacenter } if self.settings.is_local(datacenter.as_deref()) => {
                self.node(qname, qtype, &node).await
            }
            Lookup::Service {
                service,
                tag,
                datacenter: Some(dc),
            } => {
                let asked = Asked {
                    qname,
                    qtype,
                    wanted,
                };
                self.remote_service(asked, &dc, &service, tag.as_deref(), parsed.domain)
                    .await
            }
            Lookup::Node {
                node,
                datacenter: Some(dc),
            } => Source::remote_node(&self.agent, &self.settings, &dc, &node)
                .await
                .map(|found| self.node_reply(qname, qtype, found)),
            Lookup::Addr { ip } => Ok(addr(qname, qtype, ip, self.settings.node_ttl)),
            Lookup::Apex => Ok(Reply::answers(Vec::new())),
            _ => Ok(Reply::code(ResponseCode::NXDomain)),
        };
        let mut reply = match result {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!("dns: cannot answer {lower} {qtype}: {e}");
                return Reply::code(ResponseCode::ServFail);
            }
        };
        if reply.is_negative() {
            if let Some(d) = records::name(soa_domain) {
                reply.authority.push(records::soa(&d, &self.settings));
            }
        }
        reply
    }

    async fn service(
        &self,
        asked: Asked<'_>,
        service: &str,
        tag: Option<&str>,
        domain: &str,
    ) -> Result<Reply, SourceError> {
        let view = self
            .source
            .service(&self.agent, &self.settings, service)
            .await?;
        Ok(self.service_reply(asked, &view, service, tag, domain))
    }

    /// The instances of `view` with `tag`, shuffled, as records of the type asked; NXDOMAIN
    /// when there are none.
    fn service_reply(
        &self,
        asked: Asked<'_>,
        view: &ServiceView,
        service: &str,
        tag: Option<&str>,
        domain: &str,
    ) -> Reply {
        let mut picked: Vec<&Instance> = view.with_tag(tag).collect();
        if picked.is_empty() {
            return Reply::code(ResponseCode::NXDomain);
        }
        picked.shuffle(&mut rand::rng());
        let ttl = self.settings.service_ttl(service);
        Reply::answers(self.instance_units(&asked, view, &picked, ttl, domain))
    }

    /// `<service>.service.<dc>.consul` for another datacenter: its instances, asked of a server
    /// there; NXDOMAIN when the datacenter cannot be reached or has none.
    async fn remote_service(
        &self,
        asked: Asked<'_>,
        dc: &str,
        service: &str,
        tag: Option<&str>,
        domain: &str,
    ) -> Result<Reply, SourceError> {
        Ok(
            match Source::remote_service(&self.agent, &self.settings, dc, service).await? {
                Some(view) => self.service_reply(asked, &view, service, tag, domain),
                None => Reply::code(ResponseCode::NXDomain),
            },
        )
    }

    /// `<name>.query[.<dc>].consul`: the instances prepared query `name` selects (run in
    /// datacenter `remote` when given), in its order, with its `DNS.TTL` (else the service's
    /// TTL); NXDOMAIN when no query answers to the name or it selects nothing.
    async fn prepared(
        &self,
        asked: Asked<'_>,
        name: &str,
        remote: Option<String>,
        domain: &str,
    ) -> Result<Reply, SourceError> {
        let q = crate::agent::endpoints::QueryOptions {
            consistency: if self.settings.allow_stale {
                crate::agent::endpoints::Consistency::Stale
            } else {
                crate::agent::endpoints::Consistency::Default
            },
            datacenter: remote,
            ..Default::default()
        };
        let found = self
            .agent
            .prepared_query_execute(name, &q)
            .await
            .map_err(|e| SourceError::Query(e.to_string()))?;
        let Some(result) = found.filter(|r| !r.nodes.is_empty()) else {
            return Ok(Reply::code(ResponseCode::NXDomain));
        };
        let view = ServiceView::from_entries(&result.nodes, false);
        let picked: Vec<&Instance> = view.with_tag(None).collect();
        let ttl = crate::api::parse_duration(&result.dns.ttl)
            .ok()
            .filter(|_| !result.dns.ttl.is_empty())
            .map_or_else(
                || self.settings.service_ttl(&result.service),
                |d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX),
            );
        Ok(Reply::answers(
            self.instance_units(&asked, &view, &picked, ttl, domain),
        ))
    }

    /// The answer records for `picked` instances of `view`: SRV or addresses, per the type
    /// asked.
    fn instance_units(
        &self,
        asked: &Asked<'_>,
        view: &ServiceView,
        picked: &[&Instance],
        ttl: u32,
        domain: &str,
    ) -> Vec<Unit> {
        let Asked { qname, qtype, .. } = *asked;
        let wanted = asked.wanted.unwrap_or(usize::MAX);
        match qtype {
            RecordType::SRV => self.srv_units(qname, view, picked, (ttl, wanted), domain),
            _ => match families(qtype) {
                Some(want) => self.address_units(qname, picked, (ttl, wanted), want),
                None => Vec::new(),
            },
        }
    }

    /// A/AAAA answers, one per distinct address, up to `a_record_limit` (and `wanted`); a CNAME
    /// only when no instance has an IP of the wanted family but one has a host name.
    fn address_units(
        &self,
        qname: &Name,
        picked: &[&Instance],
        (ttl, wanted): (u32, usize),
        want: Families,
    ) -> Vec<Unit> {
        let limit = match self.settings.a_record_limit {
            0 => wanted,
            n => n.min(wanted),
        };
        let mut units: Vec<Unit> = Vec::new();
        let mut seen: Vec<IpAddr> = Vec::new();
        let mut cname = None;
        for i in picked {
            match &i.target {
                Target::Ip(ip) if !seen.contains(ip) => {
                    if let Some(r) = records::address(qname, *ip, ttl, want) {
                        seen.push(*ip);
                        units.push(Unit::of(r));
                        if units.len() == limit {
                            break;
                        }
                    }
                }
                Target::Host(_) if cname.is_none() => {
                    cname = records::target(qname, &i.target, ttl, want);
                }
                _ => {}
            }
        }
        if units.is_empty() {
            units.extend(cname.map(Unit::of));
        }
        units
    }

    /// SRV answers, one per distinct (node, address, port), up to `wanted`, each target's
    /// address (and its node's meta) in the additional section the first time the target
    /// appears.
    fn srv_units(
        &self,
        qname: &Name,
        view: &ServiceView,
        picked: &[&Instance],
        (ttl, wanted): (u32, usize),
        domain: &str,
    ) -> Vec<Unit> {
        let targets = self.srv_targets(view, ttl, domain);
        let mut units = Vec::with_capacity(picked.len().min(wanted));
        let mut seen: Vec<(&str, &Target, u16)> = Vec::new();
        let mut with_extra: Vec<&str> = Vec::new();
        let mut metas: Vec<&str> = Vec::new();
        for i in picked {
            if units.len() == wanted {
                break;
            }
            let tuple = (i.node.as_str(), &i.target, i.port);
            if seen.contains(&tuple) {
                continue;
            }
            seen.push(tuple);
            // `picked` borrows from `view.instances`: find the instance's own target.
            let index = view
                .instances
                .iter()
                .position(|x| std::ptr::eq(x, *i))
                .unwrap_or(usize::MAX);
            let Some(Some(t)) = targets.get(index) else {
                continue;
            };
            let new_target = !with_extra.contains(&t.key.as_str());
            let new_meta = !t.meta.is_empty() && !metas.contains(&i.node.as_str());
            let mut extra = Vec::with_capacity(
                usize::from(new_target) * t.address.iter().len()
                    + usize::from(new_meta) * t.meta.len(),
            );
            if new_target {
                with_extra.push(&t.key);
                extra.extend(t.address.iter().cloned());
            }
            if new_meta {
                metas.push(&i.node);
                extra.extend(t.meta.iter().cloned());
            }
            let answer = records::srv(qname, ttl, i.weight, i.port, t.name.clone());
            units.push(Unit { answer, extra });
        }
        units
    }

    /// Each instance's SRV target under `domain`, made on first use.
    fn srv_targets<'v>(
        &self,
        view: &'v ServiceView,
        ttl: u32,
        domain: &str,
    ) -> &'v Vec<Option<SrvTarget>> {
        let slot = usize::from(domain != self.settings.domains[0]);
        view.srv_targets[slot].get_or_init(|| {
            view.instances
                .iter()
                .map(|i| self.srv_target(i, ttl, domain))
                .collect()
        })
    }

    /// The reply to a question the fast path reads off the datagram (`fast`), from the
    /// service's records encoded once; `None` when the general path must answer it (see
    /// `fast` for which), including every error and NXDOMAIN.
    pub async fn fast(&self, q: &Question<'_>) -> Option<Vec<u8>> {
        let view = self
            .source
            .service(&self.agent, &self.settings, &q.service)
            .await
            .ok()?;
        let domain = self.settings.domains.get(q.slot)?;
        let wire = view.wire[q.slot].get_or_init(|| {
            let ttl = self.settings.service_ttl(&q.service);
            let targets = self.srv_targets(&view, ttl, domain);
            Wire::new(&view.instances, targets, ttl, &self.settings)
        });
        fast::reply(q, wire, &self.settings, self.recursion_available())
    }

    /// An instance's SRV target: its node's name, or `<hex>.addr.` for its own IP, or its host
    /// name; with the target's address and the node's meta.
    fn srv_target(&self, i: &Instance, ttl: u32, domain: &str) -> Option<SrvTarget> {
        // The instance's own datacenter: another one's nodes are named under it.
        let dc = i.datacenter.as_str();
        let both = Families { v4: true, v6: true };
        let (key, ip) = match &i.target {
            Target::Ip(ip) if i.own_address => (records::addr_fqdn(*ip, dc, domain), Some(*ip)),
            Target::Ip(ip) => (records::node_fqdn(&i.node, dc, domain), Some(*ip)),
            Target::Host(h) => (format!("{h}."), None),
        };
        let name = records::name(&key)?;
        let address = ip.and_then(|ip| records::address(&name, ip, ttl, both));
        let meta = match records::name(&records::node_fqdn(&i.node, dc, domain)) {
            Some(owner) if self.settings.node_meta_txt => {
                records::meta_txt(&owner, i.node_meta.iter(), ttl)
            }
            _ => Vec::new(),
        };
        Some(SrvTarget {
            key,
            name,
            address,
            meta,
        })
    }

    async fn node(
        &self,
        qname: &Name,
        qtype: RecordType,
        node: &str,
    ) -> Result<Reply, SourceError> {
        let found = self.source.node(&self.agent, &self.settings, node).await?;
        Ok(self.node_reply(qname, qtype, found))
    }

    /// A node's address and meta records, or NXDOMAIN for none.
    fn node_reply(&self, qname: &Name, qtype: RecordType, found: Option<NodeView>) -> Reply {
        let Some(n) = found else {
            return Reply::code(ResponseCode::NXDomain);
        };
        let ttl = self.settings.node_ttl;
        let meta = || records::meta_txt(qname, n.meta.iter(), ttl);
        let mut reply = Reply::answers(Vec::new());
        if let (Some(want), Some(t)) = (families(qtype), &n.target) {
            reply
                .units
                .extend(records::target(qname, t, ttl, want).map(Unit::of));
        }
        match qtype {
            RecordType::TXT | RecordType::ANY => {
                reply.units.extend(meta().into_iter().map(Unit::of))
            }
            RecordType::A | RecordType::AAAA if self.settings.node_meta_txt => {
                reply.additional = meta();
            }
            _ => {}
        }
        reply
    }

    /// The domain's SOA, its servers in the authority section and their addresses.
    async fn soa_reply(&self, domain: &str) -> Result<Reply, SourceError> {
        let Some(d) = records::name(domain) else {
            return Ok(Reply::code(ResponseCode::NXDomain));
        };
        let servers = self.servers(&d, domain).await?;
        let mut reply = Reply::answers(vec![Unit::of(records::soa(&d, &self.settings))]);
        for s in servers {
            reply.authority.push(s.answer);
            reply.additional.extend(s.extra);
        }
        Ok(reply)
    }

    async fn ns_reply(&self, domain: &str) -> Result<Reply, SourceError> {
        let Some(d) = records::name(domain) else {
            return Ok(Reply::code(ResponseCode::NXDomain));
        };
        Ok(Reply::answers(self.servers(&d, domain).await?))
    }

    /// NS records for up to three healthy servers (the `consul` service), with their addresses.
    async fn servers(&self, d: &Name, domain: &str) -> Result<Vec<Unit>, SourceError> {
        let view = self
            .source
            .service(&self.agent, &self.settings, "consul")
            .await?;
        let mut picked: Vec<&Instance> = view.instances.iter().collect();
        picked.shuffle(&mut rand::rng());
        let ttl = self.settings.node_ttl;
        let both = Families { v4: true, v6: true };
        let mut units: Vec<Unit> = Vec::new();
        let mut nodes: Vec<&str> = Vec::new();
        for i in picked {
            if nodes.contains(&i.node.as_str()) {
                continue;
            }
            let fqdn = records::node_fqdn(&i.node, &self.settings.datacenter, domain);
            let Some(server) = records::name(&fqdn) else {
                continue;
            };
            nodes.push(&i.node);
            let mut unit = Unit::of(records::ns(d, ttl, server.clone()));
            unit.extra
                .extend(records::target(&server, &i.target, ttl, both));
            units.push(unit);
            if units.len() == MAX_NS {
                break;
            }
        }
        Ok(units)
    }

    /// PTR for a node's or a service instance's address; other names go to the recursors.
    async fn reverse(&self, query: &Query, ip: Option<IpAddr>) -> Result<Reply, SourceError> {
        let owner = match ip {
            Some(ip) => self.source.owner(&self.agent, &self.settings, ip).await?,
            None => None,
        };
        let Some(owner) = owner else {
            if self.recursor.is_some() {
                return Ok(self.recurse(query).await);
            }
            return Ok(Reply::code(ResponseCode::NXDomain));
        };
        if !matches!(query.query_type(), RecordType::PTR | RecordType::ANY) {
            return Ok(Reply::answers(Vec::new()));
        }
        let domain = self.settings.domains[0].as_str();
        let target = match owner {
            Owner::Node { node, datacenter } => records::node_fqdn(&node, &datacenter, domain),
            Owner::Service {
                service,
                datacenter,
            } => records::service_fqdn(&service, &datacenter, domain),
        };
        Ok(Reply::answers(
            records::name(&target)
                .map(|t| Unit::of(records::ptr(query.name(), t)))
                .into_iter()
                .collect(),
        ))
    }

    async fn recurse(&self, query: &Query) -> Reply {
        match &self.recursor {
            Some(r) => r.resolve(query.name(), query.query_type()).await,
            None => Reply::code(ResponseCode::Refused),
        }
    }
}

/// The address families an A, AAAA or ANY question asks for; `None` for other types.
fn families(qtype: RecordType) -> Option<Families> {
    match qtype {
        RecordType::A => Some(Families {
            v4: true,
            v6: false,
        }),
        RecordType::AAAA => Some(Families {
            v4: false,
            v6: true,
        }),
        RecordType::ANY => Some(Families { v4: true, v6: true }),
        _ => None,
    }
}

/// `<hex>.addr.` answers: the address itself when its family is asked for.
fn addr(qname: &Name, qtype: RecordType, ip: IpAddr, ttl: u32) -> Reply {
    let units: Vec<Record> = families(qtype)
        .and_then(|want| records::address(qname, ip, ttl, want))
        .into_iter()
        .collect();
    Reply::answers(units.into_iter().map(Unit::of).collect())
}
