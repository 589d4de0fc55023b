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
complete -c sd -n "__fish_sd_needs_command" -f -a "info" -d 'Provides debugging information for operators'
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
complete -c sd -n "__fish_sd_using_subcommand info" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand info" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -f -a "get" -d 'Retrieves the value at a key or prefix'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -f -a "put" -d 'Sets or updates data in the KV store'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -f -a "delete" -d 'Removes data from the KV store'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -f -a "export" -d 'Exports a tree from the KV store as JSON'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -f -a "import" -d 'Imports a tree stored as JSON to the KV store'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "get" -d 'Retrieves the value at a key or prefix'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "put" -d 'Sets or updates data in the KV store'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Removes data from the KV store'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "export" -d 'Exports a tree from the KV store as JSON'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "import" -d 'Imports a tree stored as JSON to the KV store'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand members" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand members" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand operator; and not __fish_seen_subcommand_from raft help" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand operator; and not __fish_seen_subcommand_from raft help" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand operator; and not __fish_seen_subcommand_from raft help" -f -a "raft" -d 'Provides tools for interacting with the Raft subsystem'
complete -c sd -n "__fish_sd_using_subcommand operator; and not __fish_seen_subcommand_from raft help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from raft" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from raft" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from raft" -f -a "list-peers" -d 'Displays the current Raft peer configuration'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from raft" -f -a "remove-peer" -d 'Removes a Consul server from the Raft configuration'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from raft" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from help" -f -a "raft" -d 'Provides tools for interacting with the Raft subsystem'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand validate" -l config-format -d 'Config files are in this format irrespective of their extension. Must be \'hcl\' or \'json\'.' -r
complete -c sd -n "__fish_sd_using_subcommand validate" -l quiet -d 'When given, a successful run will produce no output.' -r
complete -c sd -n "__fish_sd_using_subcommand validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand validate" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand version" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand version" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand generate" -l dir -d 'Directory to write into (completions/ and man/ are created in it)' -r
complete -c sd -n "__fish_sd_using_subcommand generate" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand generate" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from agent info kv members operator validate version generate help" -f -a "agent" -d 'Runs a Consul-compatible agent'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from agent info kv members operator validate version generate help" -f -a "info" -d 'Provides debugging information for operators'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from agent info kv members operator validate version generate help" -f -a "kv" -d 'Interact with the key-value store'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from agent info kv members operator validate version generate help" -f -a "members" -d 'Lists the members of a Consul cluster'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from agent info kv members operator validate version generate help" -f -a "operator" -d 'Provides cluster-level tools for operators'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from agent info kv members operator validate version generate help" -f -a "validate" -d 'Validate config files/directories'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from agent info kv members operator validate version generate help" -f -a "version" -d 'Prints the sd version'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from agent info kv members operator validate version generate help" -f -a "generate" -d 'Writes shell completions and man pages generated from the command definitions'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from agent info kv members operator validate version generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "get" -d 'Retrieves the value at a key or prefix'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "put" -d 'Sets or updates data in the KV store'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "delete" -d 'Removes data from the KV store'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "export" -d 'Exports a tree from the KV store as JSON'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "import" -d 'Imports a tree stored as JSON to the KV store'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from operator" -f -a "raft" -d 'Provides tools for interacting with the Raft subsystem'
