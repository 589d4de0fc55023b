//! The inputs the companion tools read: `sd register-docker`'s containers as the Docker engine
//! describes them (inspect JSON: names, ports, networks, environment, labels and the
//! `SERVICE_*` keys in them, health checks) and `sd template`'s configuration files (HCL 1,
//! HCL 2 or JSON). Each fails on a panic.

use crate::docker::container::Container;
use crate::docker::service::{services, Options};

/// `docker`: one container's inspect answer, turned into the services registrator would
/// register, with and without `-internal` and `-explicit`.
pub(super) fn container(data: &[u8]) {
    let Ok(raw) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(c) = Container::from_inspect(raw) else {
        return;
    };
    for (internal, explicit) in [(false, false), (true, false), (false, true)] {
        let o = Options {
            hostname: "host1".into(),
            ip: None,
            host_ip: "10.0.0.2".into(),
            internal,
            explicit,
            ip_from_label: Some("ip".into()),
        };
        let _ = services(&c, &o, &["extra".to_string()]);
    }
    let _ = (
        c.short_name(),
        c.default_ip(),
        c.host_network(),
        c.has_healthcheck(),
    );
}

/// `template_config`: a consul-template configuration file, loaded as `CT_LOCAL_CONFIG` is.
pub(super) fn template_config(data: &[u8]) {
    let Some(text) = super::text(data) else {
        return;
    };
    let sources = crate::template::config::Sources {
        local_config: Some(text.to_string()),
        paths: Vec::new(),
        flags: serde_json::Value::Object(Default::default()),
    };
    let _ = crate::template::config::load(&sources);
}
