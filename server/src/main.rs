//! The `dom` binary: a thin shell over the `server` library.

mod allocator;

fn main() -> std::process::ExitCode {
    allocator::return_freed_memory_at_once();
    // Everything DOM writes (store, index, keys, snapshots, backups, temporary files,
    // including what sled and tantivy create) is personal data: owner only.
    // SAFETY: umask only sets the process's file-creation mask; no memory involved.
    unsafe {
        libc::umask(0o077);
    }
    server::cli::main(std::env::args().skip(1).collect())
}
