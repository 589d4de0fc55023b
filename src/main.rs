//! The `sd` binary: everything lives in the library; this only hands over the arguments.

fn main() -> std::process::ExitCode {
    sd::run(std::env::args_os().collect())
}
