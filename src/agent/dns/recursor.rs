//! Forwarding of names outside the domain to the configured recursors, through hickory's
//! resolver (in the order given, each tried once within `recursor_timeout`). The upstream's
//! NXDOMAIN or NODATA and its SOA are passed on; no answer at all is SERVFAIL.

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RecordType};
use hickory_proto::xfer::Protocol;
use hickory_proto::ProtoErrorKind;
use hickory_resolver::config::{
    NameServerConfig, NameServerConfigGroup, ResolverConfig, ResolverOpts, ServerOrderingStrategy,
};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::TokioResolver;

use super::reply::{Reply, Unit};
use super::settings::Settings;

pub struct Recursor {
    resolver: TokioResolver,
}

impl Recursor {
    /// A forwarder to `settings.recursors`; `None` when there are none.
    pub fn new(settings: &Settings) -> Option<Recursor> {
        if settings.recursors.is_empty() {
            return None;
        }
        let mut group = NameServerConfigGroup::new();
        for addr in &settings.recursors {
            group.push(NameServerConfig::new(*addr, Protocol::Udp));
            group.push(NameServerConfig::new(*addr, Protocol::Tcp));
        }
        let config = ResolverConfig::from_parts(None, Vec::new(), group);
        let mut opts = ResolverOpts::default();
        opts.timeout = settings.recursor_timeout;
        opts.attempts = 1;
        opts.server_ordering_strategy = ServerOrderingStrategy::UserProvidedOrder;
        opts.preserve_intermediates = true;
        opts.recursion_desired = true;
        opts.use_hosts_file = hickory_resolver::config::ResolveHosts::Never;
        let resolver =
            TokioResolver::builder_with_config(config, TokioConnectionProvider::default())
                .with_options(opts)
                .build();
        Some(Recursor { resolver })
    }

    pub async fn resolve(&self, name: &Name, qtype: RecordType) -> Reply {
        match self.resolver.lookup(name.clone(), qtype).await {
            Ok(lookup) => Reply::answers(lookup.records().iter().cloned().map(Unit::of).collect()),
            Err(e) => {
                let kind = e.proto().map(|p| p.kind());
                if let Some(ProtoErrorKind::NoRecordsFound {
                    response_code, soa, ..
                }) = kind
                {
                    let mut reply = Reply::code(*response_code);
                    reply.authority.extend(
                        soa.as_ref()
                            .map(|s| s.as_ref().clone().into_record_of_rdata()),
                    );
                    return reply;
                }
                tracing::debug!("dns: recursors failed for {name} {qtype}: {e}");
                Reply::code(ResponseCode::ServFail)
            }
        }
    }
}
