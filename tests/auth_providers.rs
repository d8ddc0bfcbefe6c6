//! Authn providers beyond `file` on real Apache httpd 2.4: a DBM store works (401 without
//! credentials, 200 with them), and htguard says it does not check it (AP027, info)
//! instead of judging the DBM file, or the area, by AuthUserFile rules.

mod common;

use common::{Apache, Site};
use htguard::check::{self, CheckOptions};
use htguard::diag::Severity;

#[test]
fn a_dbm_store_is_named_as_not_checked_and_judged_by_nothing_else() {
    if !common::need(&["apache2", "htdbm"]) {
        return;
    }
    let site = Site::new();
    site.write("htdocs/dbm/index.html", "hello\n");
    let dbm = site.path("users.dbm");
    common::run_tool(
        "htdbm",
        &["-cbB", "-TSDBM", dbm.to_str().unwrap(), "alice", "secret"],
    );
    let conf = "\
LoadModule authn_dbm_module /usr/lib/apache2/modules/mod_authn_dbm.so
<Directory \"{site}/htdocs/dbm\">
AuthType Basic
AuthName \"DBM\"
AuthBasicProvider dbm
AuthDBMType SDBM
AuthDBMUserFile {site}/users.dbm
Require valid-user
</Directory>
";
    let server = Apache::start(&site, conf);
    assert_eq!(server.get("/dbm/", None), 401);
    assert_eq!(server.get("/dbm/", Some(("alice", "secret"))), 200);
    assert_eq!(server.get("/dbm/", Some(("alice", "wrong"))), 401);

    let opts = CheckOptions {
        apache_configs: vec![server.conf_path().to_path_buf()],
        ..Default::default()
    };
    let outcome = check::run(&opts).expect("htguard check runs");
    let codes: Vec<(&str, Severity)> = outcome
        .diagnostics
        .iter()
        .map(|d| (d.code, d.severity))
        .collect();
    assert!(codes.contains(&("AP027", Severity::Info)), "{codes:?}");
    // Basic over plain HTTP (AP021) is true of this area; nothing else is.
    assert!(
        codes.iter().all(|(c, _)| ["AP027", "AP021"].contains(c)),
        "{codes:?}"
    );
}
