//! Discovery and the whole check on a generated tree (names, kinds — files, directories,
//! symlinks, FIFOs — and contents from the input): `htguard check DIR` on the tree (a
//! rootfs when it holds a server's main config, a loose directory otherwise), or on each
//! of its files named one by one. Nothing panics, and every outcome passes the shared checks.
#![no_main]

use htguard::check::{self, CheckOptions};
use htguard_fuzz::{Entry, Tree, check_outcome, entries};
use libfuzzer_sys::fuzz_target;

/// Where the first chunk goes, by the input's first byte.
const MAINS: [&str; 8] = [
    "etc/apache2/apache2.conf",
    "etc/nginx/nginx.conf",
    "etc/httpd/conf/httpd.conf",
    "var/www/html/.htaccess",
    "etc/apache2/.htpasswd",
    "etc/nginx/sites-enabled/default",
    "srv/app/htaccess",
    "conf/site.conf",
];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, data)) = data.split_first() else {
        return;
    };
    let main = MAINS[usize::from(mode % 8)];
    let tree = Tree::build(data, main);
    let paths = if mode & 0x80 == 0 {
        vec![tree.root().to_path_buf()]
    } else {
        let named = entries(data, main).into_iter().filter_map(|e| match e {
            Entry::File(p, _) => Some(tree.root().join(p)),
            _ => None,
        });
        named.take(4).collect()
    };
    let opts = CheckOptions {
        paths,
        ..Default::default()
    };
    match check::run(&opts) {
        Ok(outcome) => check_outcome(&outcome),
        Err(e) => drop(e.to_string()),
    }
});
