//! Removing an in-flight temporary file when the process is interrupted.
//!
//! A temporary file is normally removed by its destructor, but SIGINT/SIGTERM/SIGHUP/SIGQUIT
//! with their default action end the process without running destructors. While a write is
//! in flight its temp path is "armed" in a fixed slot; a handler (installed only where the
//! process still has the default action, so an application's own handlers are respected)
//! unlinks every armed path — `unlink` is async-signal-safe — then restores the default
//! action and re-raises, so the exit status still says "killed by SIGINT".
//! SIGKILL cannot be caught: then a `.NAME.*.htguard-tmp` file may remain, the target is intact.

use std::cell::UnsafeCell;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::Once;
use std::sync::atomic::{AtomicU8, Ordering};

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

/// While alive, `path` is removed if the process is interrupted by a catchable signal.
pub(crate) struct Armed {
    slot: Option<usize>,
}

impl Armed {
    pub(crate) fn new(path: &Path) -> Armed {
        INSTALL.call_once(install_handlers);
        let bytes = path.as_os_str().as_bytes();
        if bytes.len() >= PATH_CAP || bytes.contains(&0) {
            return Armed { slot: None };
        }
        for (i, slot) in TABLE.iter().enumerate() {
            if slot
                .state
                .compare_exchange(FREE, BUSY, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                // SAFETY: this thread owns the slot while it is BUSY.
                let buf = unsafe { &mut *slot.path.get() };
                buf[..bytes.len()].copy_from_slice(bytes);
                buf[bytes.len()] = 0;
                slot.state.store(ARMED, Ordering::Release);
                return Armed { slot: Some(i) };
            }
        }
        // More concurrent writes than slots: still correct, only without signal cleanup.
        Armed { slot: None }
    }
}

impl Drop for Armed {
    fn drop(&mut self) {
        if let Some(i) = self.slot {
            TABLE[i].state.store(BUSY, Ordering::Release);
            TABLE[i].state.store(FREE, Ordering::Release);
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
    for slot in TABLE.iter() {
        if slot.state.load(Ordering::Acquire) == ARMED {
            // SAFETY: the buffer is stable and NUL-terminated while ARMED.
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

/// A C string for `path`, for the system calls the store makes directly.
pub(crate) fn c_path(path: &Path) -> std::io::Result<CString> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "path contains NUL"))
}
