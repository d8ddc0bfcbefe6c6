//! Phase timings for profiling a check (cargo feature `phases`, env `HTG_PHASES`): each
//! mark prints the wall time, CPU time and resident memory since the previous mark.
//! Without the feature a mark compiles to nothing.

/// End the current phase, naming it `label`.
#[inline(always)]
pub fn mark(label: &str) {
    #[cfg(feature = "phases")]
    timed::mark(label);
    #[cfg(not(feature = "phases"))]
    let _ = label;
}

#[cfg(feature = "phases")]
mod timed {
    use std::sync::Mutex;
    use std::time::Instant;

    static LAST: Mutex<Option<(Instant, f64)>> = Mutex::new(None);

    /// User + system CPU time of the process so far, in ms.
    fn cpu_ms() -> f64 {
        let mut ru = std::mem::MaybeUninit::<libc::rusage>::uninit();
        // SAFETY: valid out-pointer; getrusage fills it on success (it cannot fail here).
        let r = unsafe {
            libc::getrusage(libc::RUSAGE_SELF, ru.as_mut_ptr());
            ru.assume_init()
        };
        let us = |t: libc::timeval| t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
        us(r.ru_utime) + us(r.ru_stime)
    }

    fn rss_mb() -> u64 {
        std::fs::read_to_string("/proc/self/statm")
            .ok()
            .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
            .unwrap_or(0)
            * 4
            / 1024
    }

    pub fn mark(label: &str) {
        if std::env::var_os("HTG_PHASES").is_none() {
            return;
        }
        let (now, cpu) = (Instant::now(), cpu_ms());
        let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((t, c)) = *last {
            eprintln!(
                "{:>8.2} ms  {label} cpu={:.2} rss={}",
                (now - t).as_secs_f64() * 1e3,
                cpu - c,
                rss_mb()
            );
        }
        *last = Some((now, cpu));
    }
}
