fn main() {
    // A file-size limit (`ulimit -f`) must fail the write with EFBIG, which the store reports
    // with the original file intact, instead of killing the process mid-write (SIGXFSZ's
    // default action).
    // SAFETY: setting a signal's disposition to SIG_IGN before any threads exist.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    // Checking a large tree allocates in many small steps on several threads; growing each
    // heap 64 MiB at a time instead of page by page saves thousands of mprotect/brk calls.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only tunes glibc's allocator; called before any allocation-heavy work.
    unsafe {
        libc::mallopt(libc::M_TOP_PAD, 64 << 20);
    }
    std::process::exit(htguard::cli::run(std::env::args_os().collect()));
}
