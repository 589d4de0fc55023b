//! Generates shell completions (bash, zsh, fish) and man pages from the one clap tree.
