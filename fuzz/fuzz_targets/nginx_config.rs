//! The nginx tokenizer, loader and every rule on a generated tree: `nginx.conf` plus the
//! files it may include (globs, relative to the conf prefix), the password files
//! `auth_basic_user_file` names, symlinks and FIFOs among them. Nothing panics, every span of every
//! finding lies inside its file, and every renderer runs on the outcome.
#![no_main]

use htguard::check::{self, CheckOptions};
use htguard::model::LoadOptions;
use htguard_fuzz::{Entry, Tree, check_nginx_syntax, check_outcome, entries};
use libfuzzer_sys::fuzz_target;

const MAIN: &str = "etc/nginx/nginx.conf";

fuzz_target!(|data: &[u8]| {
    for entry in entries(data, MAIN) {
        if let Entry::File(_, bytes) = entry {
            check_nginx_syntax(&bytes);
        }
    }
    let tree = Tree::build(data, MAIN);
    let opts = CheckOptions {
        nginx_configs: vec![tree.root().join(MAIN)],
        load: LoadOptions {
            root: Some(tree.root().to_path_buf()),
            ..Default::default()
        },
        ..Default::default()
    };
    if let Ok(outcome) = check::run(&opts) {
        check_outcome(&outcome);
    }
});
