//! Removing an in-flight temporary file when the process is interrupted.
//!
//! A temporary file is normally removed by its destructor, but SIGINT/SIGTERM/SIGHUP/SIGQUIT
//! with their default action end the process without running destructors. While a write is
//! in flight its temp path is "armed" in a fixed slot; a handler (installed only where the
//! process still has the default action, so an application's own handlers are respected)
//! unlinks every armed path — `unlink` is async-signal-safe — then restores the default
//! action and re-raises, so the exit status still says "killed by SIGINT".
//!
//! The file must never exist unarmed. [`create_armed`] installs the handler first, then
//! creates the file and arms its path with those signals blocked in the calling thread: a
//! signal that arrives meanwhile waits and finds the path armed. A signal taken by another
//! thread waits (spinning) for a slot being filled, and once the handler has started no new
//! temp file is created. SIGKILL cannot be caught: then a `.NAME.*.htguard-tmp` file may
//! remain (the target is intact) and the next writer removes it (`stale.rs`).

use std::cell::UnsafeCell;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

const SLOTS: usize = 8;
const PATH_CAP: usize = 4096;

const FREE: u8 = 0;
const BUSY: u8 = 1;
const ARMED: u8 = 2;

struct Slot {
    state: AtomicU8,
    /// NUL-terminated path; only written while the slot is BUSY (owned by one thread).
    path: UnsafeCell<[u8; PATH_CAP]>,
}

// SAFETY: `path` is written only by the thread that moved `state` FREE→BUSY, and read by
// the signal handler only while `state` is ARMED (after the write completed, Release/Acquire).
unsafe impl Sync for Slot {}

#[allow(clippy::declare_interior_mutable_const)]
const EMPTY: Slot = Slot {
    state: AtomicU8::new(FREE),
    path: UnsafeCell::new([0; PATH_CAP]),
};

static TABLE: [Slot; SLOTS] = [EMPTY; SLOTS];
static INSTALL: Once = Once::new();

const SIGNALS: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

/// Set by the handler before it scans the slots: from then on no temp file is created.
static DYING: AtomicBool = AtomicBool::new(false);

/// How long the handler waits for another thread to finish filling a slot (microseconds).
const FILL_WAIT_MICROS: i64 = 100_000;

/// While alive, its path is removed if the process is interrupted by a catchable signal.
pub(crate) struct Armed {
    slot: Option<usize>,
}

/// Create a temporary file with `create` and arm the path `path_of` gives it, so that no
/// catchable signal can end the process between the file appearing and being armed.
/// Drop the file (which removes it) before the returned `Armed`.
pub(crate) fn create_armed<T>(
    create: impl FnOnce() -> std::io::Result<T>,
    path_of: impl FnOnce(&T) -> &Path,
) -> std::io::Result<(T, Armed)> {
    INSTALL.call_once(install_handlers);
    let _held = HeldSignals::new();
    let Some(slot) = claim() else {
        // More concurrent writes than slots: still correct, only without signal cleanup.
        return create().map(|t| (t, Armed { slot: None }));
    };
    if DYING.load(Ordering::SeqCst) {
        TABLE[slot].state.store(FREE, Ordering::Release);
        return Err(std::io::Error::from_raw_os_error(libc::EINTR));
    }
    let made = match create() {
        Ok(made) => made,
        Err(e) => {
            TABLE[slot].state.store(FREE, Ordering::Release);
            return Err(e);
        }
    };
    let bytes = path_of(&made).as_os_str().as_bytes();
    if bytes.len() >= PATH_CAP || bytes.contains(&0) {
        TABLE[slot].state.store(FREE, Ordering::Release);
        return Ok((made, Armed { slot: None }));
    }
    // SAFETY: this thread owns the slot while it is BUSY.
    let buf = unsafe { &mut *TABLE[slot].path.get() };
    buf[..bytes.len()].copy_from_slice(bytes);
    buf[bytes.len()] = 0;
    TABLE[slot].state.store(ARMED, Ordering::Release);
    Ok((made, Armed { slot: Some(slot) }))
}

fn claim() -> Option<usize> {
    TABLE.iter().position(|slot| {
        slot.state
            .compare_exchange(FREE, BUSY, Ordering::SeqCst, Ordering::Relaxed)
            .is_ok()
    })
}

impl Drop for Armed {
    fn drop(&mut self) {
        if let Some(i) = self.slot {
            TABLE[i].state.store(FREE, Ordering::Release);
        }
    }
}

/// Blocks the cleanup signals in this thread while alive; they are delivered when it drops.
/// (A handler run in this thread while it owns a BUSY slot would wait for itself.)
struct HeldSignals {
    old: libc::sigset_t,
}

impl HeldSignals {
    fn new() -> HeldSignals {
        // SAFETY: sigset operations on local, initialised sets; pthread_sigmask only changes
        // this thread's mask and the old mask is restored on drop.
        unsafe {
            let mut block: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut block);
            for sig in SIGNALS {
                libc::sigaddset(&mut block, sig);
            }
            let mut old: libc::sigset_t = std::mem::zeroed();
            libc::pthread_sigmask(libc::SIG_BLOCK, &block, &mut old);
            HeldSignals { old }
        }
    }
}

impl Drop for HeldSignals {
    fn drop(&mut self) {
        // SAFETY: restores the mask saved in `new`.
        unsafe {
            libc::pthread_sigmask(libc::SIG_SETMASK, &self.old, std::ptr::null_mut());
        }
    }
}

fn install_handlers() {
    for sig in SIGNALS {
        // SAFETY: sigaction with a zeroed struct queries/sets the disposition; the handler
        // below only calls async-signal-safe functions.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(sig, std::ptr::null(), &mut old) != 0 {
                continue;
            }
            if old.sa_sigaction != libc::SIG_DFL {
                continue; // the application handles (or ignores) it: leave it alone
            }
            let mut new: libc::sigaction = std::mem::zeroed();
            new.sa_sigaction = on_signal as *const () as libc::sighandler_t;
            libc::sigemptyset(&mut new.sa_mask);
            new.sa_flags = libc::SA_RESETHAND;
            libc::sigaction(sig, &new, std::ptr::null_mut());
        }
    }
}

extern "C" fn on_signal(sig: libc::c_int) {
    DYING.store(true, Ordering::SeqCst);
    for slot in TABLE.iter() {
        wait_while_filled(slot);
        if slot.state.load(Ordering::Acquire) == ARMED {
            // SAFETY: the buffer is stable and NUL-terminated while ARMED (and no slot is
            // refilled once DYING is set).
            unsafe {
                libc::unlink(slot.path.get() as *const libc::c_char);
            }
        }
    }
    // SA_RESETHAND restored the default action: re-raise so the process ends as it would have.
    // SAFETY: raise is async-signal-safe.
    unsafe {
        libc::raise(sig);
    }
}

/// Another thread is creating a temp file in `slot` (it holds the signals, so it is not this
/// thread): wait until it is armed or released, which takes a few system calls.
fn wait_while_filled(slot: &Slot) {
    let start = monotonic_micros();
    while slot.state.load(Ordering::SeqCst) == BUSY {
        if monotonic_micros() - start > FILL_WAIT_MICROS {
            return;
        }
        std::hint::spin_loop();
    }
}

/// clock_gettime is async-signal-safe (std's Instant is not documented to be).
#[allow(clippy::useless_conversion)] // time_t and c_long are i32 on some targets
fn monotonic_micros() -> i64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: writes into a local timespec.
    unsafe {
        libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts);
    }
    i64::from(ts.tv_sec) * 1_000_000 + i64::from(ts.tv_nsec) / 1_000
}

/// A C string for `path`, for the system calls the store makes directly.
pub(crate) fn c_path(path: &Path) -> std::io::Result<CString> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "path contains NUL"))
}
