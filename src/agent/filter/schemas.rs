//! The schemas of the filterable endpoints: the selectors Consul documents for each (its API
//! docs' "Filtering" tables), with Consul's PascalCase names and Go types. A few fields Consul's
//! structs have beyond the tables are included too (`ServiceSocketPath`, `SocketPath`, a check's
//! `Type`, `Interval`, `Timeout`, `ExposedPort` and `Definition`), since Consul accepts them.
//!
//! Consul fields its filters cannot see are left out, as Consul hides them (`bexpr:"-"`):
//! `CreateIndex`, `ModifyIndex`, `ContentHash`, a proxy's `Config`, and enterprise fields.

use super::schema::{field, Schema, Type};

const WEIGHTS: Schema = Schema {
    name: "Weights",
    fields: &[field("Passing", Type::INT), field("Warning", Type::INT)],
};

const SERVICE_ADDRESS: Schema = Schema {
    name: "ServiceAddress",
    fields: &[field("Address", Type::STRING), field("Port", Type::INT)],
};

/// A service's tagged addresses: `lan`, `wan`, ... each an address and a port.
const SERVICE_TAGGED_ADDRESSES: Type = Type::Map(&Type::Struct(&SERVICE_ADDRESS));

const CONNECT: Schema = Schema {
    name: "ServiceConnect",
    fields: &[field("Native", Type::BOOL)],
};

const MESH_GATEWAY: Schema = Schema {
    name: "MeshGatewayConfig",
    fields: &[field("Mode", Type::STRING)],
};

const TRANSPARENT_PROXY: Schema = Schema {
    name: "TransparentProxyConfig",
    fields: &[field("OutboundListenerPort", Type::INT)],
};

const UPSTREAM: Schema = Schema {
    name: "Upstream",
    fields: &[
        field("Datacenter", Type::STRING),
        field("DestinationName", Type::STRING),
        field("DestinationNamespace", Type::STRING),
        field("DestinationType", Type::STRING),
        field("LocalBindAddress", Type::STRING),
        field("LocalBindPort", Type::INT),
        field("MeshGateway", Type::Struct(&MESH_GATEWAY)),
    ],
};

const PROXY: Schema = Schema {
    name: "ConnectProxyConfig",
    fields: &[
        field("DestinationServiceID", Type::STRING),
        field("DestinationServiceName", Type::STRING),
        field("LocalServiceAddress", Type::STRING),
        field("LocalServicePort", Type::INT),
        field("Mode", Type::STRING),
        field("TransparentProxy", Type::Struct(&TRANSPARENT_PROXY)),
        field("MeshGateway", Type::Struct(&MESH_GATEWAY)),
        field("Upstreams", Type::ListOf(&UPSTREAM)),
    ],
};

const NODE: Schema = Schema {
    name: "Node",
    fields: &[
        field("ID", Type::STRING),
        field("Node", Type::STRING),
        field("Address", Type::STRING),
        field("Datacenter", Type::STRING),
        field("TaggedAddresses", Type::STRING_MAP),
        field("Meta", Type::STRING_MAP),
    ],
};

const AGENT_SERVICE: Schema = Schema {
    name: "AgentService",
    fields: &[
        field("Kind", Type::STRING),
        field("ID", Type::STRING),
        field("Service", Type::STRING),
        field("Tags", Type::STRINGS),
        field("Meta", Type::STRING_MAP),
        field("Port", Type::INT),
        field("Address", Type::STRING),
        field("SocketPath", Type::STRING),
        field("TaggedAddresses", SERVICE_TAGGED_ADDRESSES),
        field("Weights", Type::Struct(&WEIGHTS)),
        field("EnableTagOverride", Type::BOOL),
        field("Proxy", Type::Struct(&PROXY)),
        field("Connect", Type::Struct(&CONNECT)),
    ],
};

const CATALOG_SERVICE: Schema = Schema {
    name: "CatalogService",
    fields: &[
        field("ID", Type::STRING),
        field("Node", Type::STRING),
        field("Address", Type::STRING),
        field("Datacenter", Type::STRING),
        field("TaggedAddresses", Type::STRING_MAP),
        field("NodeMeta", Type::STRING_MAP),
        field("ServiceKind", Type::STRING),
        field("ServiceID", Type::STRING),
        field("ServiceName", Type::STRING),
        field("ServiceTags", Type::STRINGS),
        field("ServiceAddress", Type::STRING),
        field("ServiceSocketPath", Type::STRING),
        field("ServiceTaggedAddresses", SERVICE_TAGGED_ADDRESSES),
        field("ServiceWeights", Type::Struct(&WEIGHTS)),
        field("ServiceMeta", Type::STRING_MAP),
        field("ServicePort", Type::INT),
        field("ServiceEnableTagOverride", Type::BOOL),
        field("ServiceProxy", Type::Struct(&PROXY)),
        field("ServiceConnect", Type::Struct(&CONNECT)),
    ],
};

const CHECK_DEFINITION: Schema = Schema {
    name: "HealthCheckDefinition",
    fields: &[
        field("HTTP", Type::STRING),
        field("Header", Type::Map(&Type::STRINGS)),
        field("Method", Type::STRING),
        field("Body", Type::STRING),
        field("TLSServerName", Type::STRING),
        field("TLSSkipVerify", Type::BOOL),
        field("TCP", Type::STRING),
        field("TCPUseTLS", Type::BOOL),
        field("UDP", Type::STRING),
        field("GRPC", Type::STRING),
        field("GRPCUseTLS", Type::BOOL),
        field("OSService", Type::STRING),
    ],
};

const HEALTH_CHECK: Schema = Schema {
    name: "HealthCheck",
    fields: &[
        field("Node", Type::STRING),
        field("CheckID", Type::STRING),
        field("Name", Type::STRING),
        field("Status", Type::STRING),
        field("Notes", Type::STRING),
        field("Output", Type::STRING),
        field("ServiceID", Type::STRING),
        field("ServiceName", Type::STRING),
        field("ServiceTags", Type::STRINGS),
        field("Type", Type::STRING),
        field("Interval", Type::STRING),
        field("Timeout", Type::STRING),
        field("ExposedPort", Type::INT),
        field("Definition", Type::Struct(&CHECK_DEFINITION)),
    ],
};

const SERVICE_ENTRY: Schema = Schema {
    name: "ServiceEntry",
    fields: &[
        field("Node", Type::Struct(&NODE)),
        field("Service", Type::Struct(&AGENT_SERVICE)),
        field("Checks", Type::ListOf(&HEALTH_CHECK)),
    ],
};

const AGENT_MEMBER: Schema = Schema {
    name: "AgentMember",
    fields: &[
        field("Name", Type::STRING),
        field("Addr", Type::STRING),
        field("Port", Type::UINT),
        field("Tags", Type::STRING_MAP),
        field("Status", Type::INT),
        field("ProtocolMin", Type::UINT),
        field("ProtocolMax", Type::UINT),
        field("ProtocolCur", Type::UINT),
        field("DelegateMin", Type::UINT),
        field("DelegateMax", Type::UINT),
        field("DelegateCur", Type::UINT),
    ],
};

/// An element of `/v1/catalog/service/:service` and `/v1/catalog/connect/:service`; also what
/// `/v1/catalog/services` filters.
pub fn catalog_service() -> &'static Schema {
    &CATALOG_SERVICE
}

/// An element of `/v1/catalog/nodes`.
pub fn node() -> &'static Schema {
    &NODE
}

/// An element of `/v1/health/service/:service` (and `/health/connect`, `/health/ingress`):
/// `Node`, `Service` and the list `Checks`.
pub fn service_entry() -> &'static Schema {
    &SERVICE_ENTRY
}

/// An element of the check lists: `/v1/health/checks/:service`, `/health/node/:node`,
/// `/health/state/:state`, and the values of `/v1/agent/checks`.
pub fn health_check() -> &'static Schema {
    &HEALTH_CHECK
}

/// A value of `/v1/agent/services`; also the services of `/v1/catalog/node/:node` and
/// `/v1/catalog/node-services/:node`.
pub fn agent_service() -> &'static Schema {
    &AGENT_SERVICE
}

/// An element of `/v1/agent/members`.
pub fn agent_member() -> &'static Schema {
    &AGENT_MEMBER
}
