//! Starting a server process on a free port, waiting until it listens, and
//! always stopping it (its whole process group) again.

use std::collections::HashSet;
use std::fs;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::thread::sleep;
use std::time::{Duration, Instant};

const START_TIMEOUT: Duration = Duration::from_secs(20);
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
const PORT_ATTEMPTS: usize = 6;
/// What both servers log when another process took the port first.
const PORT_TAKEN: &str = "Address already in use";

thread_local! {
    static FORCED_PORTS: std::cell::RefCell<Vec<u16>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Makes the next server started on this thread try `port` first (for the
/// harness's own test of the retry on a port collision).
pub fn force_next_port(port: u16) {
    FORCED_PORTS.with(|p| p.borrow_mut().push(port));
}

/// A running Apache or nginx. Dropping it stops the server (also when the test
/// panics, as Drop runs during unwinding).
///
/// Keep it on the thread that started it and drop it there: the server also
/// gets SIGTERM when that thread ends (so a killed test run leaves nothing
/// behind), which makes a Server in a `static` shared by several tests die with
/// the first test's thread. To probe many cases on one server, do it in one
/// test (see tests/server_facts.rs).
pub struct Server {
    pub(crate) name: &'static str,
    child: Child,
    port: u16,
    error_log: PathBuf,
    stderr_log: PathBuf,
    conf_path: PathBuf,
    stopped: bool,
}

/// How to launch one server: the program, its arguments, and the config it
/// reads, rendered for a given port (a new port is tried on a bind collision).
pub(crate) struct Launch<'a> {
    pub name: &'static str,
    pub program: PathBuf,
    pub args: Vec<String>,
    pub conf_path: PathBuf,
    pub render_conf: &'a dyn Fn(u16) -> String,
    pub error_log: PathBuf,
    pub stderr_log: PathBuf,
}

/// Starts the server; on failure the error holds the cause, the config and
/// the logs (for tests asserting that a config does not start).
pub(crate) fn try_launch(l: Launch<'_>) -> Result<Server, String> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let port = free_port();
        fs::write(&l.conf_path, (l.render_conf)(port))
            .unwrap_or_else(|e| panic!("write {}: {e}", l.conf_path.display()));
        // Start each attempt with empty logs so a failure shows only its own cause.
        let _ = fs::remove_file(&l.error_log);
        let stderr = fs::File::create(&l.stderr_log)
            .unwrap_or_else(|e| panic!("create {}: {e}", l.stderr_log.display()));
        let stdout = stderr.try_clone().expect("clone stderr log handle");
        let mut cmd = Command::new(&l.program);
        cmd.args(&l.args)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .process_group(0);
        // SAFETY: prctl is async-signal-safe; it makes the server get SIGTERM if
        // the thread that started it dies without running Drop (e.g. SIGKILL of the test).
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", l.program.display()));
        let mut server = Server {
            name: l.name,
            child,
            port,
            error_log: l.error_log.clone(),
            stderr_log: l.stderr_log.clone(),
            conf_path: l.conf_path.clone(),
            stopped: false,
        };
        let cause = match server.wait_listening() {
            Ok(()) => return Ok(server),
            Err(cause) => cause,
        };
        server.stop();
        let logs = server.logs();
        if logs.contains(PORT_TAKEN) && attempt < PORT_ATTEMPTS {
            continue;
        }
        return Err(format!(
            "{} failed to start ({cause}).\n--- config {} ---\n{}\n--- logs ---\n{logs}",
            l.name,
            l.conf_path.display(),
            fs::read_to_string(&l.conf_path).unwrap_or_default(),
        ));
    }
}

/// Runs `program args` once to completion (a config test such as `-t`);
/// Ok(output) on exit 0, Err(output) otherwise; output is stdout + stderr.
pub(crate) fn run_config_test(program: &Path, args: &[String]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("spawn {}: {e}", program.display()));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(text)
    } else {
        Err(text)
    }
}

/// A port nobody listens on right now. The kernel picks it; we also remember
/// every port handed out in this process so two tests never race for one.
pub(crate) fn free_port() -> u16 {
    if let Some(port) = FORCED_PORTS.with(|p| p.borrow_mut().pop()) {
        return port;
    }
    static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);
    let mut guard = HANDED_OUT.lock().unwrap_or_else(|p| p.into_inner());
    let seen = guard.get_or_insert_with(HashSet::new);
    loop {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        if seen.insert(port) {
            return port;
        }
    }
}

impl Server {
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's error log (empty if it has not been written yet).
    pub fn error_log(&self) -> String {
        fs::read_to_string(&self.error_log).unwrap_or_default()
    }

    /// What the server printed on stdout/stderr (startup problems before the
    /// error log is open land here).
    pub fn stderr_log(&self) -> String {
        fs::read_to_string(&self.stderr_log).unwrap_or_default()
    }

    /// Path of the config file the server was started with.
    pub fn conf_path(&self) -> &Path {
        &self.conf_path
    }

    fn logs(&self) -> String {
        format!(
            "error log {}:\n{}\nstdout/stderr:\n{}",
            self.error_log.display(),
            self.error_log(),
            self.stderr_log()
        )
    }

    /// Waits until the server's own main process holds a listening socket on
    /// our port. Checking ownership (not just "something answers") means a
    /// foreign process that grabbed the port can never pass for our server.
    fn wait_listening(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        let pid = self.child.id();
        loop {
            if has_exited(pid) {
                return Err("the process exited".into());
            }
            if pid_listens_on(pid, self.port) {
                return Ok(());
            }
            // nginx retries bind() for seconds before giving up; stop it early.
            if self.logs().contains(PORT_TAKEN) {
                return Err(format!("port {} is taken", self.port));
            }
            if Instant::now() > deadline {
                return Err(format!("not listening after {START_TIMEOUT:?}"));
            }
            sleep(Duration::from_millis(20));
        }
    }

    /// Stops the server: SIGTERM to the process group (lets Apache release its
    /// IPC resources), SIGKILL for anything left, then reap the main process.
    /// The main process is reaped last, so the group id cannot be reused by an
    /// unrelated process while we still signal it.
    pub fn stop(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        let pid = self.child.id();
        let pgid = pid as libc::pid_t;
        signal_group(pgid, libc::SIGTERM);
        let deadline = Instant::now() + STOP_TIMEOUT;
        while !has_exited(pid) && Instant::now() < deadline {
            sleep(Duration::from_millis(10));
        }
        // Workers may outlive a main process that is already gone.
        signal_group(pgid, libc::SIGKILL);
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn signal_group(pgid: libc::pid_t, sig: libc::c_int) {
    // SAFETY: kill has no memory-safety preconditions; the group is the one we
    // created with process_group(0) for our unreaped child.
    unsafe {
        libc::kill(-pgid, sig);
    }
}

/// True when our (unreaped) child has exited: it is a zombie or gone.
fn has_exited(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name, which may contain spaces.
        Ok(stat) => stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.trim_start().starts_with('Z'))
            .unwrap_or(true),
        Err(_) => true,
    }
}

/// True when process `pid` owns a TCP socket in LISTEN state on `port`.
fn pid_listens_on(pid: u32, port: u16) -> bool {
    let inodes = listening_inodes(port);
    if inodes.is_empty() {
        return false;
    }
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.flatten().any(|fd| {
        fs::read_link(fd.path())
            .ok()
            .and_then(|target| {
                let t = target.to_string_lossy().into_owned();
                t.strip_prefix("socket:[")
                    .and_then(|s| s.strip_suffix(']'))
                    .map(str::to_owned)
            })
            .is_some_and(|inode| inodes.contains(&inode))
    })
}

fn listening_inodes(port: u16) -> HashSet<String> {
    const TCP_LISTEN: &str = "0A";
    let mut found = HashSet::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() < 10 || fields[3] != TCP_LISTEN {
                continue;
            }
            let local_port = fields[1]
                .rsplit_once(':')
                .and_then(|(_, p)| u16::from_str_radix(p, 16).ok());
            if local_port == Some(port) {
                found.insert(fields[9].to_owned());
            }
        }
    }
    found
}
