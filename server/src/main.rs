//! The `dom` binary: a thin shell over the `server` library.

fn main() -> std::process::ExitCode {
    server::cli::main(std::env::args().skip(1).collect())
}
