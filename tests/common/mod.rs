//! Real-server test harness: temp sites, Apache httpd 2.4 and nginx started on
//! free 127.0.0.1 ports, and a tiny HTTP client (Basic and Digest) to ask them
//! for status codes. Tests that claim a server status code use this module.
//!
//! ```ignore
//! mod common;
//! let site = common::Site::new();
//! site.write("users", "u:$apr1$...\n");
//! let apache = common::Apache::start(&site, r#"
//!     <Location /p> AuthType Basic
//!       AuthName "R"
//!       AuthUserFile {site}/users
//!       Require valid-user </Location>"#);
//! assert_eq!(apache.get("/p/", Some(("u", "secret"))), 200);
//! ```
//!
//! Set `HTGUARD_KEEP_SITES=1` to keep every site directory (configs, logs) after
//! the test for debugging; its path is printed.
#![allow(dead_code, unused_imports)]

mod apache;
mod http;
mod net;
mod nginx;
mod process;
mod site;
mod tools;

pub use apache::Apache;
pub use http::Response;
pub use net::{Exchange, NoAnswer, send_exchange, spare_port};
pub use nginx::Nginx;
/// For launchers of other programs (tests/reader_support: lighttpd, registry, Verdaccio).
pub(crate) use process::{Launch, try_launch};
pub use process::{Server, force_next_port};
pub use site::Site;
pub use tools::{
    find_tool, htguard_for_anyone, is_root, need, need_root, output_of, require_tool, run_tool,
    run_tool_stdin,
};
