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
complete -c sd -n "__fish_sd_needs_command" -f -a "validate" -d 'Validates config files or directories'
complete -c sd -n "__fish_sd_needs_command" -f -a "version" -d 'Prints the sd version'
complete -c sd -n "__fish_sd_needs_command" -f -a "generate" -d 'Writes shell completions and man pages generated from the command definitions'
complete -c sd -n "__fish_sd_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand agent" -l dev -d 'dev mode' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l server -d 'server' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l bootstrap -d 'bootstrap' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l data-dir -d 'data dir' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l node -d 'node' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l http-port -d 'http port' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l client -d 'client' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l bind -d 'bind' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l dns-port -d 'x' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l server-port -d 'x' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l serf-lan-port -d 'x' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l serf-wan-port -d 'x' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -l log-level -d 'x' -r
complete -c sd -n "__fish_sd_using_subcommand agent" -s h -l help -d 'Print help'
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
complete -c sd -n "__fish_sd_using_subcommand validate" -s h -l help -d 'Print help'
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
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from agent info kv members operator validate version generate help" -f -a "validate" -d 'Validates config files or directories'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from agent info kv members operator validate version generate help" -f -a "version" -d 'Prints the sd version'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from agent info kv members operator validate version generate help" -f -a "generate" -d 'Writes shell completions and man pages generated from the command definitions'
complete -c sd -n "__fish_sd_using_subcommand help; and not __fish_seen_subcommand_from agent info kv members operator validate version generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "get" -d 'Retrieves the value at a key or prefix'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "put" -d 'Sets or updates data in the KV store'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "delete" -d 'Removes data from the KV store'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "export" -d 'Exports a tree from the KV store as JSON'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from kv" -f -a "import" -d 'Imports a tree stored as JSON to the KV store'
complete -c sd -n "__fish_sd_using_subcommand help; and __fish_seen_subcommand_from operator" -f -a "raft" -d 'Provides tools for interacting with the Raft subsystem'
