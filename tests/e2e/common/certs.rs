//! Certificates for TLS tests, made by `sd tls` itself in a directory of the test's.

use std::path::Path;
use std::process::Command;

use super::ok;

/// Runs `sd` in `dir` (the tls commands write to the working directory).
pub fn sd_in(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(super::sd_bin())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("spawn sd")
}

/// `sd tls cert create <kind>` signed by CA `ca` (`<ca>.pem`, `<ca>-key.pem`) with the loopback
/// addresses, renamed to `<name>.pem` and `<name>-key.pem`; returns the name sd gave it.
pub fn sd_cert(dir: &Path, kind: &str, ca: &str, name: &str, ips: &[String]) -> String {
    sd_cert_in(dir, &[kind], ca, name, ips)
}

/// [`sd_cert`] with more of `sd tls cert create`'s flags in `kind` (`["-server", "-dc",
/// "dc2"]`).
pub fn sd_cert_in(dir: &Path, kind: &[&str], ca: &str, name: &str, ips: &[String]) -> String {
    let (ca_file, key_file) = (format!("{ca}.pem"), format!("{ca}-key.pem"));
    let mut args = vec!["tls", "cert", "create"];
    args.extend(kind);
    args.extend(["-ca", &ca_file, "-key", &key_file]);
    for ip in ips {
        args.extend(["-additional-ipaddress", ip.as_str()]);
    }
    let out = ok(&sd_in(dir, &args));
    let saved: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("==> Saved "))
        .collect();
    assert_eq!(saved.len(), 2, "{out}");
    std::fs::rename(dir.join(saved[0]), dir.join(format!("{name}.pem"))).unwrap();
    std::fs::rename(dir.join(saved[1]), dir.join(format!("{name}-key.pem"))).unwrap();
    saved[0].to_string()
}
