//! The HTTP API flags every client command takes (`-http-addr`, `-token`, `-datacenter`, `-stale`, ...).
//! Owned by the client work; see `client` for how they become a connection.
