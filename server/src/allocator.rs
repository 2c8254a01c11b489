//! The process's allocator: mimalloc, told to hand memory back as soon as it is freed.
//! `dom` declares it in `main.rs`; the bench binaries include this file by path, so
//! they measure the allocator the service runs.

/// glibc's malloc cost an import and a match's explanations many small allocations and
/// frees across threads (39% of an import profile); mimalloc does them for less.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc's `mimalloc.h` (v3, the version the crate
/// builds): libmimalloc-sys names no constant for it.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// By default mimalloc v3 keeps freed pages for a second (arenas ten) before returning them,
/// and what an open frees at once — the table snapshot read in one piece, the decode
/// buffers of the pool's threads — stayed resident: 600 B a profile at a million cards
/// instead of 364 (BENCHMARKS.md §10). Returning pages at once cost nothing measurable.
pub fn return_freed_memory_at_once() {
    // SAFETY: sets one of mimalloc's integer options; no memory is touched.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_option_set_is_the_purge_delay() {
        // SAFETY: reads and sets mimalloc integer options only.
        use super::{return_freed_memory_at_once, PURGE_DELAY};
        let (default, after) = unsafe {
            let default = libmimalloc_sys::mi_option_get(PURGE_DELAY);
            return_freed_memory_at_once();
            (default, libmimalloc_sys::mi_option_get(PURGE_DELAY))
        };
        // The purge delay's default in v3 (`options.c`: 1,000 ms) unless the environment
        // set one; either way, ours afterwards.
        let from_env = std::env::var("MIMALLOC_PURGE_DELAY").ok();
        if from_env.is_none() {
            assert_eq!(
                default,
                1000,
                "option {} is not the purge delay",
                super::PURGE_DELAY
            );
        }
        assert_eq!(after, 0);
    }
}
