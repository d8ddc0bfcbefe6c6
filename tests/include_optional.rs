//! `IncludeOptional` of one file that does not exist, on real Apache httpd 2.4: httpd
//! starts without a word and the section that was to get its directives is served
//! without them. htguard's AP026 says so: a warning where that leaves the section open,
//! an info where something else still protects it.

mod common;

use common::{Apache, Site};
use htguard::check::{self, CheckOptions};
use htguard::diag::Severity;

#[test]
fn a_missing_optional_file_leaves_its_section_without_its_directives() {
    if !common::need(&["apache2", "htpasswd"]) {
        return;
    }
    let site = Site::new();
    let users = common::run_tool("htpasswd", &["-nb", "alice", "secret"]);
    site.write("users", format!("{}\n", users.trim()));
    site.write("htdocs/admin/index.html", "hello\n");
    site.write("htdocs/guarded/index.html", "hello\n");
    site.write("htdocs/present/index.html", "hello\n");
    site.write(
        "auth/present.conf",
        "AuthType Basic\nAuthName \"Present\"\nAuthUserFile {site}/users\nRequire valid-user\n"
            .replace("{site}", &site.dir().display().to_string()),
    );
    let conf = "\
<Location \"/admin\">
IncludeOptional {site}/auth/admin.conf
</Location>
<Directory \"{site}/htdocs/guarded\">
AuthType Basic
AuthName \"Guarded\"
AuthUserFile {site}/users
Require valid-user
IncludeOptional {site}/auth/extra.conf
</Directory>
<Location \"/present\">
IncludeOptional {site}/auth/present.conf
</Location>
IncludeOptional {site}/conf-local.conf
";
    let server = Apache::start(&site, conf);
    assert_eq!(server.get("/admin/", None), 200, "the section is open");
    assert_eq!(server.get("/guarded/", None), 401, "still protected");
    assert_eq!(
        server.get("/present/", None),
        401,
        "the file that exists is read"
    );

    let opts = CheckOptions {
        apache_configs: vec![server.conf_path().to_path_buf()],
        ..Default::default()
    };
    let outcome = check::run(&opts).expect("htguard check runs");
    let found: Vec<(Severity, &str)> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.code == "AP026")
        .map(|d| (d.severity, d.message.as_str()))
        .collect();
    let about = |file: &str| found.iter().find(|(_, m)| m.contains(file));
    let admin = about("admin.conf").expect("AP026 for admin.conf");
    assert_eq!(admin.0, Severity::Warning, "{}", admin.1);
    assert!(admin.1.contains("answers 200"), "{}", admin.1);
    assert_eq!(
        about("extra.conf").expect("AP026 for extra.conf").0,
        Severity::Info
    );
    assert_eq!(
        about("conf-local.conf").expect("server level").0,
        Severity::Info
    );
    assert!(about("present.conf").is_none(), "{found:?}");
    assert_eq!(found.len(), 3, "{found:?}");
}
