//! The `dom` binary: a thin shell over the `server` library.

/// glibc's malloc costs an import and a match's explanations many small allocations
/// and frees across threads; mimalloc does them for less.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // Everything DOM writes (store, index, keys, snapshots, backups, temporary files,
    // including what sled and tantivy create) is personal data: owner only.
    // SAFETY: umask only sets the process's file-creation mask; no memory involved.
    unsafe {
        libc::umask(0o077);
    }
    server::cli::main(std::env::args().skip(1).collect())
}
