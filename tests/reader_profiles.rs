//! The reader profiles against the real programs: lighttpd 1.4 (mod_authn_file), the
//! Docker Distribution registry and Verdaccio 6.8.0 each read password files holding every
//! scheme htguard writes (and the other kinds the support table has rows for) and the line
//! quirks of spec/passwd-files.md; every login is answered exactly as htguard's profile
//! predicts (`model::reader::login`, from `target::reader` and `hash::support`).
//!
//! Each program is started once per test; the password file is rewritten between cases
//! (lighttpd reads it on every request, the registry when its mtime changes, Verdaccio on
//! every request — keeping users it read before, so each case has its own user names).
//! `htguard check --target X` runs on every case too: a login the line means that fails on
//! the program has an error finding naming its user, one that works has none.
//!
//! docs/readers.md lists what these tests show.

mod common;
mod reader_support;

use common::{Site, need, run_tool};
use htguard::hash::{Params, Scheme, generate};
use htguard::model::reader::login;
use htguard::syntax::passwd::parse;
use htguard::target::Profile;
use htguard::target::reader::{self, Reader};
use reader_support::Program;
use std::time::{Duration, SystemTime};

const PW: &str = "secret12345";
const OTHER: &str = "other-pass1";
const NON_ASCII: &str = "pässwört1";

/// A login to try. `line`: the 1-based line whose meaning it is (then `check` must agree:
/// an error finding on that line exactly when the login fails).
struct Probe {
    user: String,
    password: String,
    line: Option<usize>,
}

/// A password file and the logins to try on it.
struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    /// The line the last `raw` text started on.
    last_line: usize,
    probes: Vec<Probe>,
}

impl Case {
    fn new(name: &'static str) -> Case {
        Case {
            name,
            bytes: Vec::new(),
            last_line: 1,
            probes: Vec::new(),
        }
    }

    /// Append raw bytes to the file.
    fn raw(&mut self, bytes: impl AsRef<[u8]>) -> &mut Case {
        self.last_line = 1 + self.bytes.iter().filter(|b| **b == b'\n').count();
        self.bytes.extend_from_slice(bytes.as_ref());
        self
    }

    /// The login the line just added means.
    fn meant(&mut self, user: &str, password: &str) -> &mut Case {
        self.probe(user, password, Some(self.last_line))
    }

    /// Another login to try (a name as a program reads it, a wrong or cut password).
    fn also(&mut self, user: &str, password: &str) -> &mut Case {
        self.probe(user, password, None)
    }

    fn probe(&mut self, user: &str, password: &str, line: Option<usize>) -> &mut Case {
        self.probes.push(Probe {
            user: user.into(),
            password: password.into(),
            line,
        });
        self
    }
}

fn hash(scheme: Scheme, password: &str) -> String {
    let params = Params {
        cost: (scheme == Scheme::Bcrypt).then_some(5),
        rounds: None,
    };
    generate(scheme, password.as_bytes(), &params)
        .unwrap_or_else(|e| panic!("{scheme}: {e}"))
        .hash
}

/// `{SSHA}` = base64(sha1(password + salt) + salt); htguard does not write it.
fn ssha(password: &str) -> String {
    use base64::Engine;
    use sha1::{Digest, Sha1};
    let salt = b"NaCl1234";
    let mut raw = Sha1::new()
        .chain_update(password)
        .chain_update(salt)
        .finalize()
        .to_vec();
    raw.extend_from_slice(salt);
    format!(
        "{{SSHA}}{}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// Every scheme htguard writes, the bcrypt prefixes, `{SSHA}`, `{PLAIN}` and yescrypt;
/// password truncation (DES 8, bcrypt 72) and non-ASCII passwords.
fn schemes(p: &str) -> Case {
    let mut c = Case::new("schemes");
    for scheme in Scheme::ALL {
        let user = format!("{p}s-{}", scheme.name());
        c.raw(format!("{user}:{}\n", hash(scheme, PW)))
            .meant(&user, PW)
            .also(&user, OTHER);
    }
    c.also(&format!("{p}s-crypt"), &PW[..8])
        .also(&format!("{p}s-bcrypt"), &PW[..8]);
    let bcrypt = hash(Scheme::Bcrypt, PW);
    for prefix in ["$2a$", "$2b$", "$2x$"] {
        let user = format!("{p}k-{}", &prefix[1..3]);
        c.raw(format!("{user}:{prefix}{}\n", &bcrypt[4..]))
            .meant(&user, PW);
    }
    let yescrypt = run_tool("mkpasswd", &["-m", "yescrypt", PW]);
    for (kind, h) in [
        ("ssha", ssha(PW)),
        ("plain", format!("{{PLAIN}}{PW}")),
        ("yescrypt", yescrypt.trim().to_owned()),
    ] {
        let user = format!("{p}k-{kind}");
        c.raw(format!("{user}:{h}\n"))
            .meant(&user, PW)
            .also(&user, OTHER);
    }
    let long = format!("{}XYZ", "a".repeat(72));
    c.raw(format!("{p}long:{}\n", hash(Scheme::Bcrypt, &long)))
        .meant(&format!("{p}long"), &long)
        .also(&format!("{p}long"), &long[..72])
        .also(&format!("{p}long"), &long[..71]);
    for scheme in [
        Scheme::Bcrypt,
        Scheme::Sha512Crypt,
        Scheme::Apr1,
        Scheme::Md5Crypt,
        Scheme::DesCrypt,
        Scheme::Sha1,
    ] {
        let user = format!("{p}n-{}", scheme.name());
        c.raw(format!("{user}:{}\n", hash(scheme, NON_ASCII)))
            .also(&user, NON_ASCII);
    }
    c
}

/// The line quirks of spec/passwd-files.md, one user each. `colon_less`: include a line
/// without `:` (the registry refuses a whole file for it: a case of its own there).
fn quirks(p: &str, colon_less: bool) -> Case {
    let a = hash(Scheme::Bcrypt, PW);
    let b = hash(Scheme::Bcrypt, OTHER);
    let mut c = Case::new("quirks");
    let u = |name: &str| format!("{p}{name}");
    c.raw(format!("\u{feff}{}:{a}\n", u("bom")))
        .meant(&u("bom"), PW)
        .also(&format!("\u{feff}{}", u("bom")), PW);
    c.raw(format!("{}:{a}\n", u("ok")))
        .meant(&u("ok"), PW)
        .also(&u("ok"), OTHER);
    // Longer than Apache's 8190 bytes and lighttpd's 1024, shorter than the registry's 64 KiB.
    c.raw(format!("{}:{a}:{}\n", u("long9k"), "x".repeat(9000)))
        .meant(&u("long9k"), PW);
    c.raw(format!("{}:{a}\n", u("after-long")))
        .meant(&u("after-long"), PW);
    c.raw(format!("{}:{a}:{}\n", u("long1k"), "x".repeat(1100)))
        .meant(&u("long1k"), PW);
    // Lines of exactly 1024 and 1025 bytes (lighttpd's limit), made long by the user name.
    for len in [1024, 1025] {
        let name = format!("{}{}", u("n"), "n".repeat(len - 1 - a.len() - u("n").len()));
        c.raw(format!("{name}:{a}\n")).meant(&name, PW);
    }
    c.raw(format!("{}:{a}\\\n", u("backslash")))
        .meant(&u("backslash"), PW);
    c.raw(format!("{}:{a}\n", u("after-backslash")))
        .meant(&u("after-backslash"), PW);
    c.raw(format!("{}::{a}\n", u("doubled-colon")))
        .meant(&u("doubled-colon"), PW);
    c.raw(format!("{}:{a} # note\n", u("inline-comment")))
        .meant(&u("inline-comment"), PW);
    c.raw(format!("  {}:{a}\n", u("lead")))
        .meant(&u("lead"), PW)
        .also(&format!("  {}", u("lead")), PW);
    c.raw(format!("\t{}:{a}\n", u("lead-tab")))
        .meant(&u("lead-tab"), PW);
    c.raw(format!("{}:{a} \n", u("trail")))
        .meant(&u("trail"), PW);
    c.raw(format!("{}:{a}\t\n", u("trail-tab")))
        .meant(&u("trail-tab"), PW);
    c.raw(format!("{}: {a}\n", u("space-after-colon")))
        .meant(&u("space-after-colon"), PW);
    c.raw(format!("{} :{a}\n", u("space-before-colon")))
        .meant(&u("space-before-colon"), PW)
        .also(&format!("{} ", u("space-before-colon")), PW);
    c.raw(format!("{}:{a}:a comment\n", u("third-field")))
        .meant(&u("third-field"), PW);
    c.raw("# a comment line\n");
    c.raw(format!("#{}:{a}\n", u("hashed")))
        .also(&format!("#{}", u("hashed")), PW)
        .also(&u("hashed"), PW);
    c.raw(format!("  # {}:{a}\n", u("indented")))
        .also(&format!("  # {}", u("indented")), PW)
        .also(&format!("# {}", u("indented")), PW);
    c.raw("\n   \n");
    c.raw(format!("{}:{a}\n{}:{b}\n", u("dup"), u("dup")))
        .also(&u("dup"), PW)
        .also(&u("dup"), OTHER);
    c.raw(format!("{}:\n", u("empty"))).meant(&u("empty"), PW);
    c.raw(format!("{}:{a}\n", u("Case")))
        .meant(&u("Case"), PW)
        .also(&u("case"), PW);
    if colon_less {
        c.raw(format!("{}\n", u("no-colon")));
        c.raw(format!("{}:{a}\n", u("no-colon")))
            .meant(&u("no-colon"), PW);
    }
    c.raw(format!("{}:{a}\r\n", u("crlf")))
        .meant(&u("crlf"), PW);
    c.raw(format!("{}:{a}", u("no-final-newline")))
        .meant(&u("no-final-newline"), PW);
    c
}

/// A NUL byte inside a line (lighttpd stops reading there; the others read on).
fn nul(p: &str) -> Case {
    let a = hash(Scheme::Bcrypt, PW);
    let mut c = Case::new("nul");
    c.raw(format!("{p}before:{a}\n"))
        .meant(&format!("{p}before"), PW);
    c.raw(format!("{p}nul:{a}\0junk\n{p}after:{a}\n"))
        .also(&format!("{p}nul"), PW)
        .also(&format!("{p}after"), PW);
    c
}

/// Writes the case's file (mtime moved on each time, for the registry's change check),
/// tries every probe and `check --target`, and returns the disagreements.
fn run_case(reader: &Reader, program: &Program, case: &Case, seq: u64) -> Vec<String> {
    write_users(program, &case.bytes, seq);
    let profile = Profile::default();
    let parsed = parse(&case.bytes);
    let mut wrong = Vec::new();
    let mut answers = Vec::new();
    for probe in &case.probes {
        let want = login(
            reader,
            &parsed,
            &case.bytes,
            probe.user.as_bytes(),
            probe.password.as_bytes(),
            &profile,
        );
        let got = program.login(&probe.user, &probe.password);
        answers.push(got);
        if got != want {
            wrong.push(format!(
                "{} {}: login {:?} with {:?}: the program answered {got}, the profile says {want}",
                reader.server.as_str(),
                case.name,
                short(&probe.user),
                probe.password
            ));
        }
    }
    wrong.extend(check_agrees(reader, program, case, &answers));
    wrong
}

/// `htguard check --target X`: an error finding on each line whose meant login fails on
/// the program (or one for the whole file), and none on a line whose login works.
fn check_agrees(reader: &Reader, program: &Program, case: &Case, answers: &[u16]) -> Vec<String> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_htguard"))
        .args([
            "check",
            "--format",
            "json",
            "--kind",
            "htpasswd",
            "--target",
            reader.server.as_str(),
        ])
        .arg(&program.users)
        .output()
        .expect("run htguard check");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "htguard check {}: {e}; stderr: {}",
            program.users.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let errors: Vec<(u64, &str)> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|d| d["severity"] == "error" && d["servers"][0] == reader.server.as_str())
        .map(|d| {
            let line = d["line"].as_u64().unwrap_or_default();
            (line, d["message"].as_str().unwrap_or_default())
        })
        .collect();
    let whole_file = errors
        .iter()
        .any(|(_, m)| m.contains("refuses the whole file"));
    let mut wrong = Vec::new();
    for (probe, answer) in case.probes.iter().zip(answers) {
        let Some(line) = probe.line else { continue };
        let fails = *answer != 200;
        let named = whole_file || errors.iter().any(|(l, _)| *l == line as u64);
        if fails != named {
            wrong.push(format!(
                "{} {}: {:?} (line {line}) {} on the program, but check {}",
                reader.server.as_str(),
                case.name,
                short(&probe.user),
                if fails { "cannot log in" } else { "logs in" },
                if named { "reports it" } else { "says nothing" }
            ));
        }
    }
    wrong
}

/// Replace the password file, with an mtime no earlier write had.
fn write_users(program: &Program, bytes: &[u8], seq: u64) {
    std::fs::write(&program.users, bytes).expect("write users");
    let mtime = SystemTime::now() + Duration::from_secs(10 * seq);
    std::fs::File::options()
        .write(true)
        .open(&program.users)
        .and_then(|f| f.set_modified(mtime))
        .expect("set mtime");
}

/// A user name for a message: long ones cut.
fn short(user: &str) -> String {
    match user.char_indices().nth(24) {
        Some((at, _)) => format!("{}…({} bytes)", &user[..at], user.len()),
        None => user.to_owned(),
    }
}

fn assert_none(wrong: Vec<String>) {
    assert!(
        wrong.is_empty(),
        "{} disagreements:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn lighttpd_answers_as_its_profile_says() {
    if !need(&["lighttpd", "mkpasswd"]) {
        return;
    }
    let site = Site::new();
    let program = reader_support::lighttpd(&site);
    let r = &reader::LIGHTTPD;
    let mut wrong = run_case(r, &program, &schemes("l"), 1);
    wrong.extend(run_case(r, &program, &quirks("l", true), 2));
    wrong.extend(run_case(r, &program, &nul("l"), 3));
    let a = hash(Scheme::Bcrypt, PW);
    // Files of 64 MiB or more are not loaded (the rest of this one is NUL bytes).
    for (size, seq) in [(64 << 20, 4), ((64 << 20) - 1, 5)] {
        let mut big = Case::new("64 MiB");
        big.raw(format!("big:{a}\n")).also("big", PW);
        big.bytes.resize(size, 0);
        let want = login(
            r,
            &parse(&big.bytes),
            &big.bytes,
            b"big",
            PW.as_bytes(),
            &Profile::default(),
        );
        write_users(&program, &big.bytes, seq);
        let got = program.login("big", PW);
        if got != want {
            wrong.push(format!(
                "lighttpd: a {size}-byte file: answered {got}, the profile says {want}"
            ));
        }
    }
    assert_none(wrong);
}

#[test]
fn docker_registry_answers_as_its_profile_says() {
    if !need(&["docker-registry", "mkpasswd"]) {
        return;
    }
    let site = Site::new();
    // The registry writes a random `docker` user into a missing file at startup.
    let a = hash(Scheme::Bcrypt, PW);
    site.write("users", format!("first:{a}\nbroken\n"));
    let program = reader_support::docker_registry(&site);
    let r = &reader::DOCKER_REGISTRY;
    // Never read a good file: a colon-less line or a line over 64 KiB fails every login.
    let mut refused = Case::new("no colon");
    refused
        .raw(format!("first:{a}\nbroken\n"))
        .meant("first", PW)
        .also("first", OTHER);
    let mut wrong = run_case(r, &program, &refused, 1);
    let mut long = Case::new("64 KiB line");
    long.raw(format!("first:{a}\n#{}\n", "x".repeat(65535)))
        .meant("first", PW);
    wrong.extend(run_case(r, &program, &long, 2));
    let mut fits = Case::new("line of 65535 bytes");
    fits.raw(format!("fits:{a}\n#{}\n", "x".repeat(65534)))
        .meant("fits", PW);
    wrong.extend(run_case(r, &program, &fits, 3));
    wrong.extend(run_case(r, &program, &schemes("r"), 4));
    wrong.extend(run_case(r, &program, &quirks("r", false), 5));
    wrong.extend(run_case(r, &program, &nul("r"), 6));
    // After a good file, a bad edit is answered 400 once; then the old copy is used.
    write_users(&program, format!("new:{a}\nbroken\n").as_bytes(), 7);
    let after_edit = [
        program.login("rbefore", PW),
        program.login("rbefore", PW),
        program.login("new", PW),
    ];
    if after_edit != [400, 200, 401] {
        wrong.push(format!(
            "docker-registry: after a bad edit: {after_edit:?}, observed before [400, 200, 401]"
        ));
    }
    assert_none(wrong);
}

#[test]
fn verdaccio_answers_as_its_profile_says() {
    if !need(&["mkpasswd"]) {
        return;
    }
    let Some(bin) = reader_support::need_verdaccio() else {
        return;
    };
    let site = Site::new();
    site.write("users", "");
    let program = reader_support::verdaccio(&site, &bin);
    let r = &reader::VERDACCIO;
    let mut wrong = run_case(r, &program, &schemes("v"), 1);
    wrong.extend(run_case(r, &program, &quirks("v", true), 2));
    wrong.extend(run_case(r, &program, &nul("v"), 3));
    // Verdaccio merges each reading into the users it knows: a user deleted from the file
    // still logs in until Verdaccio restarts (htguard's profile reads the file as it is).
    let a = hash(Scheme::Bcrypt, PW);
    write_users(&program, format!("kept:{a}\n").as_bytes(), 4);
    let gone = program.login("vs-bcrypt", PW);
    if gone != 200 {
        wrong.push(format!(
            "verdaccio: a user deleted from the file answered {gone}, observed before 200"
        ));
    }
    // A changed password takes effect at once.
    let b = hash(Scheme::Bcrypt, OTHER);
    write_users(&program, format!("kept:{b}\n").as_bytes(), 5);
    let changed = [program.login("kept", PW), program.login("kept", OTHER)];
    if changed != [401, 200] {
        wrong.push(format!(
            "verdaccio: after a password change: {changed:?}, observed before [401, 200]"
        ));
    }
    assert_none(wrong);
}

/// A password file missing when the registry starts is created, with one `docker` user
/// whose random password only the registry's log shows: every other login gets 401.
#[test]
fn docker_registry_creates_a_missing_password_file() {
    if !need(&["docker-registry"]) {
        return;
    }
    let site = Site::new();
    let program = reader_support::docker_registry(&site);
    let written = std::fs::read_to_string(&program.users).expect("the registry wrote the file");
    assert!(written.starts_with("docker:$2"), "{written:?}");
    assert_eq!(program.login("docker", PW), 401);
}
