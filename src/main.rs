// Checking a tree makes millions of small allocations on several threads. Measured with
// benches/compare.sh against the system allocator (same run; CPU medians, instructions):
// Apache tree (1,000 vhosts) 208 -> 130 ms, 952 -> 752 M; nginx tree (1,000 servers)
// check 84 -> 48 ms, 460 -> 371 M; 1M-line password file check 171 -> 150 ms.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // A file-size limit (`ulimit -f`) must fail the write with EFBIG, which the store reports
    // with the original file intact, instead of killing the process mid-write (SIGXFSZ's
    // default action).
    // SAFETY: setting a signal's disposition to SIG_IGN before any threads exist.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    // Workers parse .htaccess files side by side, and configuration nesting recurses:
    // give them the main thread's stack size, not rayon's 2 MiB.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(8 << 20)
        .build_global();
    std::process::exit(htguard::cli::run(std::env::args_os().collect()));
}
