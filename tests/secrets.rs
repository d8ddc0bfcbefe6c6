//! No output shows a password: known passwords are put where they can sit in password
//! files (bare plaintext, `{PLAIN}`, a DES-shaped 13-character text, a third field, an
//! inline comment, commented-out entries, notes, a line of their own, a group file's note,
//! a config comment) and fed through every command and format that reads those files:
//! `check` (human, JSON, SARIF, GitHub, GitLab, `--diff`, `--fix`), `map`, `user`,
//! `htpasswd` and `group`. Not one 3-character piece of any of them may appear in any
//! output. Only what a user asks to see is left out: `hash`, `htpasswd -n` and the new
//! passwords `user rotate` hands out (written to a file here).
//!
//! The passwords' pieces appear in no fixed text (rule names, messages, documentation):
//! the test also runs every command on a copy with the passwords replaced by other
//! letters, and asserts no piece is found there either.

use assert_cmd::Command;
use std::path::Path;

/// The known passwords, and where each sits.
const PASSWORDS: &[&str] = &[
    "Qx7Jv9Kz",      // bob: bare plaintext
    "Hb4Wn8Tq",      // carl: {PLAIN}
    "Wq3Zk9Vx2Pj7M", // heidi: 13 characters, the shape of a DES hash
    "Mf3Bt7Xr",      // erin: a third field after the hash
    "Ty8Nc2Vh",      // frank: an inline comment `# pw=…` after the hash
    "Wz5Kq8Pd",      // grace: looks like an apr1 hash, is not
    "Cx4Lp7Rz",      // ivan: blank after the colon
    "Gv6Hy3Mk",      // judy: trailing blanks
    "Zp6Rm3Yc",      // # dave:… commented-out entry
    "Vk2Xf5Lw",      // # admin password: … note
    "Jd9Qs4Gn",      // a line of its own
    "Zr8Wq2Xk",      // a group file's note
    "Fq9Dw4Js",      // a config comment next to a finding
    "Bn5Yt8Rg",      // carol in the digest file: a password where the digest goes
    "Ks2Qv6Wd",      // nginx: an indented `# kim:…`, a live user there
    "Hx5Tm9Qa",      // lena: where a SHA-crypt hash has its rounds
    "Dk7Wb3Nf",      // mike: where a bcrypt hash has its cost
    "Rj4Gs8Vt",      // nick: a {SHA} value that is not base64
    "Lw7Cx5Zh",      // typed after a `:` in a user or group name on the command line
];

const BCRYPT: &str = "$2y$10$L0iImfZjMSaF22I6cO8hCu/uXME2V8Uv0cLVGN0b8fUhmFrJQdB/6";
const APR1: &str = "$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/";

fn users(p: &[&str]) -> String {
    format!(
        "alice:{APR1}\n\
         bob:{}\n\
         carl:{{PLAIN}}{}\n\
         heidi:{}\n\
         erin:{APR1}:{}\n\
         frank:{APR1} # pw={}\n\
         grace:$apr1${}\n\
         ivan: {}\n\
         judy:{}  \n\
         # dave:{}\n\
         # admin password: {}\n\
         {}\n\
         mallory:{BCRYPT}\n\
         \x20 # kim:{}\n\
         lena:$6$rounds={}$saltsalt$hash\n\
         mike:$2y${}$L0iImfZjMSaF22I6cO8hCu\n\
         nick:{{SHA}}{}!\n",
        p[0],
        p[1],
        p[2],
        p[3],
        p[4],
        p[5],
        p[6],
        p[7],
        p[8],
        p[9],
        p[10],
        p[14],
        p[15],
        p[16],
        p[17]
    )
}

fn digest(p: &[&str]) -> String {
    format!(
        "alice:Realm:0123456789abcdef0123456789abcdef\ncarol:Realm:{}\n",
        p[13]
    )
}

fn groups(p: &[&str]) -> String {
    format!("admins: alice bob\n# pw={}\nops: nobody\n", p[11])
}

fn nginx_conf(p: &[&str]) -> String {
    format!(
        "events {{}}\nhttp {{\n  server {{\n    listen 80;\n    root html;\n    location /admin/ {{\n      auth_basic \"Admin\";\n      # pw={}\n      auth_basic_user_file users;\n    }}\n  }}\n}}\n",
        p[12]
    )
}

fn apache_conf() -> String {
    "ServerRoot \"{dir}\"\nDocumentRoot \"{dir}\"\n<Directory \"{dir}\">\n  Require all granted\n</Directory>\n\
     <Location /admin>\n  AuthType Basic\n  AuthName \"Admin\"\n  AuthUserFile \"{dir}/users\"\n  AuthGroupFile \"{dir}/groups\"\n  Require group admins\n</Location>\n\
     <Location /vault>\n  AuthType Digest\n  AuthName \"Realm\"\n  AuthUserFile \"{dir}/digest\"\n  Require valid-user\n</Location>\n"
        .to_string()
}

fn write_tree(dir: &Path, p: &[&str]) {
    let d = dir.display().to_string();
    std::fs::write(dir.join("users"), users(p)).unwrap();
    std::fs::write(dir.join("digest"), digest(p)).unwrap();
    std::fs::write(dir.join("groups"), groups(p)).unwrap();
    std::fs::write(dir.join("nginx.conf"), nginx_conf(p)).unwrap();
    std::fs::write(dir.join("httpd.conf"), apache_conf().replace("{dir}", &d)).unwrap();
    std::fs::write(dir.join("import"), format!("bob:{}\nnew:{}\n", p[0], p[1])).unwrap();
}

/// One command line: its arguments and its standard input.
type Run = (Vec<String>, String);

fn run(args: &[&str], stdin: &str) -> Run {
    (
        args.iter().map(|a| a.to_string()).collect(),
        stdin.to_string(),
    )
}

/// Every command of the test, readers first, writers last (they change the files).
fn commands(p: &[&str]) -> Vec<Run> {
    let files = ["users", "digest", "groups"];
    let with_configs = [
        "--apache-config",
        "httpd.conf",
        "--nginx-config",
        "nginx.conf",
    ];
    let mut out = Vec::new();
    for format in ["human", "json", "sarif", "github", "gitlab"] {
        let check = ["check", "--format", format];
        out.push(run(&[&check[..], &files].concat(), ""));
        out.push(run(&[&check[..], &with_configs, &files].concat(), ""));
        for target in ["lighttpd", "docker-registry", "verdaccio"] {
            out.push(run(
                &[&check[..], &["--target", target, "users"]].concat(),
                "",
            ));
        }
    }
    for args in [
        &["check", "--diff", "users", "digest", "groups"][..],
        &["check", "--diff", "--nginx-config", "nginx.conf", "users"],
        &["check", "--color", "always", "users"],
        &["map", "nginx.conf"],
        &["map", "--format", "json", "nginx.conf"],
        &["user", "list", "users"],
        &["user", "list", "--format", "json", "users"],
        &["user", "list", "digest"],
        &["user", "delete", "users", "nobody"],
        &["user", "import", "users", "import"],
        &["group", "list", "groups"],
        &["group", "list", "users"],
        &["group", "add", "users", "admins", "bob"],
        &["group", "add", "groups", "admins", "zed"],
        &["group", "remove", "groups", "ops", "bob"],
        &["htpasswd", "-D", "users", "nobody"],
        &["htpasswd", "-D", "digest", "carol"],
    ] {
        out.push(run(args, ""));
    }
    // Each user's password, right and wrong, through `verify`, `htpasswd -v` and `add`.
    let by_user = [
        ("bob", p[0]),
        ("carl", p[1]),
        ("heidi", p[2]),
        ("erin", p[3]),
        ("frank", p[4]),
        ("grace", p[5]),
        ("ivan", p[6]),
        ("judy", p[7]),
        ("dave", p[8]),
        ("kim", p[14]),
        ("lena", p[15]),
        ("mike", p[16]),
        ("nick", p[17]),
    ];
    for (user, pw) in by_user {
        for guess in [pw, "wrong-guess"] {
            out.push(run(
                &["user", "verify", "users", user, "--stdin"],
                &format!("{guess}\n"),
            ));
            out.push(run(&["htpasswd", "-vb", "users", user, guess], ""));
        }
        out.push(run(
            &["user", "add", "users", user, "--stdin"],
            &format!("{pw}\n"),
        ));
    }
    // `user:password` typed where a name goes.
    let name = format!("bob:{}", p[18]);
    for args in [
        &["user", "add", "users", &name, "--stdin"][..],
        &["user", "verify", "users", &name, "--stdin"],
        &["user", "delete", "users", &name],
        &["htpasswd", "-b", "users", &name, "pw"],
        &["htpasswd", "-nb", &name, "pw"],
        &["hash", &name, "--stdin"],
        &["group", "add", "groups", "admins", &name],
        &["group", "add", "groups", &name, "bob"],
    ] {
        out.push(run(args, "pw\n"));
    }
    let carol = format!("{}\n", p[13]);
    out.push(run(
        &[
            "user", "verify", "digest", "carol", "--realm", "Realm", "--stdin",
        ],
        &carol,
    ));
    out.push(run(&["check", "--fix", "users", "digest", "groups"], ""));
    out.push(run(
        &[
            "user",
            "rotate",
            "users",
            "--weak",
            "--output",
            "new-passwords",
        ],
        "",
    ));
    let bob = format!("{}\n", p[0]);
    out.push(run(
        &[
            "user", "set", "users", "bob", "--scheme", "plain", "--stdin",
        ],
        &bob,
    ));
    out.push(run(&["htpasswd", "-bp", "users", "carl", p[1]], ""));
    out.push(run(&["user", "list", "users"], ""));
    out.push(run(&["check", "users"], ""));
    out
}

/// Everything the commands print (stdout and stderr, the exit code), with the temp
/// directory's path taken out.
fn outputs(p: &[&str]) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    write_tree(dir.path(), p);
    let d = dir.path().display().to_string();
    commands(p)
        .into_iter()
        .map(|(args, stdin)| {
            let out = Command::cargo_bin("htguard")
                .unwrap()
                .args(&args)
                .current_dir(dir.path())
                .env("NO_COLOR", "1")
                .write_stdin(stdin)
                .output()
                .unwrap();
            let text = format!(
                "{}{}exit {:?}\n",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                out.status.code()
            );
            (args.join(" "), text.replace(&d, "<DIR>"))
        })
        .collect()
}

/// Every 3-character piece of every password found in an output, as "piece in command".
fn leaks(passwords: &[&str], outputs: &[(String, String)]) -> Vec<String> {
    let mut found = Vec::new();
    for pw in passwords {
        let chars: Vec<char> = pw.chars().collect();
        for piece in chars.windows(3) {
            let piece: String = piece.iter().collect();
            for (cmd, text) in outputs {
                if text.contains(&piece) {
                    found.push(format!("`{piece}` of {pw} in `htguard {cmd}`:\n{text}"));
                }
            }
        }
    }
    found
}

#[test]
fn no_output_shows_any_piece_of_a_password() {
    let outs = outputs(PASSWORDS);
    let found = leaks(PASSWORDS, &outs);
    assert!(found.is_empty(), "{}", found.join("\n"));
    // Not vacuous: the commands ran and talked about these entries.
    let all: String = outs.iter().map(|(_, t)| t.as_str()).collect();
    for code in [
        "PW002", "PW012", "PW023", "PW001", "PW018", "PW020", "PW022",
    ] {
        assert!(all.contains(code), "no {code} finding:\n{all}");
    }
    for user in [
        "bob", "carl", "heidi", "erin", "frank", "grace", "ivan", "judy", "dave", "lena", "mike",
        "nick",
    ] {
        assert!(all.contains(&format!("`{user}`")), "nothing about {user}");
    }
    assert!(all.contains("password for carl is correct"), "{all}");
}

/// The pieces are absent from htguard's fixed text: the same run with other passwords
/// finds none of them either (so a piece found above can only come from the file).
#[test]
fn the_passwords_pieces_occur_in_no_fixed_text() {
    let others: Vec<String> = PASSWORDS
        .iter()
        .map(|p| {
            p.chars()
                .map(|c| if c.is_ascii_digit() { '0' } else { 'a' })
                .collect()
        })
        .collect();
    let others: Vec<&str> = others.iter().map(String::as_str).collect();
    let outs = outputs(&others);
    let found = leaks(PASSWORDS, &outs);
    assert!(found.is_empty(), "{}", found.join("\n"));
}
