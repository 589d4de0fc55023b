//! The short forms consul-template takes on its command line: `-template "src[:dest[:command]]"`
//! and `-wait "min[:max]"`.

use std::time::Duration;

use super::{CommandSpec, TemplateConfig, WaitConfig};

/// Parses `-template "src[:dest[:command]]"`. Parts past the third are the command's own colons
/// (`sh -c 'a:b'`), re-joined as consul-template does. Unlike consul-template, an empty part is
/// an error rather than skipped (`a::cmd` is not "source a, destination cmd"), and there is no
/// Windows drive-letter rule (`c:x` is two parts): sd runs on Unix only.
pub fn parse_template(spec: &str) -> Result<TemplateConfig, String> {
    let bad = |why: &str| format!("-template {spec:?}: {why}");
    if spec.trim().is_empty() {
        return Err(bad("empty; expected \"source[:destination[:command]]\""));
    }
    let mut parts = spec.splitn(3, ':');
    let source = parts.next().unwrap_or_default();
    let destination = parts.next();
    let command = parts.next();
    if source.is_empty() {
        return Err(bad("no source file before the first ':'"));
    }
    if destination == Some("") {
        return Err(bad("empty destination between the colons"));
    }
    if command == Some("") {
        return Err(bad("empty command after the last ':'"));
    }
    Ok(TemplateConfig {
        source: Some(source.into()),
        destination: destination.map(Into::into),
        command: command.map(|c| CommandSpec::Shell(c.to_string())),
        ..Default::default()
    })
}

/// Parses `min[:max]` (Go durations); `max` defaults to 4 x `min` and may not be less than it.
pub fn parse_wait(text: &str) -> Result<WaitConfig, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty; expected \"min[:max]\" such as 5s:30s".into());
    }
    let dur = |s: &str| crate::api::parse_duration(s.trim()).map_err(|e| format!("{text:?}: {e}"));
    let (min, max) = match text.split(':').collect::<Vec<_>>()[..] {
        [min] => {
            let min = dur(min)?;
            (min, min * 4)
        }
        [min, max] => (dur(min)?, dur(max)?),
        _ => return Err(format!("{text:?}: expected \"min[:max]\"")),
    };
    check_wait(min, max).map_err(|e| format!("{text:?}: {e}"))
}

/// A wait whose `max` is at least its `min`.
pub fn check_wait(min: Duration, max: Duration) -> Result<WaitConfig, String> {
    if max < min {
        return Err(format!("max ({max:?}) is less than min ({min:?})"));
    }
    Ok(WaitConfig { min, max })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_spec() {
        let t = parse_template(
            "/opt/nginx.ctmpl:/etc/nginx/conf.d/servers.conf:/usr/sbin/nginx -s reload",
        )
        .unwrap();
        assert_eq!(t.source.unwrap().to_str(), Some("/opt/nginx.ctmpl"));
        assert_eq!(
            t.destination.unwrap().to_str(),
            Some("/etc/nginx/conf.d/servers.conf")
        );
        assert_eq!(
            t.command,
            Some(CommandSpec::Shell("/usr/sbin/nginx -s reload".into()))
        );
    }

    #[test]
    fn commands_keep_their_colons() {
        let t = parse_template("a:b:sh -c 'echo x:y'").unwrap();
        assert_eq!(
            t.command,
            Some(CommandSpec::Shell("sh -c 'echo x:y'".into()))
        );
        let t = parse_template("in.tmpl").unwrap();
        assert!(t.destination.is_none() && t.command.is_none());
    }

    #[test]
    fn malformed_specs_name_themselves() {
        for spec in ["", ":out", "a::cmd", "a:b:"] {
            let e = parse_template(spec).unwrap_err();
            assert!(e.starts_with(&format!("-template {spec:?}")), "{e}");
        }
    }

    #[test]
    fn waits() {
        let w = parse_wait("5s").unwrap();
        assert_eq!(
            (w.min, w.max),
            (Duration::from_secs(5), Duration::from_secs(20))
        );
        let w = parse_wait("100ms:2s").unwrap();
        assert_eq!(w.max, Duration::from_secs(2));
        assert!(parse_wait("10s:1s").unwrap_err().contains("less than min"));
        assert!(parse_wait("1s:2s:3s").is_err());
        assert!(parse_wait("soon").is_err());
    }
}
