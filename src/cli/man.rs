//! The manual: each command's exit status and examples, kept here once. `--help` shows
//! them after the options ([`annotate`]); `htguard man --dir DIR` writes a roff page per
//! command (`htguard.1`, `htguard-check.1`, `htguard-user-add.1`, …) with the clap
//! definitions plus EXIT STATUS, EXAMPLES and SEE ALSO sections.

use clap::Command;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `htguard man` (for packagers; users read the pages it writes).
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write the pages into this directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
}

/// What one command's page adds to its clap definition.
struct Page {
    /// Subcommand names below `htguard`, space-separated ("" is `htguard` itself).
    command: &'static str,
    /// (status, when).
    exit: &'static [(&'static str, &'static str)],
    /// (what it does, the command line).
    examples: &'static [(&'static str, &'static str)],
}

const WRITES: &[(&str, &str)] = &[
    ("0", "the file was written"),
    (
        "2",
        "usage error, bad input or I/O error; the file is unchanged",
    ),
];

const READS: &[(&str, &str)] = &[("0", "success"), ("2", "usage or I/O error")];

const PAGES: &[Page] = &[
    Page {
        command: "",
        exit: &[
            ("0", "success (for check: no finding at or above --fail-on)"),
            (
                "1",
                "check: findings at or above --fail-on; user verify: no match",
            ),
            ("2", "usage or I/O error"),
        ],
        examples: &[
            (
                "Check the Apache and nginx configs of this machine",
                "htguard check",
            ),
            (
                "Add a user to a new password file (prompts twice)",
                "htguard user add --create /etc/nginx/.htpasswd alice",
            ),
            ("Explain a rule", "htguard explain PW007"),
        ],
    },
    Page {
        command: "check",
        exit: &[
            ("0", "no finding at or above --fail-on (default error)"),
            (
                "1",
                "findings at or above --fail-on, or --diff has fixes to show",
            ),
            ("2", "usage error, unreadable input or a bad htguard.toml"),
        ],
        examples: &[
            (
                "Check /etc/apache2, /etc/httpd and /etc/nginx (those that exist)",
                "htguard check",
            ),
            (
                "Check an nginx tree and everything it includes",
                "htguard check /etc/nginx",
            ),
            (
                "Check single files; kinds are detected from name and content",
                "htguard check site.conf .htaccess users.htpasswd",
            ),
            (
                "Check a container image's root filesystem",
                "htguard check image-rootfs/",
            ),
            (
                "Fail on warnings too and write SARIF for code scanning",
                "htguard check --fail-on warning --format sarif /etc/apache2",
            ),
            (
                "Write a GitLab Code Quality report",
                "htguard check --format gitlab etc/",
            ),
            (
                "Show the safe fixes as a diff; nothing is written",
                "htguard check --diff /etc/apache2",
            ),
        ],
    },
    Page {
        command: "rules",
        exit: READS,
        examples: &[
            ("List every rule", "htguard rules"),
            ("The list as JSON", "htguard rules --format json"),
        ],
    },
    Page {
        command: "explain",
        exit: &[("0", "the rule was found"), ("2", "no such rule")],
        examples: &[
            ("By code", "htguard explain NX011"),
            ("By name", "htguard explain duplicate-user"),
        ],
    },
    Page {
        command: "map",
        exit: READS,
        examples: &[
            (
                "Which nginx locations are protected, by which file",
                "htguard map /etc/nginx",
            ),
            (
                "Who serves one URI",
                "htguard map /etc/nginx --uri /admin/x.php",
            ),
        ],
    },
    Page {
        command: "probe",
        exit: &[
            ("0", "no finding at or above --fail-on (default error)"),
            ("1", "findings at or above --fail-on"),
            (
                "2",
                "usage error, or the probe could not run (DNS, connection refused, TLS, timeout)",
            ),
        ],
        examples: &[
            (
                "Why does this URL answer 401? (the password from standard input)",
                "htguard probe https://example.org/admin/ --user alice --password-stdin",
            ),
            (
                "Probe a server by address, keeping the host name",
                "htguard probe https://example.org/ --resolve example.org:443:10.0.0.5 --insecure",
            ),
            (
                "Fail when the URL does not ask for a login",
                "htguard probe https://example.org/admin/ --expect-login --format json",
            ),
        ],
    },
    Page {
        command: "why",
        exit: &[
            (
                "0",
                "it could answer (the answer may be that httpd does not start)",
            ),
            (
                "2",
                "usage or I/O error, or a configuration it cannot answer for",
            ),
        ],
        examples: &[
            (
                "Why a URL asks for a login",
                "htguard why https://shop.example.com/admin/ /etc/apache2",
            ),
            (
                "As a user (the password from standard input) from another address",
                "htguard why http://localhost/private/ --user alice --password-stdin --from 192.0.2.7",
            ),
        ],
    },
    Page {
        command: "user",
        exit: &[
            ("0", "success; user verify: the password matches"),
            (
                "1",
                "user verify: no match or no such user; user delete: no such user",
            ),
            (
                "2",
                "usage error, bad input or I/O error; the file is unchanged",
            ),
        ],
        examples: &[
            (
                "Create a file with a first user (bcrypt, prompts twice)",
                "htguard user add --create /etc/nginx/.htpasswd alice",
            ),
            (
                "Check a password given on standard input",
                "htguard user verify /etc/nginx/.htpasswd alice --stdin",
            ),
            (
                "Give every user with a weak hash a new password",
                "htguard user rotate /etc/nginx/.htpasswd --weak --output new-passwords.txt",
            ),
        ],
    },
    Page {
        command: "user add",
        exit: WRITES,
        examples: &[
            (
                "Create the file with a first user (prompts twice, no echo)",
                "htguard user add --create /etc/nginx/.htpasswd alice",
            ),
            (
                "Add a user with a generated password, printed once",
                "htguard user add /etc/nginx/.htpasswd bob --generate",
            ),
            (
                "Add a user to an htdigest file",
                "htguard user add users.htdigest bob --realm Staff",
            ),
        ],
    },
    Page {
        command: "user set",
        exit: WRITES,
        examples: &[
            (
                "Change a password read from standard input",
                "htguard user set /etc/nginx/.htpasswd alice --stdin",
            ),
            (
                "Change it, or add the user if missing, in SHA-512 crypt",
                "htguard user set --create --scheme sha512 /etc/nginx/.htpasswd alice",
            ),
        ],
    },
    Page {
        command: "user delete",
        exit: &[
            ("0", "the user was removed"),
            ("1", "no such user; nothing changed"),
            ("2", "usage or I/O error; the file is unchanged"),
        ],
        examples: &[(
            "Remove a user (every entry of it)",
            "htguard user delete /etc/nginx/.htpasswd alice",
        )],
    },
    Page {
        command: "user verify",
        exit: &[
            ("0", "the password matches"),
            (
                "1",
                "no match, no such user, or an entry no password can match",
            ),
            ("2", "usage or I/O error"),
        ],
        examples: &[
            (
                "Ask for the password without echo",
                "htguard user verify /etc/nginx/.htpasswd alice",
            ),
            (
                "Read it from a file",
                "htguard user verify /etc/nginx/.htpasswd alice --password-file pw.txt",
            ),
        ],
    },
    Page {
        command: "user list",
        exit: READS,
        examples: &[
            (
                "Users with scheme, cost and strength (never the hashes)",
                "htguard user list /etc/nginx/.htpasswd",
            ),
            (
                "The same as JSON",
                "htguard user list /etc/nginx/.htpasswd --format json",
            ),
        ],
    },
    Page {
        command: "user rotate",
        exit: WRITES,
        examples: &[
            (
                "New passwords for two users, printed once",
                "htguard user rotate /etc/nginx/.htpasswd alice bob",
            ),
            (
                "Every weak hash, new passwords into a 0600 file",
                "htguard user rotate /etc/nginx/.htpasswd --weak --output new-passwords.txt",
            ),
        ],
    },
    Page {
        command: "user import",
        exit: WRITES,
        examples: &[
            (
                "Add users from user:password lines, one write",
                "htguard user import /etc/nginx/.htpasswd users.txt",
            ),
            (
                "From CSV, changing the passwords of users that exist",
                "htguard user import /etc/nginx/.htpasswd users.csv --replace",
            ),
        ],
    },
    Page {
        command: "group",
        exit: &[
            ("0", "success"),
            (
                "1",
                "group remove/delete: nothing to remove; nothing changed",
            ),
            (
                "2",
                "usage error, bad input or I/O error; the file is unchanged",
            ),
        ],
        examples: &[
            (
                "Put two users in a group (the group and file are created)",
                "htguard group add --create /etc/apache2/groups admins alice bob",
            ),
            (
                "Every group and its members",
                "htguard group list /etc/apache2/groups",
            ),
        ],
    },
    Page {
        command: "group add",
        exit: WRITES,
        examples: &[
            (
                "Add members (a missing group is created)",
                "htguard group add /etc/apache2/groups admins carol",
            ),
            (
                "Create the file too",
                "htguard group add --create /etc/apache2/groups editors dave",
            ),
        ],
    },
    Page {
        command: "group remove",
        exit: &[
            ("0", "at least one member was removed"),
            ("1", "none of the users was a member; nothing changed"),
            ("2", "usage or I/O error; the file is unchanged"),
        ],
        examples: &[(
            "Take a user out of a group",
            "htguard group remove /etc/apache2/groups admins carol",
        )],
    },
    Page {
        command: "group delete",
        exit: &[
            ("0", "the group was removed"),
            ("1", "no such group; nothing changed"),
            ("2", "usage or I/O error; the file is unchanged"),
        ],
        examples: &[(
            "Remove a group (every line of it)",
            "htguard group delete /etc/apache2/groups editors",
        )],
    },
    Page {
        command: "group list",
        exit: &[
            ("0", "success"),
            ("1", "the group asked for is not in the file"),
            ("2", "usage or I/O error"),
        ],
        examples: &[
            (
                "Every group with its members",
                "htguard group list /etc/apache2/groups",
            ),
            (
                "One group, as JSON",
                "htguard group list /etc/apache2/groups admins --format json",
            ),
        ],
    },
    Page {
        command: "hash",
        exit: READS,
        examples: &[
            (
                "Print a bcrypt line for a password on standard input",
                "htguard hash alice --stdin",
            ),
            (
                "SHA-512 crypt with more rounds",
                "htguard hash alice --scheme sha512 --rounds 100000",
            ),
        ],
    },
    Page {
        command: "htpasswd",
        exit: &[
            ("0", "success"),
            ("1", "the file cannot be read or written"),
            ("2", "syntax error on the command line"),
            ("3", "the passwords do not match (-v: wrong password)"),
            ("5", "a value is too long"),
            ("6", "the user name is not allowed, or (-v, -D) not found"),
            ("7", "the file is not an htpasswd file"),
        ],
        examples: &[
            (
                "Add or change a user with bcrypt, password from the command line",
                "htguard htpasswd -bB /etc/apache2/.htpasswd alice secret",
            ),
            (
                "Verify a password",
                "htguard htpasswd -v /etc/apache2/.htpasswd alice",
            ),
        ],
    },
    Page {
        command: "completions",
        exit: READS,
        examples: &[
            (
                "Load bash completion into this shell",
                "htguard completions bash",
            ),
            ("Install zsh completion", "htguard completions zsh"),
        ],
    },
];

fn page(path: &str) -> Option<&'static Page> {
    PAGES.iter().find(|p| p.command == path)
}

/// `--help` text after the options: the examples, then the exit status.
fn after_help(page: &Page) -> String {
    let mut out = String::from("Examples:\n");
    for (what, line) in page.examples {
        out.push_str(&format!("  # {what}\n  {line}\n"));
    }
    out.push_str("\nExit status:\n");
    for (code, when) in page.exit {
        out.push_str(&format!("  {code}  {when}\n"));
    }
    out.trim_end().to_string()
}

/// The command line with every page's examples and exit status in its `--help`.
pub fn annotate(cmd: Command) -> Command {
    annotate_at(cmd, "")
}

fn annotate_at(mut cmd: Command, path: &str) -> Command {
    if let Some(p) = page(path) {
        cmd = cmd.after_long_help(after_help(p));
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        let sub_path = join(path, &name);
        cmd = cmd.mut_subcommand(&name, |s| annotate_at(s, &sub_path));
    }
    cmd
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path} {name}")
    }
}

/// Write one page per visible command into `dir`; returns their paths.
pub fn write_pages(cmd: Command, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let mut written = Vec::new();
    write_tree(&cmd, "", dir, &mut written)?;
    Ok(written)
}

fn write_tree(
    cmd: &Command,
    path: &str,
    dir: &Path,
    written: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    let man = Man::new(cmd.clone())
        .manual("htguard manual")
        .source(format!("htguard {}", env!("CARGO_PKG_VERSION")));
    let file = dir.join(man.get_filename());
    let mut out = std::io::BufWriter::new(std::fs::File::create(&file)?);
    render(&man, cmd, path, &mut out)?;
    out.flush()?;
    written.push(file);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_tree(sub, &join(path, sub.get_name()), dir, written)?;
    }
    Ok(())
}

/// clap_mangen's sections, with ours in place of its EXTRA (the `--help` epilogue).
fn render(man: &Man, cmd: &Command, path: &str, out: &mut dyn Write) -> std::io::Result<()> {
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(out)?;
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        man.render_subcommands_section(out)?;
    }
    let mut roff = Roff::default();
    if let Some(p) = page(path) {
        exit_status(&mut roff, p);
        examples(&mut roff, p);
    }
    see_also(&mut roff, cmd, path);
    roff.to_writer(out)?;
    man.render_version_section(out)
}

fn exit_status(roff: &mut Roff, page: &Page) {
    roff.control("SH", ["EXIT STATUS"]);
    for (code, when) in page.exit {
        roff.control("TP", []);
        roff.text([bold(*code)]);
        roff.text([roman(*when)]);
    }
}

fn examples(roff: &mut Roff, page: &Page) {
    roff.control("SH", ["EXAMPLES"]);
    for (what, line) in page.examples {
        roff.control("PP", []);
        roff.text([roman(format!("{what}:"))]);
        roff.control("RS", ["4"]);
        roff.control("nf", []);
        roff.text([roman(*line)]);
        roff.control("fi", []);
        roff.control("RE", []);
    }
}

/// The parent page and the subcommands' pages (the top page lists those already).
fn see_also(roff: &mut Roff, cmd: &Command, path: &str) {
    let mut refs: Vec<String> = Vec::new();
    if path.is_empty() || path == "htpasswd" {
        refs.push("htpasswd".into());
    }
    if !path.is_empty() {
        let parent = match path.rsplit_once(' ') {
            Some((parent, _)) => format!("htguard-{}", parent.replace(' ', "-")),
            None => "htguard".to_string(),
        };
        refs.push(parent);
        refs.extend(
            cmd.get_subcommands()
                .filter(|s| !s.is_hide_set())
                .map(|s| format!("htguard-{}", join(path, s.get_name()).replace(' ', "-"))),
        );
    }
    roff.control("SH", ["SEE ALSO"]);
    let list: Vec<String> = refs.iter().map(|r| format!("{r}(1)")).collect();
    roff.text([roman(list.join(", "))]);
}

pub fn run(args: ManArgs) -> i32 {
    match write_pages(super::command(), &args.dir) {
        Ok(pages) => {
            for p in pages {
                println!("{}", p.display());
            }
            super::exit::OK
        }
        Err(e) => {
            eprintln!(
                "htguard: error: cannot write man pages to {}: {e}",
                args.dir.display()
            );
            super::exit::ERROR
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every visible command, as "user add" paths.
    fn commands(cmd: &Command, path: &str, out: &mut Vec<String>) {
        out.push(path.to_string());
        for s in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            if s.get_name() != "help" {
                commands(s, &join(path, s.get_name()), out);
            }
        }
    }

    #[test]
    fn every_command_has_a_page_and_every_page_a_command() {
        let mut all = Vec::new();
        commands(&super::super::command(), "", &mut all);
        for c in &all {
            let p = page(c).unwrap_or_else(|| panic!("no manual page data for `{c}`"));
            assert!(!p.exit.is_empty() && !p.examples.is_empty(), "`{c}`");
        }
        for p in PAGES {
            assert!(
                all.iter().any(|c| c == p.command),
                "`{}` is no command",
                p.command
            );
        }
    }

    #[test]
    fn every_example_parses_as_the_command_it_documents() {
        for p in PAGES {
            for (_, line) in p.examples {
                let words: Vec<&str> = line.split_whitespace().collect();
                assert_eq!(words[0], "htguard", "{line}");
                let m = super::super::command()
                    .try_get_matches_from(&words)
                    .unwrap_or_else(|e| panic!("`{line}` does not parse:\n{e}"));
                let mut names = Vec::new();
                let mut at = &m;
                while let Some((name, sub)) = at.subcommand() {
                    names.push(name);
                    at = sub;
                }
                // A page's examples run the page's command (or a subcommand of it).
                assert!(
                    names.join(" ").starts_with(p.command),
                    "`{line}` is not an example of `htguard {}`",
                    p.command
                );
            }
        }
    }

    #[test]
    fn help_shows_the_examples_and_exit_status() {
        let mut cmd = super::super::command();
        let help = cmd
            .find_subcommand_mut("check")
            .expect("check")
            .render_long_help()
            .to_string();
        assert!(help.contains("Examples:\n  # Check /etc/apache2"), "{help}");
        assert!(help.contains("Exit status:\n  0  no finding"), "{help}");
    }

    #[test]
    fn pages_have_exit_status_and_examples_sections() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pages = write_pages(super::super::command(), dir.path()).expect("write");
        let names: Vec<String> = pages
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        for want in [
            "htguard.1",
            "htguard-check.1",
            "htguard-user.1",
            "htguard-user-add.1",
        ] {
            assert!(names.iter().any(|n| n == want), "{want} missing: {names:?}");
        }
        assert!(
            !names.iter().any(|n| n.contains("-man")),
            "hidden command paged"
        );
        let check = std::fs::read_to_string(dir.path().join("htguard-check.1")).unwrap();
        assert!(check.contains(".SH \"EXIT STATUS\""), "{check}");
        assert!(check.contains(".SH EXAMPLES"), "{check}");
        assert!(
            check.contains("htguard check \\-\\-diff /etc/apache2"),
            "{check}"
        );
        assert!(!check.contains(".SH EXTRA"), "{check}");
    }
}
