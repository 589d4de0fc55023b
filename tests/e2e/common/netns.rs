//! Network namespaces for tests of what crosses a network: a private /24 whose hosts each get a
//! namespace of their own, joined by a bridge in a further namespace (so the host's firewall
//! never sees their traffic), a veth from the test process into the bridge, and nft rules on
//! the bridge that cut hosts off from each other and heal. Also the prerequisite check (root,
//! `ip`, `nft`: the test fails naming what to install, never skips) and a command runner.

use std::io::Write;
use std::net::Ipv4Addr;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// The nft table that holds the partition, inside the switch namespace.
const CUT_TABLE: &str = "sd_partition";
/// First octets of the private network; the third comes from the process id.
const NET_PREFIX: [u8; 2] = [10, 213];
/// Runs `program args`; its stdout, or a description of the failure.
pub fn run(program: &str, args: &[&str], stdin: Option<&str>) -> Result<String, String> {
    let describe = || format!("`{program} {}`", args.join(" "));
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("{}: {e}", describe()))?;
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        pipe.write_all(input.as_bytes())
            .map_err(|e| format!("{}: writing stdin: {e}", describe()))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("{}: {e}", describe()))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{} exited with {}: {}{}",
            describe(),
            out.status,
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        ))
    }
}

/// Starts `sd agent ARGS` inside namespace `ns` (`ip netns exec` execs it, so the child is the
/// agent), with output to `log` and no Consul address from the environment.
pub fn spawn_agent_in(ns: &str, args: &[String], log: &std::path::Path) -> std::process::Child {
    let out = std::fs::File::options()
        .create(true)
        .append(true)
        .open(log)
        .expect("agent log file");
    Command::new("ip")
        .args(["netns", "exec", ns])
        .arg(env!("CARGO_BIN_EXE_sd"))
        .arg("agent")
        .args(args)
        .env_remove("CONSUL_HTTP_ADDR")
        .env_remove("SD_HTTP_ADDR")
        .stdin(Stdio::null())
        .stdout(out.try_clone().expect("agent log file"))
        .stderr(out)
        .spawn()
        .expect("spawn `ip netns exec ... sd agent`")
}

/// Runs an `ip` command that must succeed.
fn ip(args: &[&str]) -> String {
    run("ip", args, None).unwrap_or_else(|e| panic!("setting up the test network: {e}"))
}

/// Fails (never skips) unless the test can build namespaces: root, `ip` and `nft`.
pub fn require_prerequisites() {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let euid = status
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .and_then(|l| l.split_whitespace().nth(2))
        .unwrap_or("unknown");
    assert!(
        euid == "0",
        "the network-namespace tests build namespaces and needs root (effective uid 0, this is \
         {euid}); run it as root, with iproute2 and nftables installed: \
         `apt-get install iproute2 nftables`"
    );
    for (program, arg, package) in [("ip", "-V", "iproute2"), ("nft", "--version", "nftables")] {
        if let Err(e) = run(program, &[arg], None) {
            panic!(
                "the network-namespace tests need `{program}` from the {package} package: install it with \
                 `apt-get install {package}` ({e})"
            );
        }
    }
}

/// The test's private network: a switch namespace holding bridge `br0`, one namespace per host
/// with `eth0` in the bridge, and a veth from the test process's namespace into the bridge.
/// Dropping it deletes all of it. The bridge is not in the test process's namespace because
/// there the host's firewall may see bridged traffic (`br_netfilter`) and drop it (Docker sets
/// the FORWARD policy to DROP).
pub struct Net {
    /// Unique per process and per network: prefix of every name visible outside the namespaces.
    pub tag: String,
    /// The third octet of the /24.
    subnet: u8,
    switch_ns: Option<String>,
    host_if: Option<String>,
    pub hosts: Vec<String>,
}

impl Net {
    /// Builds the network for `n` hosts (addresses `.11`, `.12`, ...; the test process is `.1`).
    pub fn create(n: u8) -> Net {
        sweep_stale();
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let pid = std::process::id();
        // At most "sdp" + 7 digits + "-" + 1 digit + "h": within the 15 bytes of an interface name.
        let tag = format!("sdp{pid}-{}", NEXT.fetch_add(1, Ordering::Relaxed) % 10);
        let mut net = Net {
            subnet: free_subnet(pid),
            tag,
            switch_ns: None,
            host_if: None,
            hosts: Vec::new(),
        };
        let sw = format!("{}-sw", net.tag);
        ip(&["netns", "add", &sw]);
        net.switch_ns = Some(sw.clone());
        ip(&["-n", &sw, "link", "set", "lo", "up"]);
        // Spanning tree off (the default): ports forward as soon as they are up.
        ip(&["-n", &sw, "link", "add", "br0", "type", "bridge"]);
        ip(&["-n", &sw, "link", "set", "br0", "up"]);

        // The test process's leg.
        let host_if = format!("{}h", net.tag);
        assert!(host_if.len() <= 15, "interface name {host_if} too long");
        ip(&[
            "link", "add", &host_if, "type", "veth", "peer", "name", "up0", "netns", &sw,
        ]);
        net.host_if = Some(host_if.clone());
        ip(&["-n", &sw, "link", "set", "up0", "master", "br0"]);
        ip(&["-n", &sw, "link", "set", "up0", "up"]);
        let cidr = format!("{}/24", net.addr(1));
        ip(&["addr", "add", &cidr, "dev", &host_if]);
        ip(&["link", "set", &host_if, "up"]);

        for i in 1..=n {
            let ns = format!("{}-s{i}", net.tag);
            ip(&["netns", "add", &ns]);
            net.hosts.push(ns.clone());
            ip(&["-n", &ns, "link", "set", "lo", "up"]);
            let port = format!("p{i}");
            ip(&[
                "-n", &sw, "link", "add", &port, "type", "veth", "peer", "name", "eth0", "netns",
                &ns,
            ]);
            ip(&["-n", &sw, "link", "set", &port, "master", "br0"]);
            ip(&["-n", &sw, "link", "set", &port, "up"]);
            let cidr = format!("{}/24", net.host_addr(i));
            ip(&["-n", &ns, "addr", "add", &cidr, "dev", "eth0"]);
            ip(&["-n", &ns, "link", "set", "eth0", "up"]);
        }
        net
    }

    pub fn addr(&self, last: u8) -> Ipv4Addr {
        Ipv4Addr::new(NET_PREFIX[0], NET_PREFIX[1], self.subnet, last)
    }

    /// The address of host `i` (1-based).
    pub fn host_addr(&self, i: u8) -> Ipv4Addr {
        self.addr(10 + i)
    }

    /// Drops, on the bridge, every IPv4 packet between `isolated` and `others` (both ways,
    /// silently, as a failed switch would); the test process still reaches everyone.
    pub fn cut(&self, isolated: Ipv4Addr, others: &[Ipv4Addr]) {
        let pairs: Vec<_> = others.iter().map(|o| (isolated, *o)).collect();
        self.cut_pairs(&pairs);
    }

    /// Drops, on the bridge, every IPv4 packet between the two hosts of each pair (both ways);
    /// replaces any cut in place. The test process still reaches everyone.
    pub fn cut_pairs(&self, pairs: &[(Ipv4Addr, Ipv4Addr)]) {
        let mut rules = format!(
            "table bridge {CUT_TABLE} {{\n\tchain forward {{\n\t\ttype filter hook forward \
             priority 0; policy accept;\n"
        );
        for (a, b) in pairs {
            rules.push_str(&format!("\t\tip saddr {a} ip daddr {b} drop\n"));
            rules.push_str(&format!("\t\tip saddr {b} ip daddr {a} drop\n"));
        }
        rules.push_str("\t}\n}\n");
        let sw = self.switch_ns.as_deref().expect("switch namespace");
        // Flush first: a table that already exists would otherwise gain the new rules.
        let script = format!("table bridge {CUT_TABLE}\ndelete table bridge {CUT_TABLE}\n{rules}");
        run(
            "ip",
            &["netns", "exec", sw, "nft", "-f", "-"],
            Some(&script),
        )
        .unwrap_or_else(|e| panic!("installing the partition: {e}\n{script}"));
    }

    /// Removes the partition.
    pub fn heal(&self) {
        let sw = self.switch_ns.as_deref().expect("switch namespace");
        run(
            "ip",
            &[
                "netns", "exec", sw, "nft", "delete", "table", "bridge", CUT_TABLE,
            ],
            None,
        )
        .unwrap_or_else(|e| panic!("removing the partition: {e}"));
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        // Deleting a namespace destroys the interfaces in it and their veth peers.
        for ns in self.hosts.drain(..) {
            if let Err(e) = run("ip", &["netns", "delete", &ns], None) {
                eprintln!("cleanup: {e}");
            }
        }
        if let Some(host_if) = self.host_if.take() {
            // Usually gone already with its peer; deleting it again is harmless.
            let _ = run("ip", &["link", "delete", &host_if], None);
        }
        if let Some(sw) = self.switch_ns.take() {
            if let Err(e) = run("ip", &["netns", "delete", &sw], None) {
                eprintln!("cleanup: {e}");
            }
        }
    }
}

/// Removes namespaces and links a killed test process left behind (`sdp<pid>-...` with no
/// process `<pid>`): their addresses would make agents see several private IPv4 addresses.
fn sweep_stale() {
    let dead = |name: &str| {
        let pid: String = name
            .strip_prefix("sdp")
            .unwrap_or("")
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        !pid.is_empty() && !std::path::Path::new(&format!("/proc/{pid}")).exists()
    };
    let namespaces = run("ip", &["netns", "list"], None).unwrap_or_default();
    for ns in namespaces
        .lines()
        .filter_map(|l| l.split_whitespace().next())
    {
        if dead(ns) {
            let _ = run("ip", &["netns", "delete", ns], None);
        }
    }
    let links = run("ip", &["-o", "link", "show"], None).unwrap_or_default();
    for link in links
        .lines()
        .filter_map(|l| l.split(": ").nth(1))
        .map(|l| l.split('@').next().unwrap_or(l))
    {
        if dead(link) {
            let _ = run("ip", &["link", "delete", link], None);
        }
    }
}

/// A third octet for `10.213.X.0/24` derived from `pid`, skipping any /24 this machine already
/// has an address or a route in (another test process, or the machine's own network).
fn free_subnet(pid: u32) -> u8 {
    let addrs = run("ip", &["-4", "-o", "addr", "show"], None).unwrap_or_default();
    let routes = run("ip", &["-4", "route", "show", "table", "all"], None).unwrap_or_default();
    let start = pid % 256;
    (0..256)
        .map(|d| ((start + d) % 256) as u8)
        .find(|x| {
            let prefix = format!("{}.{}.{x}.", NET_PREFIX[0], NET_PREFIX[1]);
            !addrs.contains(&prefix) && !routes.contains(&prefix)
        })
        .expect("every 10.213.X.0/24 is in use on this machine")
}
