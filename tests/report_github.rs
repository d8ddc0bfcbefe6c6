//! GitHub annotations: one escaped workflow command per finding.

mod report_support;

use report_support::*;

#[test]
fn annotations() {
    let fx = fixture();
    let out = htguard::report::github::render(&fx.findings());
    assert_no_secret(&out);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0],
        "::error file=/etc/apache2/.htpasswd,line=2,col=7,endLine=2,endColumn=65,title=PW901 fixture-malformed-hash::bcrypt hash of `alice` is malformed: `$2y$10$abcd…` has 53 characters, expected 60%0Ahelp: set a new password: htguard user set /etc/apache2/.htpasswd alice"
    );
    assert!(lines[1].starts_with("::warning file=/etc/apache2/.htpasswd,line=2,col=65,"));
    assert!(lines[2].starts_with("::notice "));
}
