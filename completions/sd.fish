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
complete -c sd -n "__fish_sd_needs_command" -f -a "acl" -d 'Interact with Consul\'s ACLs'
complete -c sd -n "__fish_sd_needs_command" -f -a "agent" -d 'Runs a Consul-compatible agent'
complete -c sd -n "__fish_sd_needs_command" -f -a "catalog" -d 'List the datacenters, nodes and services in the catalog'
complete -c sd -n "__fish_sd_needs_command" -f -a "config" -d 'Interact with Consul\'s centralized configurations'
complete -c sd -n "__fish_sd_needs_command" -f -a "event" -d 'Fire a new event'
complete -c sd -n "__fish_sd_needs_command" -f -a "info" -d 'Print the agent\'s internal statistics, for debugging'
complete -c sd -n "__fish_sd_needs_command" -f -a "join" -d 'Join the agent to a cluster through one or more members'
complete -c sd -n "__fish_sd_needs_command" -f -a "keygen" -d 'Generates a new encryption key'
complete -c sd -n "__fish_sd_needs_command" -f -a "keyring" -d 'Manages gossip layer encryption keys'
complete -c sd -n "__fish_sd_needs_command" -f -a "kv" -d 'Read, write, delete, export and import keys in the key/value store'
complete -c sd -n "__fish_sd_needs_command" -f -a "leave" -d 'Make the agent leave the cluster gracefully and shut down'
complete -c sd -n "__fish_sd_needs_command" -f -a "lock" -d 'Execute a command holding a lock'
complete -c sd -n "__fish_sd_needs_command" -f -a "login" -d 'Login to Consul using an auth method'
complete -c sd -n "__fish_sd_needs_command" -f -a "logout" -d 'Destroy a Consul token created with login'
complete -c sd -n "__fish_sd_needs_command" -f -a "maint" -d 'Control node or service maintenance mode'
complete -c sd -n "__fish_sd_needs_command" -f -a "monitor" -d 'Stream the agent\'s logs'
complete -c sd -n "__fish_sd_needs_command" -f -a "force-leave" -d 'Mark a member that is not coming back as left'
complete -c sd -n "__fish_sd_needs_command" -f -a "members" -d 'List the agents in the gossip pool'
complete -c sd -n "__fish_sd_needs_command" -f -a "operator" -d 'Cluster administration commands'
complete -c sd -n "__fish_sd_needs_command" -f -a "register-docker" -d 'Register the services of running Docker containers (registrator)'
complete -c sd -n "__fish_sd_needs_command" -f -a "reload" -d 'Make the agent read its configuration files again'
complete -c sd -n "__fish_sd_needs_command" -f -a "rtt" -d 'Estimates network round trip time between nodes'
complete -c sd -n "__fish_sd_needs_command" -f -a "services" -d 'Register or deregister services of the local agent'
complete -c sd -n "__fish_sd_needs_command" -f -a "snapshot" -d 'Save, restore and inspect snapshots of the cluster\'s state'
complete -c sd -n "__fish_sd_needs_command" -f -a "template" -d 'Render templates from the catalog and KV store, running a command on change'
complete -c sd -n "__fish_sd_needs_command" -f -a "tls" -d 'Builtin helpers for creating CAs and certificates'
complete -c sd -n "__fish_sd_needs_command" -f -a "validate" -d 'Check agent configuration files without starting an agent'
complete -c sd -n "__fish_sd_needs_command" -f -a "watch" -d 'Watch for changes in the cluster'
complete -c sd -n "__fish_sd_needs_command" -f -a "version" -d 'Show which sd version this is and the protocol versions it speaks'
complete -c sd -n "__fish_sd_needs_command" -f -a "generate" -d 'Writes shell completions and man pages generated from the command definitions'
complete -c sd -n "__fish_sd_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand acl; and not __fish_seen_subcommand_from bootstrap token policy role auth-method binding-rule templated-policy set-agent-token help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand acl; and not __fish_seen_subcommand_from bootstrap token policy role auth-method binding-rule templated-policy set-agent-token help" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand acl; and not __fish_seen_subcommand_from bootstrap token policy role auth-method binding-rule templated-policy set-agent-token help" -f -a "bootstrap" -d 'Bootstrap Consul\'s ACL system'
complete -c sd -n "__fish_sd_using_subcommand acl; and not __fish_seen_subcommand_from bootstrap token policy role auth-method binding-rule templated-policy set-agent-token help" -f -a "token" -d 'Manage Consul\'s ACL tokens'
complete -c sd -n "__fish_sd_using_subcommand acl; and not __fish_seen_subcommand_from bootstrap token policy role auth-method binding-rule templated-policy set-agent-token help" -f -a "policy" -d 'Manage Consul\'s ACL policies'
complete -c sd -n "__fish_sd_using_subcommand acl; and not __fish_seen_subcommand_from bootstrap token policy role auth-method binding-rule templated-policy set-agent-token help" -f -a "role" -d 'Manage Consul\'s ACL roles'
complete -c sd -n "__fish_sd_using_subcommand acl; and not __fish_seen_subcommand_from bootstrap token policy role auth-method binding-rule templated-policy set-agent-token help" -f -a "auth-method" -d 'Manage Consul\'s ACL auth methods'
complete -c sd -n "__fish_sd_using_subcommand acl; and not __fish_seen_subcommand_from bootstrap token policy role auth-method binding-rule templated-policy set-agent-token help" -f -a "binding-rule" -d 'Manage Consul\'s ACL binding rules'
complete -c sd -n "__fish_sd_using_subcommand acl; and not __fish_seen_subcommand_from bootstrap token policy role auth-method binding-rule templated-policy set-agent-token help" -f -a "templated-policy" -d 'Manage Consul\'s ACL templated policies'
complete -c sd -n "__fish_sd_using_subcommand acl; and not __fish_seen_subcommand_from bootstrap token policy role auth-method binding-rule templated-policy set-agent-token help" -f -a "set-agent-token" -d 'Assign tokens for the Consul agent\'s usage'
complete -c sd -n "__fish_sd_using_subcommand acl; and not __fish_seen_subcommand_from bootstrap token policy role auth-method binding-rule templated-policy set-agent-token help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from bootstrap" -l format -d 'Output format: "pretty" (the default) or "json".' -r
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from bootstrap" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from bootstrap" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from bootstrap" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from bootstrap" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from bootstrap" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from bootstrap" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from bootstrap" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from bootstrap" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from bootstrap" -l datacenter -d 'Datacenter to send the request to. Default: the agent\'s own.' -r
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from bootstrap" -l stale -d 'Let any server answer a read, not only the leader: quicker, but the data may lag behind. Writes ignore it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from bootstrap" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from bootstrap" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from token" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from token" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from token" -f -a "create" -d 'Create an ACL token'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from token" -f -a "read" -d 'Read an ACL token'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from token" -f -a "update" -d 'Update an ACL token'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from token" -f -a "delete" -d 'Delete an ACL token'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from token" -f -a "list" -d 'List ACL tokens'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from token" -f -a "clone" -d 'Clone an ACL token'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from token" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from policy" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from policy" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from policy" -f -a "create" -d 'Create an ACL policy'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from policy" -f -a "read" -d 'Read an ACL policy'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from policy" -f -a "update" -d 'Update an ACL policy'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from policy" -f -a "delete" -d 'Delete an ACL policy'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from policy" -f -a "list" -d 'List ACL policies'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from policy" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from role" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from role" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from role" -f -a "create" -d 'Create an ACL role'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from role" -f -a "read" -d 'Read an ACL role'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from role" -f -a "update" -d 'Update an ACL role'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from role" -f -a "delete" -d 'Delete an ACL role'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from role" -f -a "list" -d 'List ACL roles'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from role" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from auth-method" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from auth-method" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from auth-method" -f -a "create" -d 'Create an ACL auth method'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from auth-method" -f -a "read" -d 'Read an ACL auth method'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from auth-method" -f -a "update" -d 'Update an ACL auth method'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from auth-method" -f -a "delete" -d 'Delete an ACL auth method'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from auth-method" -f -a "list" -d 'List ACL auth methods'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from auth-method" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from binding-rule" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from binding-rule" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from binding-rule" -f -a "create" -d 'Create an ACL binding rule'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from binding-rule" -f -a "read" -d 'Read an ACL binding rule'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from binding-rule" -f -a "update" -d 'Update an ACL binding rule'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from binding-rule" -f -a "delete" -d 'Delete an ACL binding rule'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from binding-rule" -f -a "list" -d 'List ACL binding rules'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from binding-rule" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from templated-policy" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from templated-policy" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from templated-policy" -f -a "list" -d 'List ACL templated policies'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from templated-policy" -f -a "read" -d 'Read an ACL templated policy'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from templated-policy" -f -a "preview" -d 'Preview the policy rendered by an ACL templated policy'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from templated-policy" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from set-agent-token" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from set-agent-token" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from set-agent-token" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from set-agent-token" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from set-agent-token" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from set-agent-token" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from set-agent-token" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from set-agent-token" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from set-agent-token" -l datacenter -d 'Datacenter to send the request to. Default: the agent\'s own.' -r
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from set-agent-token" -l stale -d 'Let any server answer a read, not only the leader: quicker, but the data may lag behind. Writes ignore it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from set-agent-token" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from set-agent-token" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from help" -f -a "bootstrap" -d 'Bootstrap Consul\'s ACL system'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from help" -f -a "token" -d 'Manage Consul\'s ACL tokens'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from help" -f -a "policy" -d 'Manage Consul\'s ACL policies'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from help" -f -a "role" -d 'Manage Consul\'s ACL roles'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from help" -f -a "auth-method" -d 'Manage Consul\'s ACL auth methods'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from help" -f -a "binding-rule" -d 'Manage Consul\'s ACL binding rules'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from help" -f -a "templated-policy" -d 'Manage Consul\'s ACL templated policies'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from help" -f -a "set-agent-token" -d 'Assign tokens for the Consul agent\'s usage'
complete -c sd -n "__fish_sd_using_subcommand acl; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand agent" -l advertise -d 'Address other cluster members use to reach this agent. Defaults to the bind address, or the host\'s private IPv4 address when binding 0.0.0.0.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l advertise-wan -d 'Address servers in other datacenters use to reach this one. Default: the -advertise address.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l allow-write-http-from -d 'Reject HTTP write requests from clients outside this CIDR range. Repeatable.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l alt-domain -d 'A second domain the DNS interface answers for.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l auto-reload-config -d 'Reload the configuration when a config file changes.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l bind -d 'Address for cluster traffic (server RPC and gossip). Default 0.0.0.0.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l bootstrap -d 'Let this server elect itself leader without waiting for others. Use on at most one server per datacenter.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l bootstrap-expect -d 'Wait until N servers have joined, then bootstrap the cluster. Requires -server.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l check_output_max_size -d 'Longest check output kept, in bytes (must be positive). Default 4096.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l client -d 'Addresses (space-separated) the HTTP and DNS interfaces listen on. Default 127.0.0.1.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l config-dir -d 'Directory whose *.json and *.hcl files are loaded in alphabetical order (no subdirectories). Repeatable.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l config-file -d 'A config file, JSON or HCL by extension, or a directory loaded like -config-dir. Repeatable; later ones override earlier ones.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l config-format -d 'Read every config file in this format whatever its extension.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l data-dir -d 'Directory for the agent\'s state. Required unless -dev.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l datacenter -d 'Datacenter this agent belongs to. Default dc1.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l default-query-time -d 'How long a blocking query waits when the request names no wait time. Default 300s.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l dev -d 'Development mode: a self-bootstrapping single server on 127.0.0.1 with a throwaway data directory, the UI enabled and debug logging.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l disable-host-node-id -d 'Do not derive the node ID from host information (sd always generates a random one).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l disable-keyring-file -d 'Do not save the gossip keyring to the data directory.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l dns-port -d 'DNS port (TCP and UDP). Default 8600; -1 disables.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l domain -d 'Domain the DNS interface answers for. Default consul.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l enable-local-script-checks -d 'Allow script checks defined in local config files only.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l enable-script-checks -d 'Allow script checks, including ones registered over the HTTP API (lets API users run commands).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l encrypt -d 'Key that encrypts gossip traffic: 16 or 32 random bytes, base64-encoded (`sd keygen`).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l free-ports -d 'sd extension: bind every enabled port (HTTP, DNS, server RPC, serf LAN) to a free one the kernel picks; the agent advertises the ports it got and logs them ("Started HTTP server address=..."). For tests and agents run side by side.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l grpc-port -d 'gRPC port. Default -1 (off).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l grpc-tls-port -d 'gRPC-over-TLS port. Default -1 (off).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l hcl -d 'An inline HCL config fragment, applied after the config files. Repeatable.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l http-port -d 'HTTP API and UI port. Default 8500; -1 disables.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l https-port -d 'HTTPS API port. Default -1 (off).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l join -d 'Agent to contact at start-up to join its cluster; handled like -retry-join. Repeatable.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l join-wan -d 'Server in another datacenter to contact over WAN gossip at start-up. Repeatable.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l log-file -d 'Also write logs to this file.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l log-json -d 'Write logs as JSON.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l log-level -d 'Log level: trace, debug, info, warn or error. Default info.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l log-rotate-bytes -d 'Rotate the log file after this many bytes.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l log-rotate-duration -d 'Rotate the log file after this long. Default 24h.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l log-rotate-max-files -d 'How many rotated log files to keep.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l max-query-time -d 'Longest wait a blocking query may ask for. Default 600s.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l node -d 'Node name; no two members may share one. Default: the host name.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l node-id -d 'UUID identifying this node. Default: generated on first start and stored in the data directory.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l node-meta -d 'A metadata pair for this node. Repeatable.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l non-voting-server -d 'Deprecated name of -read-replica.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l pid-file -d 'Write the agent\'s process ID to this file.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l primary-gateway -d 'Mesh gateway in the primary datacenter used for WAN federation. Repeatable.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l protocol -d 'RPC protocol version (sd speaks one version).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l raft-protocol -d 'Raft protocol version (sd speaks one version).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l read-replica -d 'Run as a server that receives replicated data but never votes in Raft (a Consul Enterprise feature).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l recursor -d 'Upstream DNS server for names outside the domain. Repeatable.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l rejoin -d 'Rejoin the cluster at start even after a graceful leave.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l retry-interval -d 'Pause between -retry-join attempts. Default 30s.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l retry-interval-wan -d 'Pause between -retry-join-wan attempts. Default 30s.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l retry-join -d 'Agent to join at start-up, trying again until it succeeds. Repeatable.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l retry-join-wan -d 'Server in another datacenter to join over WAN gossip, trying again until it succeeds. Repeatable.' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l retry-max -d 'Stop -retry-join after N failed attempts (0: keep trying).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l retry-max-wan -d 'Stop -retry-join-wan after N failed attempts (0: keep trying).' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l segment -d 'Name of the LAN gossip segment this agent belongs to (a Consul Enterprise feature).' -r
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
complete -c sd -n "__fish_sd_using_subcommand catalog; and not __fish_seen_subcommand_from datacenters nodes services help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand catalog; and not __fish_seen_subcommand_from datacenters nodes services help" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand catalog; and not __fish_seen_subcommand_from datacenters nodes services help" -f -a "datacenters" -d 'List the known datacenters'
complete -c sd -n "__fish_sd_using_subcommand catalog; and not __fish_seen_subcommand_from datacenters nodes services help" -f -a "nodes" -d 'List the nodes in the catalog'
complete -c sd -n "__fish_sd_using_subcommand catalog; and not __fish_seen_subcommand_from datacenters nodes services help" -f -a "services" -d 'List the services in the catalog'
complete -c sd -n "__fish_sd_using_subcommand catalog; and not __fish_seen_subcommand_from datacenters nodes services help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from datacenters" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from datacenters" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from datacenters" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from datacenters" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from datacenters" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from datacenters" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from datacenters" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from datacenters" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from datacenters" -l datacenter -d 'Datacenter to send the request to. Default: the agent\'s own.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from datacenters" -l stale -d 'Let any server answer a read, not only the leader: quicker, but the data may lag behind. Writes ignore it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from datacenters" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from datacenters" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from nodes" -l detailed -d 'Print the full node ID and add the node\'s tagged addresses and metadata.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from nodes" -l near -d 'Sort the nodes by estimated round-trip time from this node, nearest first; "_agent" means the agent\'s own node.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from nodes" -l node-meta -d 'Only list nodes with this metadata pair. Repeat to require several.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from nodes" -l service -d 'Only list the nodes that provide this service.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from nodes" -l filter -d 'Filter expression the agent applies to the list before returning it.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from nodes" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from nodes" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from nodes" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from nodes" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from nodes" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from nodes" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from nodes" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from nodes" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from nodes" -l datacenter -d 'Datacenter to send the request to. Default: the agent\'s own.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from nodes" -l stale -d 'Let any server answer a read, not only the leader: quicker, but the data may lag behind. Writes ignore it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from nodes" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from nodes" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from services" -l node -d 'Only list the services registered on this node.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from services" -l node-meta -d 'Only list services running on nodes with this metadata pair. Repeat to require several.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from services" -l tags -d 'Print each service\'s tags, comma-separated, beside its name.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from services" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from services" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from services" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from services" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from services" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from services" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from services" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from services" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from services" -l datacenter -d 'Datacenter to send the request to. Default: the agent\'s own.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from services" -l stale -d 'Let any server answer a read, not only the leader: quicker, but the data may lag behind. Writes ignore it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from services" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from services" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from help" -f -a "datacenters" -d 'List the known datacenters'
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from help" -f -a "nodes" -d 'List the nodes in the catalog'
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from help" -f -a "services" -d 'List the services in the catalog'
complete -c sd -n "__fish_sd_using_subcommand catalog; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand config; and not __fish_seen_subcommand_from delete list read write help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand config; and not __fish_seen_subcommand_from delete list read write help" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand config; and not __fish_seen_subcommand_from delete list read write help" -f -a "delete" -d 'Delete a centralized config entry'
complete -c sd -n "__fish_sd_using_subcommand config; and not __fish_seen_subcommand_from delete list read write help" -f -a "list" -d 'List centralized config entries of a given kind'
complete -c sd -n "__fish_sd_using_subcommand config; and not __fish_seen_subcommand_from delete list read write help" -f -a "read" -d 'Read a centralized config entry'
complete -c sd -n "__fish_sd_using_subcommand config; and not __fish_seen_subcommand_from delete list read write help" -f -a "write" -d 'Create or update a centralized config entry'
complete -c sd -n "__fish_sd_using_subcommand config; and not __fish_seen_subcommand_from delete list read write help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from delete" -l kind -d 'The kind of configuration to delete.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from delete" -l name -d 'The name of configuration to delete.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from delete" -l cas -d 'Perform a Check-And-Set operation. Requires -modify-index.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from delete" -l modify-index -d 'The ModifyIndex the entry must have for -cas.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from delete" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from delete" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from delete" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from delete" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from delete" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from delete" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from delete" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from delete" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from delete" -l datacenter -d 'Datacenter to send the request to. Default: the agent\'s own.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from delete" -l stale -d 'Let any server answer a read, not only the leader: quicker, but the data may lag behind. Writes ignore it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from list" -l kind -d 'The kind of configurations to list.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from list" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from list" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from list" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from list" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from list" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from list" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from list" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from list" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from list" -l datacenter -d 'Datacenter to send the request to. Default: the agent\'s own.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from list" -l stale -d 'Let any server answer a read, not only the leader: quicker, but the data may lag behind. Writes ignore it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from read" -l kind -d 'The kind of config to read.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from read" -l name -d 'The name of config to read.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from read" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from read" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from read" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from read" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from read" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from read" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from read" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from read" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from read" -l datacenter -d 'Datacenter to send the request to. Default: the agent\'s own.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from read" -l stale -d 'Let any server answer a read, not only the leader: quicker, but the data may lag behind. Writes ignore it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from read" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from read" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from write" -l cas -d 'Perform a Check-And-Set operation. Requires -modify-index.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from write" -l modify-index -d 'The ModifyIndex the existing entry must have for -cas (0: it must not exist).' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from write" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from write" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from write" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from write" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from write" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from write" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from write" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from write" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from write" -l datacenter -d 'Datacenter to send the request to. Default: the agent\'s own.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from write" -l stale -d 'Let any server answer a read, not only the leader: quicker, but the data may lag behind. Writes ignore it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from write" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from write" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a centralized config entry'
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "list" -d 'List centralized config entries of a given kind'
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "read" -d 'Read a centralized config entry'
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "write" -d 'Create or update a centralized config entry'
complete -c sd -n "__fish_sd_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand event" -l name -d 'Name of the event. Required.' -r
complete -c sd -n "__fish_sd_using_subcommand event" -l node -d 'Regular expression to filter on node names.' -r
complete -c sd -n "__fish_sd_using_subcommand event" -l service -d 'Regular expression to filter on service instances.' -r
complete -c sd -n "__fish_sd_using_subcommand event" -l tag -d 'Regular expression to filter on service tags; must be used with -service.' -r
complete -c sd -n "__fish_sd_using_subcommand event" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand event" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand event" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand event" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand event" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand event" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand event" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand event" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand event" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand event" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand info" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand info" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand info" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand info" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand info" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand info" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand info" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand info" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand info" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand info" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand join" -l wan -d 'Join the WAN pool of servers instead of the LAN pool (servers only).' -r
complete -c sd -n "__fish_sd_using_subcommand join" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand join" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand join" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand join" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand join" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand join" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand join" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand join" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand join" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand join" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand keygen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand keygen" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand keyring" -l install -d 'Install a new encryption key. This will broadcast the new key to all members in the cluster.' -r
complete -c sd -n "__fish_sd_using_subcommand keyring" -l use -d 'Change the primary encryption key, which is used to encrypt messages. The key must already be installed before this operation can succeed.' -r
complete -c sd -n "__fish_sd_using_subcommand keyring" -l remove -d 'Remove the given key from the cluster. This operation may only be performed on keys which are not currently the primary key.' -r
complete -c sd -n "__fish_sd_using_subcommand keyring" -l list -d 'List all keys currently in use within the cluster.' -r
complete -c sd -n "__fish_sd_using_subcommand keyring" -l list-primary -d 'List all primary keys currently in use within the cluster.' -r
complete -c sd -n "__fish_sd_using_subcommand keyring" -l relay-factor -d 'Accepted for compatibility, 0 to 5: members answer the asking server directly.' -r
complete -c sd -n "__fish_sd_using_subcommand keyring" -l local-only -d 'Only ask this datacenter\'s LAN pool, not the servers\' WAN pool. List queries only.' -r
complete -c sd -n "__fish_sd_using_subcommand keyring" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand keyring" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand keyring" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand keyring" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand keyring" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand keyring" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand keyring" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand keyring" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand keyring" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand keyring" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -f -a "get" -d 'Print a key\'s value, or list the keys under a prefix'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -f -a "put" -d 'Write a value to a key'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -f -a "delete" -d 'Delete a key, or every key under a prefix'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -f -a "export" -d 'Print the keys under a prefix as JSON'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -f -a "import" -d 'Write the keys of a JSON export into the store'
complete -c sd -n "__fish_sd_using_subcommand kv; and not __fish_seen_subcommand_from get put delete export import help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l base64 -d 'Print values base64-encoded instead of as raw bytes. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l detailed -d 'Also print each key\'s indexes, flags and lock session. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l keys -d 'Print key names only: those under the prefix, cut after the next -separator, or every name when combined with -recurse. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l recurse -d 'Print every key under the prefix as key:value. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l separator -d 'With -keys (and no -recurse), list names only up to the first occurrence of this string after the prefix; empty lists full names.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l datacenter -d 'Datacenter to send the request to. Default: the agent\'s own.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -l stale -d 'Let any server answer a read, not only the leader: quicker, but the data may lag behind. Writes ignore it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from get" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l cas -d 'Write only if the key\'s ModifyIndex equals -modify-index; an index of 0 writes only if the key does not exist yet. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l flags -d 'A 64-bit number stored with the key as metadata; sd does not interpret it. Default 0.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l base64 -d 'Decode DATA from base64 before storing it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l modify-index -d 'The ModifyIndex the key must currently have for a -cas write to happen.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l session -d 'ID of the session that takes (-acquire) or gives up (-release) the key\'s lock.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l acquire -d 'Write the value and lock the key for -session; fails if another session holds the lock. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l release -d 'Write the value and unlock the key held by -session. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l datacenter -d 'Datacenter to send the request to. Default: the agent\'s own.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -l stale -d 'Let any server answer a read, not only the leader: quicker, but the data may lag behind. Writes ignore it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from put" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l cas -d 'Delete only if the key\'s ModifyIndex equals -modify-index (which must be above 0). Cannot be combined with -recurse. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l modify-index -d 'The ModifyIndex the key must currently have for a -cas delete; only valid with -cas.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l recurse -d 'Delete every key whose name starts with the given prefix. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l datacenter -d 'Datacenter to send the request to. Default: the agent\'s own.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -l stale -d 'Let any server answer a read, not only the leader: quicker, but the data may lag behind. Writes ignore it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -l datacenter -d 'Datacenter to send the request to. Default: the agent\'s own.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -l stale -d 'Let any server answer a read, not only the leader: quicker, but the data may lag behind. Writes ignore it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -l prefix -d 'Path to put in front of every imported key. Default: none, keys are written under their exported names.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -l datacenter -d 'Datacenter to send the request to. Default: the agent\'s own.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -l stale -d 'Let any server answer a read, not only the leader: quicker, but the data may lag behind. Writes ignore it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "get" -d 'Print a key\'s value, or list the keys under a prefix'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "put" -d 'Write a value to a key'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a key, or every key under a prefix'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "export" -d 'Print the keys under a prefix as JSON'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "import" -d 'Write the keys of a JSON export into the store'
complete -c sd -n "__fish_sd_using_subcommand kv; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand leave" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand leave" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand leave" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand leave" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand leave" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand leave" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand leave" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand leave" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand leave" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand leave" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand lock" -l child-exit-code -d 'Exit 2 if the child process exited with an error; otherwise an error of the child is not propagated. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand lock" -l n -d 'Limit on the number of concurrent lock holders: a lock at 1, a semaphore above. Default 1.' -r
complete -c sd -n "__fish_sd_using_subcommand lock" -l monitor-retry -d 'Number of times to retry a failed read while monitoring the lock before the lock counts as lost, 1s apart; 0 disables retries. Default 3.' -r
complete -c sd -n "__fish_sd_using_subcommand lock" -l name -d 'Name of the lock session. Default: one built from the child command.' -r
complete -c sd -n "__fish_sd_using_subcommand lock" -l pass-stdin -d 'Pass stdin to the child process.' -r
complete -c sd -n "__fish_sd_using_subcommand lock" -l shell -d 'Run the child with a shell ($SHELL, else /bin/sh). Default true.' -r
complete -c sd -n "__fish_sd_using_subcommand lock" -l timeout -d 'Maximum time to wait to acquire the lock, like "1s" or "3h". Default 0: wait until acquired.' -r
complete -c sd -n "__fish_sd_using_subcommand lock" -l try -d 'Deprecated: use -timeout.' -r
complete -c sd -n "__fish_sd_using_subcommand lock" -l verbose -d 'Enable verbose (debugging) output.' -r
complete -c sd -n "__fish_sd_using_subcommand lock" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand lock" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand lock" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand lock" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand lock" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand lock" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand lock" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand lock" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand lock" -l datacenter -d 'Datacenter to send the request to. Default: the agent\'s own.' -r
complete -c sd -n "__fish_sd_using_subcommand lock" -l stale -d 'Let any server answer a read, not only the leader: quicker, but the data may lag behind. Writes ignore it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand lock" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand lock" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand login" -l method -d 'The auth method to log in through.' -r
complete -c sd -n "__fish_sd_using_subcommand login" -l bearer-token-file -d 'The file holding the bearer token (a JWT).' -r
complete -c sd -n "__fish_sd_using_subcommand login" -l token-sink-file -d 'The file the ACL token\'s secret is written to.' -r
complete -c sd -n "__fish_sd_using_subcommand login" -l meta -d 'Metadata for the token (key=value), recorded in its description. May be given more than once.' -r
complete -c sd -n "__fish_sd_using_subcommand login" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand login" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand login" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand login" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand login" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand login" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand login" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand login" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand login" -l datacenter -d 'Datacenter to send the request to. Default: the agent\'s own.' -r
complete -c sd -n "__fish_sd_using_subcommand login" -l stale -d 'Let any server answer a read, not only the leader: quicker, but the data may lag behind. Writes ignore it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand login" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand logout" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand logout" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand logout" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand logout" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand logout" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand logout" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand logout" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand logout" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand logout" -l datacenter -d 'Datacenter to send the request to. Default: the agent\'s own.' -r
complete -c sd -n "__fish_sd_using_subcommand logout" -l stale -d 'Let any server answer a read, not only the leader: quicker, but the data may lag behind. Writes ignore it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand logout" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand logout" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand maint" -l enable -d 'Enable maintenance mode.' -r
complete -c sd -n "__fish_sd_using_subcommand maint" -l disable -d 'Disable maintenance mode.' -r
complete -c sd -n "__fish_sd_using_subcommand maint" -l reason -d 'Text describing the maintenance reason.' -r
complete -c sd -n "__fish_sd_using_subcommand maint" -l service -d 'Control maintenance mode for a specific service ID.' -r
complete -c sd -n "__fish_sd_using_subcommand maint" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand maint" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand maint" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand maint" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand maint" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand maint" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand maint" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand maint" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand maint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand maint" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand monitor" -l log-level -d 'Log level of the agent\'s lines to show: trace, debug, info, warn or err (default info).' -r
complete -c sd -n "__fish_sd_using_subcommand monitor" -l log-json -d 'Show the lines as JSON.' -r
complete -c sd -n "__fish_sd_using_subcommand monitor" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand monitor" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand monitor" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand monitor" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand monitor" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand monitor" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand monitor" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand monitor" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand monitor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand monitor" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand force-leave" -l prune -d 'Remove the member from the member list entirely.' -r
complete -c sd -n "__fish_sd_using_subcommand force-leave" -l wan -d 'Act on the WAN pool; the node name is then NODE.DATACENTER.' -r
complete -c sd -n "__fish_sd_using_subcommand force-leave" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand force-leave" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand force-leave" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand force-leave" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand force-leave" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand force-leave" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand force-leave" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand force-leave" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand force-leave" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand force-leave" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand members" -l detailed -d 'Print each member\'s gossip tags in place of the role, version and datacenter columns.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -l wan -d 'List the WAN pool (servers of every datacenter) instead of the LAN pool.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -l status -d 'Only list members whose status (alive, leaving, left or failed) matches this regular expression.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -l filter -d 'Filter expression the agent applies to the member list before returning it.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand members" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand members" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand operator; and not __fish_seen_subcommand_from raft autopilot usage help" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand operator; and not __fish_seen_subcommand_from raft autopilot usage help" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand operator; and not __fish_seen_subcommand_from raft autopilot usage help" -f -a "raft" -d 'Inspect or change the set of Raft servers'
complete -c sd -n "__fish_sd_using_subcommand operator; and not __fish_seen_subcommand_from raft autopilot usage help" -f -a "autopilot" -d 'Inspect or change autopilot\'s settings and see its state'
complete -c sd -n "__fish_sd_using_subcommand operator; and not __fish_seen_subcommand_from raft autopilot usage help" -f -a "usage" -d 'Provides cluster-level usage information'
complete -c sd -n "__fish_sd_using_subcommand operator; and not __fish_seen_subcommand_from raft autopilot usage help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from raft" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from raft" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from raft" -f -a "list-peers" -d 'Show the servers in the Raft configuration'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from raft" -f -a "remove-peer" -d 'Drop a server from the Raft configuration'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from raft" -f -a "transfer-leader" -d 'Hand Raft leadership to another server'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from raft" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from autopilot" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from autopilot" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from autopilot" -f -a "get-config" -d 'Display the current Autopilot configuration'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from autopilot" -f -a "set-config" -d 'Modify the current Autopilot configuration'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from autopilot" -f -a "state" -d 'Display the current Autopilot state'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from autopilot" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from usage" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from usage" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from usage" -f -a "instances" -d 'Display service instance usage information'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from usage" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from help" -f -a "raft" -d 'Inspect or change the set of Raft servers'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from help" -f -a "autopilot" -d 'Inspect or change autopilot\'s settings and see its state'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from help" -f -a "usage" -d 'Provides cluster-level usage information'
complete -c sd -n "__fish_sd_using_subcommand operator; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand register-docker" -l ip -d 'Address of the services of published ports (default: the agent\'s address when it is this host\'s, else the default route\'s)' -r
complete -c sd -n "__fish_sd_using_subcommand register-docker" -l internal -d 'Register the container\'s address and exposed port instead of the published ones' -r
complete -c sd -n "__fish_sd_using_subcommand register-docker" -l explicit -d 'Register only containers with SERVICE_NAME or SERVICE_<port>_NAME' -r
complete -c sd -n "__fish_sd_using_subcommand register-docker" -l tags -d 'Tags added to every service: a comma-separated list, or a Go template over the container\'s inspect object' -r
complete -c sd -n "__fish_sd_using_subcommand register-docker" -l ttl -d 'Accepted for registrator\'s etcd backends; Consul services do not expire' -r
complete -c sd -n "__fish_sd_using_subcommand register-docker" -l ttl-refresh -d 'Accepted with -ttl; see -ttl' -r
complete -c sd -n "__fish_sd_using_subcommand register-docker" -l resync -d 'Reconcile with the engine this often (default 0: on reconnects only)' -r
complete -c sd -n "__fish_sd_using_subcommand register-docker" -l retry-attempts -d 'Tries to reach the agent at start (-1: forever, default 0: once)' -r
complete -c sd -n "__fish_sd_using_subcommand register-docker" -l retry-interval -d 'Milliseconds between those tries (default 2000)' -r
complete -c sd -n "__fish_sd_using_subcommand register-docker" -l deregister -d 'always (default) or on-success: keep the services of a container that failed' -r
complete -c sd -n "__fish_sd_using_subcommand register-docker" -l cleanup -d 'Remove this host\'s services whose containers are gone (sd always does)' -r
complete -c sd -n "__fish_sd_using_subcommand register-docker" -l useIpFromLabel -d 'Take the address from this container label' -r
complete -c sd -n "__fish_sd_using_subcommand register-docker" -l docker-host -d 'Docker engine (default: DOCKER_HOST, else unix:///tmp/docker.sock, else /var/run/docker.sock)' -r
complete -c sd -n "__fish_sd_using_subcommand register-docker" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand register-docker" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand reload" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand reload" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand reload" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand reload" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand reload" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand reload" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand reload" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand reload" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand reload" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand reload" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand rtt" -l wan -d 'Use WAN coordinates instead of LAN coordinates.' -r
complete -c sd -n "__fish_sd_using_subcommand rtt" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand rtt" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand rtt" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand rtt" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand rtt" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand rtt" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand rtt" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand rtt" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand rtt" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand rtt" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand services; and not __fish_seen_subcommand_from register deregister help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand services; and not __fish_seen_subcommand_from register deregister help" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand services; and not __fish_seen_subcommand_from register deregister help" -f -a "register" -d 'Register services with the local agent'
complete -c sd -n "__fish_sd_using_subcommand services; and not __fish_seen_subcommand_from register deregister help" -f -a "deregister" -d 'Deregister services of the local agent'
complete -c sd -n "__fish_sd_using_subcommand services; and not __fish_seen_subcommand_from register deregister help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from register" -l id -d 'ID of the service registered from flags. Default: the -name value.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from register" -l name -d 'Name of the service to register from flags.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from register" -l address -d 'Address of the service. Default: the node\'s address.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from register" -l port -d 'Port of the service.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from register" -l tag -d 'Tag to add to the service. Repeat for several.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from register" -l meta -d 'Metadata pair to set on the service. Repeat for several.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from register" -l tagged-address -d 'Tagged address of the service as NAME=ADDRESS:PORT (lan=10.0.0.5:80). Repeat for several.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from register" -l kind -d 'The service\'s kind; empty (the default) for a typical service.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from register" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from register" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from register" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from register" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from register" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from register" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from register" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from register" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from register" -l datacenter -d 'Datacenter to send the request to. Default: the agent\'s own.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from register" -l stale -d 'Let any server answer a read, not only the leader: quicker, but the data may lag behind. Writes ignore it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from register" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from register" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from deregister" -l id -d 'ID of the service to remove. Not allowed together with files.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from deregister" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from deregister" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from deregister" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from deregister" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from deregister" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from deregister" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from deregister" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from deregister" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from deregister" -l datacenter -d 'Datacenter to send the request to. Default: the agent\'s own.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from deregister" -l stale -d 'Let any server answer a read, not only the leader: quicker, but the data may lag behind. Writes ignore it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from deregister" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from deregister" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from help" -f -a "register" -d 'Register services with the local agent'
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from help" -f -a "deregister" -d 'Deregister services of the local agent'
complete -c sd -n "__fish_sd_using_subcommand services; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore inspect help" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore inspect help" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore inspect help" -f -a "save" -d 'Save a snapshot of the cluster\'s state to a file'
complete -c sd -n "__fish_sd_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore inspect help" -f -a "restore" -d 'Restore the cluster\'s state from a snapshot file'
complete -c sd -n "__fish_sd_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore inspect help" -f -a "inspect" -d 'Show the metadata and contents of a snapshot file'
complete -c sd -n "__fish_sd_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore inspect help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l datacenter -d 'Datacenter to send the request to. Default: the agent\'s own.' -r
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l stale -d 'Let any server answer a read, not only the leader: quicker, but the data may lag behind. Writes ignore it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from save" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from save" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l datacenter -d 'Datacenter to send the request to. Default: the agent\'s own.' -r
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l stale -d 'Let any server answer a read, not only the leader: quicker, but the data may lag behind. Writes ignore it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from help" -f -a "save" -d 'Save a snapshot of the cluster\'s state to a file'
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from help" -f -a "restore" -d 'Restore the cluster\'s state from a snapshot file'
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Show the metadata and contents of a snapshot file'
complete -c sd -n "__fish_sd_using_subcommand snapshot; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand template" -l config -d 'Configuration file or directory (HCL or JSON); repeatable' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l template -d 'A template to render, where to write it and what to run when it changed; repeatable' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l consul-addr -d 'Address of the agent\'s HTTP API (default: CONSUL_HTTP_ADDR, else 127.0.0.1:8500)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l consul-auth -d 'Basic auth for the agent, user[:pass]' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l consul-token -d 'ACL token (default: CONSUL_HTTP_TOKEN)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l consul-token-file -d 'File holding the ACL token (default: CONSUL_HTTP_TOKEN_FILE)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l consul-retry -d 'Retry failed queries (default true)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l consul-retry-attempts -d 'Give up after this many failed attempts (default 0: never)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l consul-retry-backoff -d 'First retry delay, doubled on each failure (default 250ms)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l consul-retry-max-backoff -d 'Cap of the retry delay (default 1m)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l retry -d 'Same as -consul-retry-backoff' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l consul-ssl -d 'Talk HTTPS to the agent' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l consul-ssl-verify -d 'Verify the agent\'s certificate (default true)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l consul-ssl-ca-cert -d 'CA certificate file' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l consul-ssl-ca-path -d 'Directory of CA certificates' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l consul-ssl-cert -d 'Client certificate file' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l consul-ssl-key -d 'Client key file' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l consul-ssl-server-name -d 'Name expected in the agent\'s certificate' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l consul-transport-dial-keep-alive -d 'Accepted for compatibility (Go HTTP tuning)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l consul-transport-dial-timeout -d 'Accepted for compatibility (Go HTTP tuning)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l consul-transport-disable-keep-alives -d 'Accepted for compatibility (Go HTTP tuning)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l consul-transport-max-idle-conns-per-host -d 'Accepted for compatibility (Go HTTP tuning)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l consul-transport-tls-handshake-timeout -d 'Accepted for compatibility (Go HTTP tuning)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l dedup -d 'Elect one instance per template to query the agent; the others render from the data it shares in the KV store' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l default-left-delimiter -d 'Left delimiter of templates that set none (default {{)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l default-right-delimiter -d 'Right delimiter of templates that set none (default }})' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l dry -d 'Print the rendered templates to stdout instead of writing them' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l once -d 'Render each template once and exit' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l parse-only -d 'Parse the templates and exit' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l exec -d 'Run and supervise this command once every template has rendered' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l exec-kill-signal -d 'Signal that stops the child (default SIGINT)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l exec-kill-timeout -d 'Wait this long after the kill signal before SIGKILL (default 30s)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l exec-reload-signal -d 'Signal sent to the child on a change (default: restart it)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l exec-splay -d 'Random delay before signalling the child' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l exec-env-pristine -d 'Start the child with an empty environment' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l exec-env-custom -d 'KEY=value to add to the child\'s environment' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l exec-env-allowlist -d 'Only pass variables matching this glob to the child' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l exec-env-denylist -d 'Never pass variables matching this glob to the child' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l kill-signal -d 'Signal that stops sd template (default SIGINT)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l reload-signal -d 'Signal that reloads configuration and templates (default SIGHUP)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l log-level -d 'Log level: trace, debug, info, warn, err (default warn)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l log-file -d 'Also log to this file, rotated (a directory gets consul-template-<time>.log)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l log-rotate-bytes -d 'Start a new log file past this size in bytes (default 0: no limit)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l log-rotate-duration -d 'Start a new log file this often (default 24h)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l log-rotate-max-files -d 'Old log files to keep (default 0: all; -1: none)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l syslog -d 'Also log to the local syslog daemon' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l syslog-facility -d 'Syslog facility (default LOCAL0)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l syslog-name -d 'Program name in syslog (default consul-template)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l max-stale -d 'Allow stale reads this far behind the leader (default 2s)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l pid-file -d 'Write the process id to this file' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l template-error-fatal -d 'A template error ends the run (default false in sd)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l wait -d 'Quiescence: min[:max] with no change before rendering' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l block-warn -d 'Say at INFO what a template waits for after this long (default 30s)' -r
complete -c sd -n "__fish_sd_using_subcommand template" -l on-command-error -d 'What a failed command does: log (default) or exit' -r
complete -c sd -n "__fish_sd_using_subcommand template" -s v -l version -d 'Print the version and exit'
complete -c sd -n "__fish_sd_using_subcommand template" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand tls; and not __fish_seen_subcommand_from ca cert help" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand tls; and not __fish_seen_subcommand_from ca cert help" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand tls; and not __fish_seen_subcommand_from ca cert help" -f -a "ca" -d 'Helpers for CAs'
complete -c sd -n "__fish_sd_using_subcommand tls; and not __fish_seen_subcommand_from ca cert help" -f -a "cert" -d 'Helpers for certificates'
complete -c sd -n "__fish_sd_using_subcommand tls; and not __fish_seen_subcommand_from ca cert help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand tls; and __fish_seen_subcommand_from ca" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand tls; and __fish_seen_subcommand_from ca" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand tls; and __fish_seen_subcommand_from ca" -f -a "create" -d 'Create a new consul CA'
complete -c sd -n "__fish_sd_using_subcommand tls; and __fish_seen_subcommand_from ca" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand tls; and __fish_seen_subcommand_from cert" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand tls; and __fish_seen_subcommand_from cert" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand tls; and __fish_seen_subcommand_from cert" -f -a "create" -d 'Create a new certificate'
complete -c sd -n "__fish_sd_using_subcommand tls; and __fish_seen_subcommand_from cert" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand tls; and __fish_seen_subcommand_from help" -f -a "ca" -d 'Helpers for CAs'
complete -c sd -n "__fish_sd_using_subcommand tls; and __fish_seen_subcommand_from help" -f -a "cert" -d 'Helpers for certificates'
complete -c sd -n "__fish_sd_using_subcommand tls; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand validate" -l config-format -d 'Parse every file as json or hcl, whatever its extension.' -r
complete -c sd -n "__fish_sd_using_subcommand validate" -l quiet -d 'Print nothing when the configuration is valid, warnings included.' -r
complete -c sd -n "__fish_sd_using_subcommand validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand validate" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand watch" -l type -d 'The watch type: key, keyprefix, services, nodes, service, checks or event.' -r
complete -c sd -n "__fish_sd_using_subcommand watch" -l key -d 'The key to watch. Only for \'key\' type.' -r
complete -c sd -n "__fish_sd_using_subcommand watch" -l prefix -d 'The key prefix to watch. Only for \'keyprefix\' type.' -r
complete -c sd -n "__fish_sd_using_subcommand watch" -l service -d 'The service to watch. Required for \'service\' type, optional for \'checks\' type.' -r
complete -c sd -n "__fish_sd_using_subcommand watch" -l tag -d 'The service tag to filter on. Optional for \'service\' type.' -r
complete -c sd -n "__fish_sd_using_subcommand watch" -l passingonly -d 'Only instances passing all checks. Optional for \'service\' type. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand watch" -l state -d 'The check state to watch. Optional for \'checks\' type.' -r
complete -c sd -n "__fish_sd_using_subcommand watch" -l name -d 'The event name to watch. Only for \'event\' type.' -r
complete -c sd -n "__fish_sd_using_subcommand watch" -l shell -d 'Run the child with a shell ($SHELL, else /bin/sh). Default true.' -r
complete -c sd -n "__fish_sd_using_subcommand watch" -l http-addr -d 'Where the agent\'s HTTP API listens: host:port, or a URL with http:// or https:// and an optional path prefix. Falls back to CONSUL_HTTP_ADDR, then SD_HTTP_ADDR, then 127.0.0.1:8500. CONSUL_HTTP_SSL=true switches to https.' -r
complete -c sd -n "__fish_sd_using_subcommand watch" -l token -d 'ACL token sent with every request. Falls back to CONSUL_HTTP_TOKEN; with neither, no token is sent.' -r
complete -c sd -n "__fish_sd_using_subcommand watch" -l token-file -d 'File holding the ACL token (surrounding whitespace is trimmed); when it is not empty it overrides -token. Falls back to CONSUL_HTTP_TOKEN_FILE.' -r
complete -c sd -n "__fish_sd_using_subcommand watch" -l ca-file -d 'PEM file of CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CACERT.' -r
complete -c sd -n "__fish_sd_using_subcommand watch" -l ca-path -d 'Directory of PEM CA certificates trusted for the agent\'s TLS certificate, in place of the system roots. Falls back to CONSUL_CAPATH.' -r
complete -c sd -n "__fish_sd_using_subcommand watch" -l client-cert -d 'PEM certificate sd presents to the agent over TLS; needs -client-key. Falls back to CONSUL_CLIENT_CERT.' -r
complete -c sd -n "__fish_sd_using_subcommand watch" -l client-key -d 'PEM private key for -client-cert. Falls back to CONSUL_CLIENT_KEY.' -r
complete -c sd -n "__fish_sd_using_subcommand watch" -l tls-server-name -d 'Host name to send as SNI and to check the agent\'s certificate against, when it differs from the host in the address. Falls back to CONSUL_TLS_SERVER_NAME.' -r
complete -c sd -n "__fish_sd_using_subcommand watch" -l datacenter -d 'Datacenter to send the request to. Default: the agent\'s own.' -r
complete -c sd -n "__fish_sd_using_subcommand watch" -l stale -d 'Let any server answer a read, not only the leader: quicker, but the data may lag behind. Writes ignore it. Default false.' -r
complete -c sd -n "__fish_sd_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sd -n "__fish_sd_using_subcommand watch" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand version" -l format -d 'How to print it: pretty (plain text) or json.' -r
complete -c sd -n "__fish_sd_using_subcommand version" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand version" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand generate" -l dir -d 'Directory to write into (completions/ and man/ are created in it)' -r
complete -c sd -n "__fish_sd_using_subcommand generate" -s h -l help -d 'Print help'
complete -c sd -n "__fish_sd_using_subcommand generate" -s V -l version -d 'Print version'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "acl" -d 'Interact with Consul\'s ACLs'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "agent" -d 'Runs a Consul-compatible agent'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "catalog" -d 'List the datacenters, nodes and services in the catalog'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "config" -d 'Interact with Consul\'s centralized configurations'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "event" -d 'Fire a new event'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "info" -d 'Print the agent\'s internal statistics, for debugging'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "join" -d 'Join the agent to a cluster through one or more members'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "keygen" -d 'Generates a new encryption key'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "keyring" -d 'Manages gossip layer encryption keys'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "kv" -d 'Read, write, delete, export and import keys in the key/value store'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "leave" -d 'Make the agent leave the cluster gracefully and shut down'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "lock" -d 'Execute a command holding a lock'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "login" -d 'Login to Consul using an auth method'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "logout" -d 'Destroy a Consul token created with login'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "maint" -d 'Control node or service maintenance mode'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "monitor" -d 'Stream the agent\'s logs'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "force-leave" -d 'Mark a member that is not coming back as left'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "members" -d 'List the agents in the gossip pool'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "operator" -d 'Cluster administration commands'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "register-docker" -d 'Register the services of running Docker containers (registrator)'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "reload" -d 'Make the agent read its configuration files again'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "rtt" -d 'Estimates network round trip time between nodes'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "services" -d 'Register or deregister services of the local agent'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "snapshot" -d 'Save, restore and inspect snapshots of the cluster\'s state'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "template" -d 'Render templates from the catalog and KV store, running a command on change'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "tls" -d 'Builtin helpers for creating CAs and certificates'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "validate" -d 'Check agent configuration files without starting an agent'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "watch" -d 'Watch for changes in the cluster'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "version" -d 'Show which sd version this is and the protocol versions it speaks'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "generate" -d 'Writes shell completions and man pages generated from the command definitions'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from acl agent catalog config event info join keygen keyring kv leave lock login logout maint monitor force-leave members operator register-docker reload rtt services snapshot template tls validate watch version generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from acl" -f -a "bootstrap" -d 'Bootstrap Consul\'s ACL system'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from acl" -f -a "token" -d 'Manage Consul\'s ACL tokens'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from acl" -f -a "policy" -d 'Manage Consul\'s ACL policies'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from acl" -f -a "role" -d 'Manage Consul\'s ACL roles'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from acl" -f -a "auth-method" -d 'Manage Consul\'s ACL auth methods'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from acl" -f -a "binding-rule" -d 'Manage Consul\'s ACL binding rules'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from acl" -f -a "templated-policy" -d 'Manage Consul\'s ACL templated policies'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from acl" -f -a "set-agent-token" -d 'Assign tokens for the Consul agent\'s usage'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from catalog" -f -a "datacenters" -d 'List the known datacenters'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from catalog" -f -a "nodes" -d 'List the nodes in the catalog'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from catalog" -f -a "services" -d 'List the services in the catalog'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "delete" -d 'Delete a centralized config entry'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "list" -d 'List centralized config entries of a given kind'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "read" -d 'Read a centralized config entry'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "write" -d 'Create or update a centralized config entry'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "get" -d 'Print a key\'s value, or list the keys under a prefix'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "put" -d 'Write a value to a key'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "delete" -d 'Delete a key, or every key under a prefix'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "export" -d 'Print the keys under a prefix as JSON'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "import" -d 'Write the keys of a JSON export into the store'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from operator" -f -a "raft" -d 'Inspect or change the set of Raft servers'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from operator" -f -a "autopilot" -d 'Inspect or change autopilot\'s settings and see its state'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from operator" -f -a "usage" -d 'Provides cluster-level usage information'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from services" -f -a "register" -d 'Register services with the local agent'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from services" -f -a "deregister" -d 'Deregister services of the local agent'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from snapshot" -f -a "save" -d 'Save a snapshot of the cluster\'s state to a file'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from snapshot" -f -a "restore" -d 'Restore the cluster\'s state from a snapshot file'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from snapshot" -f -a "inspect" -d 'Show the metadata and contents of a snapshot file'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from tls" -f -a "ca" -d 'Helpers for CAs'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from tls" -f -a "cert" -d 'Helpers for certificates'
