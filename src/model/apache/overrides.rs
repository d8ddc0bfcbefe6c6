//! The `.htaccess` override policy: what httpd does with a `.htaccess` under the
//! `AllowOverride` in effect (core's `set_override`, `ap_parse_htaccess` and the command
//! lookup of `ap_walk_config`).

use super::ApacheModel;
use super::config::{DirectiveRef, HtaccessCommand, Scope};
use super::directives::{self, Classes};
use crate::source::Span;

/// What happened to a `.htaccess` on the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HtaccessVerdict {
    Applied,
    /// Not read: `AllowOverride None` (the directive, or None for the default).
    Ignored {
        allow_override: Option<DirectiveRef>,
    },
    /// Read but refused: the directory answers 500.
    Broken {
        at: Span,
        reason: String,
        allow_override: Option<DirectiveRef>,
    },
}

/// The `AllowOverride` in effect, as core's `set_override` reads its arguments in order:
/// `None` and `All` start over, a class adds to what is there, `Nonfatal=…` turns a
/// refusal into a warning in the error log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    pub classes: Classes,
    /// `Nonfatal=Override` (or `All`): a directive outside the classes is skipped.
    pub nonfatal_override: bool,
    /// `Nonfatal=Unknown` (or `All`): a directive no module defines is skipped.
    pub nonfatal_unknown: bool,
}

impl Overrides {
    pub fn parse(args: &[super::loader::Arg]) -> Overrides {
        let mut o = Overrides::default();
        for a in args {
            let word = a.value.as_str();
            if let Some(which) = word
                .split_once('=')
                .filter(|(k, _)| k.eq_ignore_ascii_case("nonfatal"))
                .map(|(_, v)| v)
            {
                let all = which.eq_ignore_ascii_case("all");
                o.nonfatal_override |= all || which.eq_ignore_ascii_case("override");
                o.nonfatal_unknown |= all || which.eq_ignore_ascii_case("unknown");
            } else if word.eq_ignore_ascii_case("none") {
                o = Overrides::default();
            } else if word.eq_ignore_ascii_case("all") {
                o = Overrides {
                    classes: Classes::ALL,
                    ..Overrides::default()
                };
            } else if let Some(c) = Classes::from_keyword(word) {
                o.classes = o.classes.union(c);
            }
        }
        o
    }

    /// httpd skips the file altogether (`AllowOverride None`).
    fn reads_nothing(&self) -> bool {
        self.classes.is_empty() && !self.nonfatal_override && !self.nonfatal_unknown
    }
}

/// What httpd does with `.htaccess` scope `h` under `allow` (the AllowOverride in effect).
pub fn htaccess_verdict(
    m: &ApacheModel,
    h: &Scope,
    allow: Option<DirectiveRef>,
) -> HtaccessVerdict {
    // Never set anywhere (core's OR_UNSET|OR_NONE): httpd still reads the file, but no
    // override class is allowed, so any directive is "not allowed here" (500).
    // Only an explicit `AllowOverride None` skips the file.
    let args: &[super::loader::Arg] = allow.map_or(&[], |r| &m.dir(r).dir.args);
    let overrides = Overrides::parse(args);
    if allow.is_some() && overrides.reads_nothing() {
        return HtaccessVerdict::Ignored {
            allow_override: allow,
        };
    }
    let broken = |at: Span, reason: String| HtaccessVerdict::Broken {
        at,
        reason,
        allow_override: allow,
    };
    if let Some(e) = h.htaccess_errors.first() {
        return broken(e.span, e.message.clone());
    }
    for c in &h.htaccess_commands {
        if let Some((at, reason)) = refusal(m, c, &overrides) {
            return broken(at, reason);
        }
    }
    HtaccessVerdict::Applied
}

/// Why httpd refuses command `c` of a `.htaccess`, if it does: no loaded module defines
/// it ("Invalid command"), its classes are not allowed ("not allowed here"), or its
/// arguments are wrong.
fn refusal(m: &ApacheModel, c: &HtaccessCommand, o: &Overrides) -> Option<(Span, String)> {
    let Some(classes) = c.loaded_classes else {
        // A directive htguard does not know may belong to a module it does not know.
        let certain = !directives::commands(&c.name).is_empty()
            || m.modules.iter().all(|x| directives::is_known_module(&x.id));
        if !certain || o.nonfatal_unknown {
            return None;
        }
        return Some((c.name_span, invalid_command(&c.name)));
    };
    if !classes.intersects(o.classes) && !o.nonfatal_override && !listed(m, &c.name) {
        return Some((c.name_span, format!("{} not allowed here", c.name)));
    }
    c.arity_error.clone()
}

/// httpd's message for a directive no loaded module defines.
pub fn invalid_command(name: &str) -> String {
    format!(
        "Invalid command '{name}', perhaps misspelled or defined by a module not included in the server configuration"
    )
}

/// Whether an `AllowOverrideList` anywhere names the directive. The list in effect for
/// the directory is not tracked: naming it anywhere is taken as allowing it, so that a
/// list never leads to a 500 httpd does not give.
fn listed(m: &ApacheModel, name: &str) -> bool {
    m.scopes.iter().any(|s| {
        s.find("AllowOverrideList").any(|(_, d)| {
            d.dir
                .args
                .iter()
                .any(|a| a.value.eq_ignore_ascii_case(name))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LoadOptions;
    use crate::model::apache::{ApacheStart, ScopeKind, load};
    use crate::source::Sources;

    const MODS: &str = "LoadModule auth_basic_module x\nLoadModule authn_file_module x\nLoadModule authn_core_module x\nLoadModule authz_core_module x\nLoadModule authz_user_module x\nLoadModule access_compat_module x\nLoadModule mime_module x\n";

    /// The verdict on `htaccess` in a directory whose `AllowOverride` is `allow`
    /// (`None`: never set), with the modules of `mods` loaded.
    fn verdict(mods: &str, allow: Option<&str>, htaccess: &str) -> HtaccessVerdict {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().display();
        std::fs::create_dir_all(t.path().join("www/x")).unwrap();
        std::fs::write(t.path().join("www/x/.htaccess"), htaccess).unwrap();
        let allow = allow
            .map(|a| format!("AllowOverride {a}\n"))
            .unwrap_or_default();
        let conf = format!(
            "{mods}DocumentRoot {d}/www\n<Directory {d}/www>\n{allow}Require all granted\n</Directory>\n"
        );
        let main = t.path().join("httpd.conf");
        std::fs::write(&main, conf).unwrap();
        let mut sources = Sources::new();
        let m = load(
            &main,
            ApacheStart::MainConfig,
            &LoadOptions::default(),
            &mut sources,
        );
        let i = (0..m.scopes.len())
            .find(|&i| m.scopes[i].kind == ScopeKind::Htaccess)
            .expect("the .htaccess is read");
        m.htaccess_verdicts[i].clone().expect("a verdict")
    }

    fn reason(v: &HtaccessVerdict) -> &str {
        match v {
            HtaccessVerdict::Broken { reason, .. } => reason,
            _ => "",
        }
    }

    #[test]
    fn a_directive_no_loaded_module_defines_is_an_invalid_command() {
        for (text, name) in [
            ("// a comment\n", "//"),
            ("AuthTyp Basic\n", "AuthTyp"),
            ("ExpiresActive On\n", "ExpiresActive"),
            ("Header set X-A b\n", "Header"),
            ("AuthPlainUserFile /x\n", "AuthPlainUserFile"),
            (
                "<IfModule mime_module>\nRewriteEngine On\n</IfModule>\n",
                "RewriteEngine",
            ),
        ] {
            let v = verdict(MODS, Some("All"), text);
            assert_eq!(reason(&v), invalid_command(name), "{text}");
        }
        let skipped = "<IfModule rewrite_module>\nRewriteEngine On\n</IfModule>\n";
        assert_eq!(
            verdict(MODS, Some("All"), skipped),
            HtaccessVerdict::Applied
        );
        let loaded = format!("{MODS}LoadModule expires_module x\n");
        assert_eq!(
            verdict(&loaded, Some("All"), "ExpiresActive On\n"),
            HtaccessVerdict::Applied
        );
    }

    #[test]
    fn a_module_htguard_does_not_know_may_define_anything() {
        let third = format!("{MODS}LoadModule security2_module x\n");
        assert_eq!(
            verdict(&third, Some("All"), "SecRuleEngine Off\n"),
            HtaccessVerdict::Applied
        );
        let php = format!("{MODS}LoadModule php_module x\n");
        assert_eq!(
            verdict(&php, Some("Options"), "php_value upload_max_filesize 8M\n"),
            HtaccessVerdict::Applied
        );
        assert_eq!(
            reason(&verdict(
                &php,
                Some("AuthConfig"),
                "php_flag display_errors on\n"
            )),
            "php_flag not allowed here"
        );
    }

    #[test]
    fn every_directive_needs_its_override_class() {
        let cases = [
            (
                "AuthConfig",
                "Options -Indexes\n",
                Some("Options not allowed here"),
            ),
            (
                "AuthConfig",
                "AddType text/plain .x\n",
                Some("AddType not allowed here"),
            ),
            ("FileInfo", "AddType text/plain .x\n", None),
            (
                "FileInfo",
                "<Limit GET>\nRequire all denied\n</Limit>\n",
                Some("<Limit not allowed here"),
            ),
            (
                "AuthConfig",
                "<Files x>\nRequire all denied\n</Files>\n",
                None,
            ),
            (
                "All",
                "AllowOverride All\n",
                Some("AllowOverride not allowed here"),
            ),
            (
                "All",
                "<Directory /x>\n</Directory>\n",
                Some("<Directory not allowed here"),
            ),
            ("Limit", "Order deny,allow\n", None),
            ("AuthConfig Nonfatal=Override", "Options -Indexes\n", None),
            ("All Nonfatal=Unknown", "// comment\n", None),
            ("Nonfatal=All All", "// comment\n", Some("Invalid command")),
        ];
        for (allow, text, want) in cases {
            let v = verdict(MODS, Some(allow), text);
            match want {
                Some(w) => assert!(reason(&v).starts_with(w), "{allow} / {text}: {v:?}"),
                None => assert_eq!(v, HtaccessVerdict::Applied, "{allow} / {text}"),
            }
        }
    }

    #[test]
    fn never_set_reads_the_file_and_allows_nothing_while_none_skips_it() {
        assert_eq!(
            reason(&verdict(MODS, None, "Options -Indexes\n")),
            "Options not allowed here"
        );
        assert!(matches!(
            verdict(MODS, Some("None"), "// anything\n"),
            HtaccessVerdict::Ignored { .. }
        ));
    }
}
