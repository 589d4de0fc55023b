//! End-to-end: `sd kv get|put|delete|export|import` against a real `sd agent -dev`, checking
//! output, messages and exit codes the way `consul kv ...` prints them.

use crate::common;

use common::{fails, free_port, ok, run_sd_env, Agent, AgentBuilder};

/// The ModifyIndex line of `kv get -detailed`.
fn modify_index(a: &Agent, key: &str) -> u64 {
    let out = ok(&a.cli(&["kv", "get", "-detailed", key]));
    out.lines()
        .find_map(|l| l.strip_prefix("ModifyIndex"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no ModifyIndex in {out}"))
}

#[test]
fn put_get_detailed_delete() {
    let a = AgentBuilder::dev().start();
    let put = a.cli(&["kv", "put", "redis/config/connections", "5"]);
    assert_eq!(
        ok(&put),
        "Success! Data written to: redis/config/connections\n"
    );
    assert_eq!(
        ok(&a.cli(&["kv", "get", "redis/config/connections"])),
        "5\n"
    );
    // A leading slash is stripped, as in Consul.
    assert_eq!(
        ok(&a.cli(&["kv", "get", "/redis/config/connections"])),
        "5\n"
    );

    ok(&a.cli(&["kv", "put", "-flags=42", "web/flagged", "v"]));
    let detailed = ok(&a.cli(&["kv", "get", "-detailed", "web/flagged"]));
    let lines: Vec<&str> = detailed.lines().collect();
    assert_eq!(lines.len(), 7, "{detailed}");
    assert!(lines[0].starts_with("CreateIndex      "), "{detailed}");
    assert_eq!(lines[1], "Flags            42");
    assert_eq!(lines[2], "Key              web/flagged");
    assert_eq!(lines[3], "LockIndex        0");
    assert!(lines[4].starts_with("ModifyIndex      "), "{detailed}");
    assert_eq!(lines[5], "Session          -");
    assert_eq!(lines[6], "Value            v");
    let b64 = ok(&a.cli(&["kv", "get", "-detailed", "-base64", "web/flagged"]));
    assert!(b64.ends_with("Value            dg==\n"), "{b64}");
    assert_eq!(
        ok(&a.cli(&["kv", "get", "-base64", "web/flagged"])),
        "dg==\n"
    );

    assert_eq!(
        ok(&a.cli(&["kv", "delete", "web/flagged"])),
        "Success! Deleted key: web/flagged\n"
    );
    let missing = a.cli(&["kv", "get", "web/flagged"]);
    assert_eq!(fails(&missing, 1), "Error! No key exists at: web/flagged\n");
    // Deleting a key that does not exist is not an error.
    assert_eq!(
        ok(&a.cli(&["kv", "delete", "web/flagged"])),
        "Success! Deleted key: web/flagged\n"
    );
}

#[test]
fn data_from_file_stdin_and_base64() {
    let a = AgentBuilder::dev().start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("license.lic");
    std::fs::write(&file, b"line one\nline two\n").unwrap();
    let at = format!("@{}", file.display());
    ok(&a.cli(&["kv", "put", "config/license", &at]));
    assert_eq!(
        ok(&a.cli(&["kv", "get", "config/license"])),
        "line one\nline two\n\n"
    );

    let put = a.cli_stdin(&["kv", "put", "config/stdin", "-"], b"abcd1234");
    assert_eq!(ok(&put), "Success! Data written to: config/stdin\n");
    assert_eq!(ok(&a.cli(&["kv", "get", "config/stdin"])), "abcd1234\n");

    // -base64 input, with the trailing newline `echo` adds (Go's decoder skips it).
    let put = a.cli_stdin(&["kv", "put", "-base64", "config/bin", "-"], b"AAH/\n");
    ok(&put);
    let raw = a.cli(&["kv", "get", "config/bin"]);
    ok(&raw);
    assert_eq!(raw.stdout, b"\x00\x01\xff\n");
    assert_eq!(
        ok(&a.cli(&["kv", "get", "-base64", "config/bin"])),
        "AAH/\n"
    );

    // No DATA: an empty value; a literal that starts with '-' is taken as is.
    ok(&a.cli(&["kv", "put", "webapp/beta/active"]));
    assert_eq!(ok(&a.cli(&["kv", "get", "webapp/beta/active"])), "\n");
    ok(&a.cli(&["kv", "put", "neg", "-5"]));
    assert_eq!(ok(&a.cli(&["kv", "get", "neg"])), "-5\n");

    let missing = a.cli(&["kv", "put", "x", "@/nonexistent/file"]);
    assert_eq!(
        fails(&missing, 1),
        "Error! Failed to read file: open /nonexistent/file: no such file or directory\n"
    );
    let bad = a.cli(&["kv", "put", "-base64", "x", "!!!"]);
    assert!(fails(&bad, 1).starts_with("Error! Cannot base 64 decode data: "));
}

#[test]
fn recurse_and_keys() {
    let a = AgentBuilder::dev().start();
    for (k, v) in [
        ("app/a", "1"),
        ("app/b/c", "2"),
        ("app/b/d", "3"),
        ("apple", "4"),
    ] {
        ok(&a.cli(&["kv", "put", k, v]));
    }
    assert_eq!(
        ok(&a.cli(&["kv", "get", "-recurse", "app/"])),
        "app/a:1\napp/b/c:2\napp/b/d:3\n"
    );
    assert_eq!(
        ok(&a.cli(&["kv", "get", "-recurse", "-base64", "app/b"])),
        "app/b/c:Mg==\napp/b/d:Mw==\n"
    );
    assert_eq!(
        ok(&a.cli(&["kv", "get", "-keys", "app/"])),
        "app/a\napp/b/\n"
    );
    assert_eq!(ok(&a.cli(&["kv", "get", "-keys"])), "app/\napple\n");
    assert_eq!(
        ok(&a.cli(&["kv", "get", "-keys", "-separator=", "app"])),
        "app/a\napp/b/c\napp/b/d\napple\n"
    );
    assert_eq!(
        ok(&a.cli(&["kv", "get", "-keys", "-recurse", "app/b"])),
        "app/b/c\napp/b/d\n"
    );
    let detailed = ok(&a.cli(&["kv", "get", "-recurse", "-detailed", "app/b"]));
    let blocks: Vec<&str> = detailed.split("\n\n").collect();
    assert_eq!(blocks.len(), 2, "{detailed}");
    assert!(blocks[0].ends_with("Value            2"), "{detailed}");
    assert!(blocks[1].ends_with("Value            3\n"), "{detailed}");
    // Nothing under a prefix: no output, success.
    assert_eq!(ok(&a.cli(&["kv", "get", "-recurse", "nothing/"])), "");

    assert_eq!(
        ok(&a.cli(&["kv", "delete", "-recurse", "app/"])),
        "Success! Deleted keys with prefix: app/\n"
    );
    assert_eq!(ok(&a.cli(&["kv", "get", "-keys"])), "apple\n");
}

#[test]
fn check_and_set() {
    let a = AgentBuilder::dev().start();
    let first = a.cli(&["kv", "put", "-cas", "lock/me", "one"]);
    assert_eq!(ok(&first), "Success! Data written to: lock/me\n");
    let again = a.cli(&["kv", "put", "-cas", "lock/me", "two"]);
    assert_eq!(
        fails(&again, 1),
        "Error! Did not write to lock/me: CAS performed with index=0 and key already exists.\n"
    );
    let index = modify_index(&a, "lock/me");
    let stale = format!("-modify-index={}", index + 100);
    let lost = a.cli(&["kv", "put", "-cas", &stale, "lock/me", "two"]);
    assert_eq!(
        fails(&lost, 1),
        "Error! Did not write to lock/me: CAS failed\n"
    );
    let current = format!("-modify-index={index}");
    ok(&a.cli(&["kv", "put", "-cas", &current, "lock/me", "two"]));
    assert_eq!(ok(&a.cli(&["kv", "get", "lock/me"])), "two\n");

    let index = modify_index(&a, "lock/me");
    let lost = a.cli(&["kv", "delete", "-cas", &stale, "lock/me"]);
    assert_eq!(
        fails(&lost, 1),
        "Error! Did not delete key lock/me: CAS failed\n"
    );
    let current = format!("-modify-index={index}");
    assert_eq!(
        ok(&a.cli(&["kv", "delete", "-cas", &current, "lock/me"])),
        "Success! Deleted key: lock/me\n"
    );
}

#[test]
fn refused_arguments_and_flag_conflicts() {
    let a = AgentBuilder::dev().start();
    let cases: &[(&[&str], &str)] = &[
        (&["kv", "get"], "Error! Missing KEY argument\n"),
        // Flags stop at the first positional, as with Go's flag package.
        (
            &["kv", "get", "foo", "-recurse"],
            "Too many arguments (expected 1, got 2)\n",
        ),
        (&["kv", "put"], "Error! Missing KEY argument\n"),
        (
            &["kv", "put", "a", "b", "c"],
            "Error! Too many arguments (expected 1 or 2, got 3)\n",
        ),
        (
            &["kv", "put", "-acquire", "k"],
            "Error! Missing -session (required with -acquire and -release)\n",
        ),
        (&["kv", "delete"], "Error! Missing KEY argument\n"),
        (
            &["kv", "delete", "-cas", "k"],
            "Cannot delete a key that does not exist. Provide a -modify-index greater than than 0.\n",
        ),
        (
            &["kv", "delete", "-modify-index=3", "k"],
            "Cannot specify -modify-index without -cas!\n",
        ),
        (
            &["kv", "delete", "-cas", "-modify-index=3", "-recurse", "k"],
            "Cannot specify both -cas and -recurse!\n",
        ),
        (&["kv", "import"], "Error! Missing DATA argument\n"),
        (&["kv", "import", ""], "Error! Empty DATA argument\n"),
        (
            &["kv", "export", "a", "b"],
            "Too many arguments (expected 1, got 2)\n",
        ),
    ];
    for (args, message) in cases {
        assert_eq!(fails(&a.cli(args), 1), *message, "{args:?}");
    }
    // An unknown flag is a usage error.
    assert_eq!(a.cli(&["kv", "get", "-bogus", "k"]).status.code(), Some(2));
    // Sessions are the agent's business: it refuses an unknown one and the CLI says so.
    let acquire = a.cli(&["kv", "put", "-acquire", "-session=nope", "k", "v"]);
    let err = fails(&acquire, 1);
    assert!(
        err.starts_with("Error! Failed writing data: Unexpected response code: "),
        "{err}"
    );
}

#[test]
fn export_then_import_under_a_prefix() {
    let a = AgentBuilder::dev().start();
    ok(&a.cli(&["kv", "put", "-flags=7", "vault/a", "x<y>"]));
    ok(&a.cli(&["kv", "put", "vault/dir/", ""]));
    let exported = ok(&a.cli(&["kv", "export", "vault/"]));
    assert_eq!(
        exported,
        "[\n\t{\n\t\t\"key\": \"vault/a\",\n\t\t\"flags\": 7,\n\t\t\"value\": \"eDx5Pg==\"\n\t},\n\
         \t{\n\t\t\"key\": \"vault/dir/\",\n\t\t\"flags\": 0,\n\t\t\"value\": \"\"\n\t}\n]\n"
    );
    assert_eq!(ok(&a.cli(&["kv", "export", "none/"])), "[]\n");

    let imported = a.cli_stdin(
        &["kv", "import", "-prefix=backup", "-"],
        exported.as_bytes(),
    );
    assert_eq!(
        ok(&imported),
        "Imported: backup/vault/a\nImported: backup/vault/dir/\n"
    );
    assert_eq!(ok(&a.cli(&["kv", "get", "backup/vault/a"])), "x<y>\n");
    let detailed = ok(&a.cli(&["kv", "get", "-detailed", "backup/vault/a"]));
    assert!(detailed.contains("Flags            7\n"), "{detailed}");

    // DATA given literally, without a prefix.
    let literal = r#"[{"key":"lit/k","flags":0,"value":"aGk="}]"#;
    assert_eq!(ok(&a.cli(&["kv", "import", literal])), "Imported: lit/k\n");
    assert_eq!(ok(&a.cli(&["kv", "get", "lit/k"])), "hi\n");
    let bad = a.cli(&["kv", "import", "not json"]);
    assert!(fails(&bad, 1).starts_with("Cannot unmarshal data: "));
}

#[test]
fn address_from_flag_and_environment() {
    let a = AgentBuilder::dev().start();
    ok(&a.cli(&["kv", "put", "where", "here"]));
    let dead = format!("127.0.0.1:{}", free_port());
    let live = a.http_addr();

    // -http-addr beats CONSUL_HTTP_ADDR.
    let flag = format!("-http-addr=http://{live}");
    let o = run_sd_env(
        &["kv", "get", &flag, "where"],
        &[("CONSUL_HTTP_ADDR", &dead)],
        None,
    );
    assert_eq!(ok(&o), "here\n");
    // CONSUL_HTTP_ADDR beats SD_HTTP_ADDR.
    let o = run_sd_env(
        &["kv", "get", "where"],
        &[("CONSUL_HTTP_ADDR", &live), ("SD_HTTP_ADDR", &dead)],
        None,
    );
    assert_eq!(ok(&o), "here\n");
    // SD_HTTP_ADDR alone.
    let o = run_sd_env(&["kv", "get", "where"], &[("SD_HTTP_ADDR", &live)], None);
    assert_eq!(ok(&o), "here\n");
    // -stale and -datacenter reach the agent.
    assert_eq!(
        ok(&a.cli(&["kv", "get", "-stale", "-datacenter=dc1", "where"])),
        "here\n"
    );
    let other_dc = a.cli(&["kv", "get", "-datacenter=elsewhere", "where"]);
    let err = fails(&other_dc, 1);
    assert!(
        err.starts_with("Error querying Consul agent: Unexpected response code: 500"),
        "{err}"
    );

    // Nobody listening: Consul's wording, exit 1.
    let o = run_sd_env(
        &["kv", "get", "where"],
        &[("CONSUL_HTTP_ADDR", &dead)],
        None,
    );
    assert_eq!(
        fails(&o, 1),
        format!(
            "Error querying Consul agent: Get \"http://{dead}/v1/kv/where\": \
             dial tcp {dead}: connect: connection refused\n"
        )
    );
    let o = run_sd_env(
        &["kv", "put", "k", "v"],
        &[("CONSUL_HTTP_ADDR", &dead)],
        None,
    );
    assert!(fails(&o, 1).starts_with("Error! Failed writing data: Put \""));
}
