# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_sd_global_optspecs
    string join \n h/help V/version
end

function __fish_sd_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_sd_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_sd_using_subcommand
    set -l cmd (__fish_sd_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c sd -n "__fish_sd_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_needs_command" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_needs_command" -f -a "agent" -d 'Runs a Consul-compatible agent'
complete -c sd -n "__fish_sd_needs_command" -f -a "info" -d 'Provides debugging information for operators.'
complete -c sd -n "__fish_sd_needs_command" -f -a "kv" -d 'Interact with the key-value store'
complete -c sd -n "__fish_sd_needs_command" -f -a "members" -d 'Lists the members of a Consul cluster'
complete -c sd -n "__fish_sd_needs_command" -f -a "operator" -d 'Provides cluster-level tools for operators'
complete -c sd -n "__fish_sd_needs_command" -f -a "validate" -d 'Validate config files/directories'
complete -c sd -n "__fish_sd_needs_command" -f -a "version" -d 'Prints the sd version'
complete -c sd -n "__fish_sd_needs_command" -f -a "generate" -d 'Writes shell completions and man pages generated from the command definitions'
complete -c sd -n "__fish_sd_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand agent" -l advertise -d 'Address other cluster members use to reach this agent. Defaults to the bind address, or the host\'s private IPv4 address when binding 0.0.0.0.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l advertise-wan -d 'Address advertised to other datacenters instead of -advertise.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l allow-write-http-from -d 'Only accept HTTP writes from this network (CIDR). Repeatable.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l alt-domain -d 'A second domain the DNS interface answers for.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l auto-reload-config -d 'Reload the configuration when a config file changes.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l bind -d 'Address for cluster traffic (server RPC and gossip). Default 0.0.0.0.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l bootstrap -d 'Let this server elect itself leader without waiting for others. Use on at most one server per datacenter.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l bootstrap-expect -d 'Wait until N servers have joined, then bootstrap the cluster. Requires -server.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l check_output_max_size -d 'Most bytes of a check\'s output to keep. Default 4096.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l client -d 'Addresses (space-separated) the HTTP and DNS interfaces listen on. Default 127.0.0.1.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l config-dir -d 'Directory whose *.json and *.hcl files are loaded in alphabetical order (no subdirectories). Repeatable.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l config-file -d 'A JSON or HCL config file (by extension). Repeatable; later files override earlier ones.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l config-format -d 'Read every config file in this format whatever its extension.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l data-dir -d 'Directory for the agent\'s state. Required unless -dev.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l datacenter -d 'Datacenter this agent belongs to. Default dc1.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l default-query-time -d 'How long a blocking query waits when the request names no wait time. Default 300s.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l dev -d 'Development mode: an in-memory single server on 127.0.0.1 with the UI on and debug logs.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l disable-host-node-id -d 'Do not derive the node ID from host information (sd always generates a random one).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l disable-keyring-file -d 'Do not save the gossip keyring to the data directory.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l dns-port -d 'DNS port (TCP and UDP). Default 8600; -1 disables.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l domain -d 'Domain the DNS interface answers for. Default consul.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l enable-local-script-checks -d 'Allow script checks defined in local config files only.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l enable-script-checks -d 'Allow script checks, including ones registered over the HTTP API (lets API users run commands).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l encrypt -d 'Base64 gossip encryption key (see `sd keygen`).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l grpc-port -d 'gRPC port. Default -1 (off).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l grpc-tls-port -d 'gRPC-over-TLS port. Default -1 (off).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l hcl -d 'An inline HCL config fragment, applied after the config files. Repeatable.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l http-port -d 'HTTP API and UI port. Default 8500; -1 disables.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l https-port -d 'HTTPS API port. Default -1 (off).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l join -d 'Address of an agent to join at start (same as -retry-join). Repeatable.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l join-wan -d 'Address of a server in another datacenter to join at start. Repeatable.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l log-file -d 'Also write logs to this file.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l log-json -d 'Write logs as JSON.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l log-level -d 'Log level: trace, debug, info, warn or error. Default info.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l log-rotate-bytes -d 'Rotate the log file after this many bytes.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l log-rotate-duration -d 'Rotate the log file after this long. Default 24h.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l log-rotate-max-files -d 'How many rotated log files to keep.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l max-query-time -d 'Longest wait a blocking query may ask for. Default 600s.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l node -d 'Name of this node, unique in the cluster. Default: the host name.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l node-id -d 'Node ID (a UUID). Default: a random one kept in the data directory.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l node-meta -d 'A metadata pair for this node. Repeatable.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l non-voting-server -d 'Deprecated name of -read-replica.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l pid-file -d 'Write the agent\'s process ID to this file.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l primary-gateway -d 'Mesh gateway in the primary datacenter used for WAN federation. Repeatable.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l protocol -d 'RPC protocol version (sd speaks one version).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l raft-protocol -d 'Raft protocol version (sd speaks one version).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l read-replica -d 'Server that replicates data but never votes (Consul Enterprise).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l recursor -d 'Upstream DNS server for names outside the domain. Repeatable.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l rejoin -d 'Rejoin the cluster at start even after a graceful leave.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l retry-interval -d 'Time between join attempts. Default 30s.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l retry-interval-wan -d 'Time between WAN join attempts. Default 30s.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l retry-join -d 'Address of an agent to join, retried until it works. Repeatable.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l retry-join-wan -d 'Address of a server in another datacenter to join, retried. Repeatable.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l retry-max -d 'Give up joining after N attempts (0: never).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l retry-max-wan -d 'Give up WAN joining after N attempts (0: never).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l segment -d 'Network segment to join (Consul Enterprise).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l serf-lan-allowed-cidrs -d 'Only accept LAN gossip from this network. Repeatable.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l serf-lan-bind -d 'Address for LAN gossip. Default: the bind address.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l serf-lan-port -d 'LAN gossip port. Default 8301.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l serf-wan-allowed-cidrs -d 'Only accept WAN gossip from this network. Repeatable.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l serf-wan-bind -d 'Address for WAN gossip. Default: the bind address.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l serf-wan-port -d 'WAN gossip port. Default 8302; -1 disables.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l server -d 'Run as a server (Raft voter) instead of a client.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l server-port -d 'Server RPC port. Default 8300.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l syslog -d 'Also send logs to syslog.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l ui -d 'Serve the web UI under /ui/.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l ui-content-path -d 'URL path the UI is served under. Default /ui/.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l ui-dir -d 'Serve the UI from this directory instead of the built-in one.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand agent" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand info" -l http-addr -d 'The address and port of the Consul HTTP agent. The value can be an IP address or DNS address, but it must also include the port. This can also be specified via the CONSUL_HTTP_ADDR (or SD_HTTP_ADDR) environment variable. The default value is http://127.0.0.1:8500. The scheme can also be set to HTTPS by setting the environment variable CONSUL_HTTP_SSL=true.' -r
complete -c sd -n "__fish_sd_using_subcommand info" -l token -d 'ACL token to use in the request. This can also be specified via the CONSUL_HTTP_TOKEN environment variable. If unspecified, the query will default to the token of the Consul agent at the HTTP address.' -r
complete -c sd -n "__fish_sd_using_subcommand info" -l token-file -d 'File containing the ACL token to use in the request instead of one specified via the -token argument or CONSUL_HTTP_TOKEN environment variable. This can also be specified via the CONSUL_HTTP_TOKEN_FILE environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand info" -l ca-file -d 'Path to a CA file to use for TLS when communicating with Consul. This can also be specified via the CONSUL_CACERT environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand info" -l ca-path -d 'Path to a directory of CA certificates to use for TLS when communicating with Consul. This can also be specified via the CONSUL_CAPATH environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand info" -l client-cert -d 'Path to a client cert file to use for TLS when \'verify_incoming\' is enabled. This can also be specified via the CONSUL_CLIENT_CERT environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand info" -l client-key -d 'Path to a client key file to use for TLS when \'verify_incoming\' is enabled. This can also be specified via the CONSUL_CLIENT_KEY environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand info" -l tls-server-name -d 'The server name to use as the SNI host when connecting via TLS. This can also be specified via the CONSUL_TLS_SERVER_NAME environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand info" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand info" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -f -a "get" -d 'Retrieves or lists data from the KV store'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -f -a "put" -d 'Sets or updates data in the KV store'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -f -a "delete" -d 'Removes data from the KV store'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -f -a "export" -d 'Exports a tree from the KV store as JSON'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -f -a "import" -d 'Imports a tree stored as JSON to the KV store'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l base64 -d 'Base64 encode the value. The default value is false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l detailed -d 'Provide additional metadata about the key in addition to the value such as the ModifyIndex and any flags that may have been set on the key. The default value is false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l keys -d 'List keys which start with the given prefix, but not their values. This is especially useful if you only need the key names themselves. This option is commonly combined with the -separator option. The default value is false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l recurse -d 'Recursively look at all keys prefixed with the given path. The default value is false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l separator -d 'String to use as a separator between keys. The default value is "/", but this option is only taken into account when paired with the -keys flag.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l http-addr -d 'The address and port of the Consul HTTP agent. The value can be an IP address or DNS address, but it must also include the port. This can also be specified via the CONSUL_HTTP_ADDR (or SD_HTTP_ADDR) environment variable. The default value is http://127.0.0.1:8500. The scheme can also be set to HTTPS by setting the environment variable CONSUL_HTTP_SSL=true.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l token -d 'ACL token to use in the request. This can also be specified via the CONSUL_HTTP_TOKEN environment variable. If unspecified, the query will default to the token of the Consul agent at the HTTP address.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l token-file -d 'File containing the ACL token to use in the request instead of one specified via the -token argument or CONSUL_HTTP_TOKEN environment variable. This can also be specified via the CONSUL_HTTP_TOKEN_FILE environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l ca-file -d 'Path to a CA file to use for TLS when communicating with Consul. This can also be specified via the CONSUL_CACERT environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l ca-path -d 'Path to a directory of CA certificates to use for TLS when communicating with Consul. This can also be specified via the CONSUL_CAPATH environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l client-cert -d 'Path to a client cert file to use for TLS when \'verify_incoming\' is enabled. This can also be specified via the CONSUL_CLIENT_CERT environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l client-key -d 'Path to a client key file to use for TLS when \'verify_incoming\' is enabled. This can also be specified via the CONSUL_CLIENT_KEY environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l tls-server-name -d 'The server name to use as the SNI host when connecting via TLS. This can also be specified via the CONSUL_TLS_SERVER_NAME environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l datacenter -d 'Name of the datacenter to query. If unspecified, this will default to the datacenter of the queried agent.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l stale -d 'Permit any Consul server (non-leader) to respond to this request. This allows for lower latency and higher throughput, but can result in stale data. This option has no effect on non-read operations. The default value is false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l cas -d 'Perform a Check-And-Set operation. Specifying this value also requires the -modify-index flag to be set. The default value is false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l flags -d 'Unsigned integer value to assign to this key-value pair. This value is not read by Consul, so clients can use this value however makes sense for their use case. The default value is 0 (no flags).' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l base64 -d 'Treat the data as base 64 encoded. The default value is false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l modify-index -d 'Unsigned integer representing the ModifyIndex of the key. This is used in combination with the -cas flag.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l session -d 'User-defined identifer for this session as a string. This is commonly used with the -acquire and -release operations to build robust locking, but it can be set on any key. The default value is empty (no session).' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l acquire -d 'Obtain a lock on the key. If the key does not exist, this operation will create the key and obtain the lock. The session must already exist and be specified via the -session flag. The default value is false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l release -d 'Forfeit the lock on the key at the given path. This requires the -session flag to be set. The key must be held by the session in order to be unlocked. The default value is false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l http-addr -d 'The address and port of the Consul HTTP agent. The value can be an IP address or DNS address, but it must also include the port. This can also be specified via the CONSUL_HTTP_ADDR (or SD_HTTP_ADDR) environment variable. The default value is http://127.0.0.1:8500. The scheme can also be set to HTTPS by setting the environment variable CONSUL_HTTP_SSL=true.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l token -d 'ACL token to use in the request. This can also be specified via the CONSUL_HTTP_TOKEN environment variable. If unspecified, the query will default to the token of the Consul agent at the HTTP address.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l token-file -d 'File containing the ACL token to use in the request instead of one specified via the -token argument or CONSUL_HTTP_TOKEN environment variable. This can also be specified via the CONSUL_HTTP_TOKEN_FILE environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l ca-file -d 'Path to a CA file to use for TLS when communicating with Consul. This can also be specified via the CONSUL_CACERT environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l ca-path -d 'Path to a directory of CA certificates to use for TLS when communicating with Consul. This can also be specified via the CONSUL_CAPATH environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l client-cert -d 'Path to a client cert file to use for TLS when \'verify_incoming\' is enabled. This can also be specified via the CONSUL_CLIENT_CERT environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l client-key -d 'Path to a client key file to use for TLS when \'verify_incoming\' is enabled. This can also be specified via the CONSUL_CLIENT_KEY environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l tls-server-name -d 'The server name to use as the SNI host when connecting via TLS. This can also be specified via the CONSUL_TLS_SERVER_NAME environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l datacenter -d 'Name of the datacenter to query. If unspecified, this will default to the datacenter of the queried agent.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l stale -d 'Permit any Consul server (non-leader) to respond to this request. This allows for lower latency and higher throughput, but can result in stale data. This option has no effect on non-read operations. The default value is false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l cas -d 'Perform a Check-And-Set operation. Specifying this value also requires the -modify-index flag to be set. The default value is false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l modify-index -d 'Unsigned integer representing the ModifyIndex of the key. This is used in combination with the -cas flag.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l recurse -d 'Recursively delete all keys with the path. The default value is false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l http-addr -d 'The address and port of the Consul HTTP agent. The value can be an IP address or DNS address, but it must also include the port. This can also be specified via the CONSUL_HTTP_ADDR (or SD_HTTP_ADDR) environment variable. The default value is http://127.0.0.1:8500. The scheme can also be set to HTTPS by setting the environment variable CONSUL_HTTP_SSL=true.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l token -d 'ACL token to use in the request. This can also be specified via the CONSUL_HTTP_TOKEN environment variable. If unspecified, the query will default to the token of the Consul agent at the HTTP address.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l token-file -d 'File containing the ACL token to use in the request instead of one specified via the -token argument or CONSUL_HTTP_TOKEN environment variable. This can also be specified via the CONSUL_HTTP_TOKEN_FILE environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l ca-file -d 'Path to a CA file to use for TLS when communicating with Consul. This can also be specified via the CONSUL_CACERT environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l ca-path -d 'Path to a directory of CA certificates to use for TLS when communicating with Consul. This can also be specified via the CONSUL_CAPATH environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l client-cert -d 'Path to a client cert file to use for TLS when \'verify_incoming\' is enabled. This can also be specified via the CONSUL_CLIENT_CERT environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l client-key -d 'Path to a client key file to use for TLS when \'verify_incoming\' is enabled. This can also be specified via the CONSUL_CLIENT_KEY environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l tls-server-name -d 'The server name to use as the SNI host when connecting via TLS. This can also be specified via the CONSUL_TLS_SERVER_NAME environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l datacenter -d 'Name of the datacenter to query. If unspecified, this will default to the datacenter of the queried agent.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l stale -d 'Permit any Consul server (non-leader) to respond to this request. This allows for lower latency and higher throughput, but can result in stale data. This option has no effect on non-read operations. The default value is false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -l http-addr -d 'The address and port of the Consul HTTP agent. The value can be an IP address or DNS address, but it must also include the port. This can also be specified via the CONSUL_HTTP_ADDR (or SD_HTTP_ADDR) environment variable. The default value is http://127.0.0.1:8500. The scheme can also be set to HTTPS by setting the environment variable CONSUL_HTTP_SSL=true.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -l token -d 'ACL token to use in the request. This can also be specified via the CONSUL_HTTP_TOKEN environment variable. If unspecified, the query will default to the token of the Consul agent at the HTTP address.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -l token-file -d 'File containing the ACL token to use in the request instead of one specified via the -token argument or CONSUL_HTTP_TOKEN environment variable. This can also be specified via the CONSUL_HTTP_TOKEN_FILE environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -l ca-file -d 'Path to a CA file to use for TLS when communicating with Consul. This can also be specified via the CONSUL_CACERT environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -l ca-path -d 'Path to a directory of CA certificates to use for TLS when communicating with Consul. This can also be specified via the CONSUL_CAPATH environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -l client-cert -d 'Path to a client cert file to use for TLS when \'verify_incoming\' is enabled. This can also be specified via the CONSUL_CLIENT_CERT environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -l client-key -d 'Path to a client key file to use for TLS when \'verify_incoming\' is enabled. This can also be specified via the CONSUL_CLIENT_KEY environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -l tls-server-name -d 'The server name to use as the SNI host when connecting via TLS. This can also be specified via the CONSUL_TLS_SERVER_NAME environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -l datacenter -d 'Name of the datacenter to query. If unspecified, this will default to the datacenter of the queried agent.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -l stale -d 'Permit any Consul server (non-leader) to respond to this request. This allows for lower latency and higher throughput, but can result in stale data. This option has no effect on non-read operations. The default value is false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -l prefix -d 'Key prefix for imported data. The default value is empty meaning root.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -l http-addr -d 'The address and port of the Consul HTTP agent. The value can be an IP address or DNS address, but it must also include the port. This can also be specified via the CONSUL_HTTP_ADDR (or SD_HTTP_ADDR) environment variable. The default value is http://127.0.0.1:8500. The scheme can also be set to HTTPS by setting the environment variable CONSUL_HTTP_SSL=true.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -l token -d 'ACL token to use in the request. This can also be specified via the CONSUL_HTTP_TOKEN environment variable. If unspecified, the query will default to the token of the Consul agent at the HTTP address.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -l token-file -d 'File containing the ACL token to use in the request instead of one specified via the -token argument or CONSUL_HTTP_TOKEN environment variable. This can also be specified via the CONSUL_HTTP_TOKEN_FILE environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -l ca-file -d 'Path to a CA file to use for TLS when communicating with Consul. This can also be specified via the CONSUL_CACERT environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -l ca-path -d 'Path to a directory of CA certificates to use for TLS when communicating with Consul. This can also be specified via the CONSUL_CAPATH environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -l client-cert -d 'Path to a client cert file to use for TLS when \'verify_incoming\' is enabled. This can also be specified via the CONSUL_CLIENT_CERT environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -l client-key -d 'Path to a client key file to use for TLS when \'verify_incoming\' is enabled. This can also be specified via the CONSUL_CLIENT_KEY environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -l tls-server-name -d 'The server name to use as the SNI host when connecting via TLS. This can also be specified via the CONSUL_TLS_SERVER_NAME environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -l datacenter -d 'Name of the datacenter to query. If unspecified, this will default to the datacenter of the queried agent.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -l stale -d 'Permit any Consul server (non-leader) to respond to this request. This allows for lower latency and higher throughput, but can result in stale data. This option has no effect on non-read operations. The default value is false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "get" -d 'Retrieves or lists data from the KV store'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "put" -d 'Sets or updates data in the KV store'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Removes data from the KV store'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "export" -d 'Exports a tree from the KV store as JSON'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "import" -d 'Imports a tree stored as JSON to the KV store'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand members" -l detailed -d 'Provides detailed information about nodes.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -l wan -d 'If the agent is in server mode, this can be used to return the other peers in the WAN pool.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -l status -d 'If provided, output is filtered to only nodes matching the regular expression for status.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -l filter -d 'Filter to use with the request' -r
complete -c sd -n "__fish_sd_using_subcommand members" -l http-addr -d 'The address and port of the Consul HTTP agent. The value can be an IP address or DNS address, but it must also include the port. This can also be specified via the CONSUL_HTTP_ADDR (or SD_HTTP_ADDR) environment variable. The default value is http://127.0.0.1:8500. The scheme can also be set to HTTPS by setting the environment variable CONSUL_HTTP_SSL=true.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -l token -d 'ACL token to use in the request. This can also be specified via the CONSUL_HTTP_TOKEN environment variable. If unspecified, the query will default to the token of the Consul agent at the HTTP address.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -l token-file -d 'File containing the ACL token to use in the request instead of one specified via the -token argument or CONSUL_HTTP_TOKEN environment variable. This can also be specified via the CONSUL_HTTP_TOKEN_FILE environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -l ca-file -d 'Path to a CA file to use for TLS when communicating with Consul. This can also be specified via the CONSUL_CACERT environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -l ca-path -d 'Path to a directory of CA certificates to use for TLS when communicating with Consul. This can also be specified via the CONSUL_CAPATH environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -l client-cert -d 'Path to a client cert file to use for TLS when \'verify_incoming\' is enabled. This can also be specified via the CONSUL_CLIENT_CERT environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -l client-key -d 'Path to a client key file to use for TLS when \'verify_incoming\' is enabled. This can also be specified via the CONSUL_CLIENT_KEY environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -l tls-server-name -d 'The server name to use as the SNI host when connecting via TLS. This can also be specified via the CONSUL_TLS_SERVER_NAME environment variable.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand members" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand operator; and not __fish_seen_subcommand_from raft help" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand operator; and not __fish_seen_subcommand_from raft help" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand operator; and not __fish_seen_subcommand_from raft help" -f -a "raft" -d 'Provides tools for interacting with the Raft subsystem'
complete -c sd -n "__fish_sd_using_subcommand operator; and not __fish_seen_subcommand_from raft help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from raft" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from raft" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from raft" -f -a "list-peers" -d 'Display the current Raft peer configuration'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from raft" -f -a "remove-peer" -d 'Remove a Consul server from the Raft configuration'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from raft" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from help" -f -a "raft" -d 'Provides tools for interacting with the Raft subsystem'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand validate" -l config-format -d 'Config files are in this format irrespective of their extension. Must be \'hcl\' or \'json\'.' -r
complete -c sd -n "__fish_sd_using_subcommand validate" -l quiet -d 'When given, a successful run will produce no output.' -r
complete -c sd -n "__fish_sd_using_subcommand validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand validate" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand version" -l format -d 'Output format {pretty|json}' -r
complete -c sd -n "__fish_sd_using_subcommand version" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand version" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand generate" -l dir -d 'Directory to write into (completions/ and man/ are created in it)' -r
complete -c sd -n "__fish_sd_using_subcommand generate" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand generate" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from agent info kv members operator validate version generate help" -f -a "agent" -d 'Runs a Consul-compatible agent'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from agent info kv members operator validate version generate help" -f -a "info" -d 'Provides debugging information for operators.'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from agent info kv members operator validate version generate help" -f -a "kv" -d 'Interact with the key-value store'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from agent info kv members operator validate version generate help" -f -a "members" -d 'Lists the members of a Consul cluster'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from agent info kv members operator validate version generate help" -f -a "operator" -d 'Provides cluster-level tools for operators'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from agent info kv members operator validate version generate help" -f -a "validate" -d 'Validate config files/directories'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from agent info kv members operator validate version generate help" -f -a "version" -d 'Prints the sd version'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from agent info kv members operator validate version generate help" -f -a "generate" -d 'Writes shell completions and man pages generated from the command definitions'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from agent info kv members operator validate version generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "get" -d 'Retrieves or lists data from the KV store'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "put" -d 'Sets or updates data in the KV store'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "delete" -d 'Removes data from the KV store'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "export" -d 'Exports a tree from the KV store as JSON'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "import" -d 'Imports a tree stored as JSON to the KV store'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from operator" -f -a "raft" -d 'Provides tools for interacting with the Raft subsystem'
