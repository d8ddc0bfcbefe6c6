//! `htguard user ...` and `htguard hash`: thin handlers over `crate::user`.
//! Data (generated passwords, hash lines, lists) goes to stdout; progress, confirmations,
//! warnings and errors go to stderr.

pub mod input;

use super::exit;
use crate::hash::{self, Scheme};
use crate::store::{StoreError, WriteOptions};
use crate::target::{self, Profile};
use crate::user::import::{self, InputFormat};
use crate::user::{
    self, AddMode, Credential, EntryKind, HashChoice, Selection, UserError, Verdict, Warning,
};
use input::{CheckPasswordArgs, PasswordArgs};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Arguments of `htguard user`.
#[derive(Debug, clap::Args)]
pub struct UserArgs {
    #[command(subcommand)]
    pub command: UserCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Add a user (fails if the user exists: use `set`).
    Add(SaveArgs),
    /// Change a user's password (`--create` also adds a missing user).
    Set(SaveArgs),
    /// Remove a user (exit 1 if absent).
    Delete(DeleteArgs),
    /// Check a password: exit 0 match, 1 mismatch or no such user, 2 error.
    Verify(VerifyArgs),
    /// List users with their scheme, cost and a strength note (never the hashes).
    List(ListArgs),
    /// Give users new random passwords, printed once (or written to a 0600 file).
    Rotate(RotateArgs),
    /// Add many users from `user:password` lines or CSV, with one write.
    Import(ImportArgs),
}

/// Scheme names accepted by `--scheme`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SchemeArg {
    Bcrypt,
    Sha512,
    Sha256,
    Apr1,
    #[value(name = "md5-crypt")]
    Md5Crypt,
    Crypt,
    Sha1,
    Plain,
}

impl SchemeArg {
    fn scheme(self) -> Scheme {
        match self {
            SchemeArg::Bcrypt => Scheme::Bcrypt,
            SchemeArg::Sha512 => Scheme::Sha512Crypt,
            SchemeArg::Sha256 => Scheme::Sha256Crypt,
            SchemeArg::Apr1 => Scheme::Apr1,
            SchemeArg::Md5Crypt => Scheme::Md5Crypt,
            SchemeArg::Crypt => Scheme::DesCrypt,
            SchemeArg::Sha1 => Scheme::Sha1,
            SchemeArg::Plain => Scheme::Plain,
        }
    }
}

/// How new hashes are made.
#[derive(Debug, Clone, clap::Args)]
pub struct HashOpts {
    /// Hash scheme for new passwords [default: bcrypt; with --target, the first of bcrypt,
    /// sha512, sha256, apr1, md5-crypt that every target verifies]. Weak ones (crypt,
    /// sha1, plain) only when named.
    #[arg(long, value_enum)]
    pub scheme: Option<SchemeArg>,
    /// Programs that will read the file (as `check --target`: apache, nginx,
    /// nginx-glibc-legacy, lighttpd, docker-registry, verdaccio, ...): refuse a scheme one
    /// of them cannot verify. Comma-separated or repeated.
    #[arg(
        long,
        value_name = "NAME",
        value_delimiter = ',',
        conflicts_with = "realm"
    )]
    pub target: Vec<String>,
    /// bcrypt cost, 4..31 (default 10).
    #[arg(long, value_name = "N")]
    pub cost: Option<u32>,
    /// SHA-crypt rounds, 1000..999999999 (default 5000).
    #[arg(long, value_name = "N")]
    pub rounds: Option<u32>,
    /// Work on an htdigest file: entries are user:REALM:md5.
    #[arg(long, value_name = "REALM")]
    pub realm: Option<String>,
}

impl HashOpts {
    fn kind(&self) -> Result<EntryKind, String> {
        match &self.realm {
            Some(realm) => {
                if self.cost.is_some() || self.rounds.is_some() {
                    return Err("--cost/--rounds do not apply to digest entries (--realm)".into());
                }
                Ok(EntryKind::Digest {
                    realm: realm.clone(),
                })
            }
            None => Ok(EntryKind::Basic(HashChoice {
                scheme: self.basic_scheme()?,
                cost: self.cost,
                rounds: self.rounds,
            })),
        }
    }

    /// The profile of `--target`, if given.
    fn targets(&self) -> Result<Option<Profile>, String> {
        match self.target.is_empty() {
            true => Ok(None),
            false => Profile::from_names(&self.target).map(Some),
        }
    }

    /// `--scheme`, else bcrypt; with `--target`, one that every target verifies.
    fn basic_scheme(&self) -> Result<Scheme, String> {
        let wanted = self.scheme.map(SchemeArg::scheme);
        let Some(profile) = self.targets()? else {
            return Ok(wanted.unwrap_or(Scheme::Bcrypt));
        };
        let targets = self.target.join(",");
        match hash::choose_scheme(wanted, &profile) {
            Ok(scheme) => {
                if wanted.is_none() && scheme != Scheme::Bcrypt {
                    eprintln!(
                        "htguard: note: not every --target {targets} verifies bcrypt ({}); \
                         writing {scheme}",
                        refused_by(&hash::refusals(Scheme::Bcrypt, &profile))
                    );
                }
                Ok(scheme)
            }
            Err(refused) => Err(match wanted {
                Some(scheme) => format!(
                    "--scheme {scheme} does not work with --target {targets}: {}",
                    refused_by(&refused)
                ),
                None => format!(
                    "no scheme htguard writes works for every --target {targets}: {}",
                    hash::PICKABLE
                        .iter()
                        .map(|s| format!("{s}: {}", refused_by(&hash::refusals(*s, &profile))))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            }),
        }
    }

    /// Refuse a password that a `--target` would not match with the chosen scheme (a
    /// reader that matches only ASCII passwords).
    fn check_password(&self, kind: &EntryKind, user: &str, password: &[u8]) -> Result<(), String> {
        let (EntryKind::Basic(choice), Some(profile)) = (kind, self.targets()?) else {
            return Ok(());
        };
        match hash::password_refusals(choice.scheme, password, &profile).first() {
            None => Ok(()),
            Some(r) => Err(format!(
                "{} matches {} hashes only for ASCII passwords, and the password of {user} is \
                 not ASCII: choose another --scheme, or an ASCII password",
                target::display_name(r.server),
                choice.scheme
            )),
        }
    }
}

/// "the Docker registry answers 401 (it verifies bcrypt hashes only)", for each refusal.
fn refused_by(refused: &[hash::Refusal]) -> String {
    refused
        .iter()
        .map(|r| {
            let name = target::display_name(r.server);
            match &r.support {
                hash::Support::Always401 { reason } => format!("{name} answers 401 ({reason})"),
                hash::Support::Error500 { reason } => format!("{name} answers 500 ({reason})"),
                _ => format!("{name} matches only some passwords"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Creating the file.
#[derive(Debug, Clone, clap::Args)]
pub struct CreateOpts {
    /// Create FILE if it does not exist.
    #[arg(long)]
    pub create: bool,
    /// Mode of a newly created file, in octal.
    #[arg(long, value_name = "OCTAL", default_value = "0640", value_parser = parse_mode)]
    pub mode: u32,
}

impl CreateOpts {
    pub(super) fn write_options(&self) -> WriteOptions {
        WriteOptions {
            create: self.create,
            create_mode: self.mode,
            ..WriteOptions::default()
        }
    }
}

fn parse_mode(s: &str) -> Result<u32, String> {
    let m = u32::from_str_radix(s.trim_start_matches("0o"), 8)
        .map_err(|_| format!("{s:?} is not an octal mode such as 0640"))?;
    if m > 0o7777 {
        return Err(format!("{s} is not a file mode (at most 7777)"));
    }
    Ok(m)
}

#[derive(Debug, clap::Args)]
pub struct SaveArgs {
    /// The password file.
    pub file: PathBuf,
    /// The user name.
    pub user: String,
    #[command(flatten)]
    pub hash: HashOpts,
    #[command(flatten)]
    pub create: CreateOpts,
    #[command(flatten)]
    pub password: PasswordArgs,
}

#[derive(Debug, clap::Args)]
pub struct DeleteArgs {
    pub file: PathBuf,
    pub user: String,
    /// Delete the user's entry in this realm (htdigest files).
    #[arg(long, value_name = "REALM")]
    pub realm: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    pub file: PathBuf,
    pub user: String,
    /// Check the user's entry in this realm (htdigest files).
    #[arg(long, value_name = "REALM")]
    pub realm: Option<String>,
    #[command(flatten)]
    pub password: CheckPasswordArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    pub file: PathBuf,
    #[arg(long, value_enum, default_value = "human")]
    pub format: ListFormat,
}

#[derive(Debug, clap::Args)]
pub struct RotateArgs {
    pub file: PathBuf,
    /// Users to rotate (or --all / --weak).
    #[arg(required_unless_present_any = ["all", "weak"], conflicts_with_all = ["all", "weak"])]
    pub users: Vec<String>,
    /// Rotate every user.
    #[arg(long, conflicts_with = "weak")]
    pub all: bool,
    /// Rotate users whose hash is weak or unusable.
    #[arg(long)]
    pub weak: bool,
    /// Length of the new passwords.
    #[arg(long, default_value_t = user::secret::DEFAULT_GENERATED_LEN)]
    pub length: usize,
    /// Write `user:password` lines to this new file (created mode 0600) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub hash: HashOpts,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum InputFormatArg {
    Auto,
    Colon,
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    pub file: PathBuf,
    /// `user:password` lines or CSV `user,password`; `-` or nothing reads standard input.
    pub input: Option<PathBuf>,
    /// Layout of the input (auto: a `user,password` header or a .csv name means CSV).
    #[arg(long = "input-format", value_enum, default_value = "auto")]
    pub input_format: InputFormatArg,
    /// Change the password of users that already exist instead of failing.
    #[arg(long)]
    pub replace: bool,
    #[command(flatten)]
    pub hash: HashOpts,
    #[command(flatten)]
    pub create: CreateOpts,
}

/// Arguments of `htguard hash`.
#[derive(Debug, clap::Args)]
pub struct HashArgs {
    /// The user name.
    pub user: String,
    #[command(flatten)]
    pub hash: HashOpts,
    #[command(flatten)]
    pub password: PasswordArgs,
}

pub fn run(args: UserArgs) -> i32 {
    let result = match args.command {
        UserCommand::Add(a) => save(a, AddMode::New),
        UserCommand::Set(a) => {
            let mode = if a.create.create {
                AddMode::Either
            } else {
                AddMode::Existing
            };
            save(a, mode)
        }
        UserCommand::Delete(a) => delete(a),
        UserCommand::Verify(a) => verify(a),
        UserCommand::List(a) => list(a),
        UserCommand::Rotate(a) => rotate(a),
        UserCommand::Import(a) => import_cmd(a),
    };
    finish(result)
}

pub fn run_hash(args: HashArgs) -> i32 {
    finish(hash_cmd(args))
}

/// A command's failure: the message for stderr and the exit code.
struct Failure {
    code: i32,
    message: String,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure {
            code: exit::ERROR,
            message,
        }
    }
}

impl From<UserError> for Failure {
    fn from(e: UserError) -> Self {
        Failure {
            code: exit::ERROR,
            message: e.to_string(),
        }
    }
}

/// For commands that can create the file: say how when it is missing.
fn create_hint(e: UserError) -> Failure {
    let missing_file = matches!(e, UserError::Store(StoreError::Missing { .. }));
    let missing_user = matches!(e, UserError::NoSuchUser { .. });
    let mut f = Failure::from(e);
    if missing_file {
        f.message.push_str("; use --create to create it");
    } else if missing_user {
        // Only `set` (without --create) refuses a missing user.
        f.message
            .push_str("; use `user add` to add it, or `user set --create`");
    }
    f
}

fn finish(result: Result<i32, Failure>) -> i32 {
    match result {
        Ok(code) => code,
        Err(f) => {
            eprintln!("htguard: error: {}", f.message);
            f.code
        }
    }
}

fn warn_all(warnings: &[Warning]) {
    for w in warnings {
        eprintln!("htguard: warning: {w}");
    }
}

fn describe_choice(kind: &EntryKind) -> String {
    match kind {
        EntryKind::Digest { realm } => format!("digest, realm {realm:?}"),
        EntryKind::Basic(c) => match c.scheme {
            Scheme::Bcrypt => format!(
                "bcrypt, cost {}",
                c.cost.unwrap_or(user::DEFAULT_BCRYPT_COST)
            ),
            Scheme::Sha256Crypt => format!("sha256-crypt, {} rounds", c.rounds.unwrap_or(5000)),
            Scheme::Sha512Crypt => format!("sha512-crypt, {} rounds", c.rounds.unwrap_or(5000)),
            s => user::scheme_label(s).to_string(),
        },
    }
}

fn save(a: SaveArgs, mode: AddMode) -> Result<i32, Failure> {
    let kind = a.hash.kind()?;
    let got = input::new_password(&a.password, &a.user)?;
    a.hash.check_password(&kind, &a.user, &got.password)?;
    let change = user::save(
        &a.file,
        &a.user,
        &got.password,
        &kind,
        mode,
        &a.create.write_options(),
    )
    .map_err(create_hint)?;
    warn_all(&change.warnings);
    if got.generated {
        print_secret(&got.password)?;
    }
    let verb = if change.added {
        "added"
    } else {
        "changed the password of"
    };
    let prep = if change.added { "to" } else { "in" };
    eprintln!(
        "htguard: {verb} {} {prep} {} ({})",
        a.user,
        a.file.display(),
        describe_choice(&kind)
    );
    warn_if_server_cannot_read(&a.file);
    Ok(exit::OK)
}

/// After a write: say so when the web server's user can no longer read the file (the store
/// decides; every login would answer 500).
pub(super) fn warn_if_server_cannot_read(path: &Path) {
    if let Some(w) = crate::store::server_cannot_read(path) {
        eprintln!("htguard: warning: {w}");
    }
}

fn print_secret(password: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(password)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .map_err(|e| Failure::from(format!("cannot print the generated password: {e}")))
}

fn delete(a: DeleteArgs) -> Result<i32, Failure> {
    if user::delete(&a.file, &a.user, a.realm.as_deref())? {
        eprintln!("htguard: deleted {} from {}", a.user, a.file.display());
        warn_if_server_cannot_read(&a.file);
        Ok(exit::OK)
    } else {
        eprintln!(
            "htguard: user {} not found in {}; nothing changed",
            a.user,
            a.file.display()
        );
        Ok(exit::FINDINGS)
    }
}

fn verify(a: VerifyArgs) -> Result<i32, Failure> {
    let password = input::check_password(&a.password, &a.user)?;
    match user::verify(&a.file, &a.user, &password, a.realm.as_deref())? {
        Verdict::Match { note } => {
            eprintln!("htguard: password for {} is correct", a.user);
            if let Some(note) = note {
                eprintln!("htguard: warning: {note}");
            }
            Ok(exit::OK)
        }
        Verdict::Mismatch => {
            eprintln!("htguard: password for {} does not match", a.user);
            Ok(exit::FINDINGS)
        }
        Verdict::NoSuchUser => {
            eprintln!("htguard: user {} not found in {}", a.user, a.file.display());
            Ok(exit::FINDINGS)
        }
        Verdict::Unusable(reason) => {
            eprintln!(
                "htguard: no password can match the entry of {}: {reason}",
                a.user
            );
            Ok(exit::FINDINGS)
        }
    }
}

fn list(a: ListArgs) -> Result<i32, Failure> {
    let users = user::list(&a.file)?;
    let mut out = std::io::stdout().lock();
    let res = match a.format {
        ListFormat::Json => serde_json::to_writer_pretty(&mut out, &users)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
        ListFormat::Human => write_table(&mut out, &users),
    };
    res.map_err(|e| Failure::from(format!("cannot write the list: {e}")))?;
    Ok(exit::OK)
}

fn write_table(out: &mut impl Write, users: &[user::Listed]) -> std::io::Result<()> {
    let digest = users.iter().any(|u| u.realm.is_some());
    let rows: Vec<[String; 6]> = users
        .iter()
        .map(|u| {
            let work = match (u.cost, u.rounds) {
                (Some(c), _) => format!("cost {c}"),
                (_, Some(r)) => format!("{r} rounds"),
                _ => "-".into(),
            };
            [
                u.line.to_string(),
                u.user.clone(),
                u.realm.clone().unwrap_or_default(),
                u.scheme.clone(),
                work,
                if u.shadowed_by.is_some() {
                    u.note.clone()
                } else {
                    format!("{:?}: {}", u.strength, u.note).to_lowercase_first()
                },
            ]
        })
        .collect();
    let headers = ["LINE", "USER", "REALM", "SCHEME", "WORK", "NOTE"];
    let mut widths = headers.map(str::len);
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let print = |out: &mut dyn Write, cells: [&str; 6]| -> std::io::Result<()> {
        let mut line = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i == 2 && !digest {
                continue;
            }
            if i == 5 {
                line.push_str(c);
            } else {
                line.push_str(&format!("{c:<w$}  ", w = widths[i]));
            }
        }
        writeln!(out, "{}", line.trim_end())
    };
    print(out, headers)?;
    for r in &rows {
        print(out, [&r[0], &r[1], &r[2], &r[3], &r[4], &r[5]])?;
    }
    Ok(())
}

trait LowerFirst {
    fn to_lowercase_first(self) -> String;
}

impl LowerFirst for String {
    fn to_lowercase_first(self) -> String {
        let mut c = self.chars();
        match c.next() {
            Some(f) => f.to_lowercase().chain(c).collect(),
            None => self,
        }
    }
}

/// A progress bar on stderr for hashing many passwords (import, rotate), shown only when
/// stderr is a terminal and there is more than one password to hash.
struct Bar(std::sync::OnceLock<indicatif::ProgressBar>);

impl Bar {
    fn new() -> Bar {
        Bar(std::sync::OnceLock::new())
    }
    fn clear(&self) {
        if let Some(bar) = self.0.get() {
            bar.finish_and_clear();
        }
    }
}

impl user::Progress for Bar {
    fn start(&self, total: usize) {
        if total >= 2 {
            self.0.get_or_init(|| {
                super::progress::on_terminal(
                    total as u64,
                    "hashing [{bar:30}] {pos}/{len} ({eta} left)",
                )
            });
        }
    }
    fn step(&self) {
        if let Some(bar) = self.0.get() {
            bar.inc(1);
        }
    }
}

fn rotate(a: RotateArgs) -> Result<i32, Failure> {
    let kind = a.hash.kind()?;
    let selection = if a.all {
        Selection::All
    } else if a.weak {
        Selection::Weak
    } else {
        Selection::Users(a.users.clone())
    };
    if let Some(out) = &a.output
        && std::fs::symlink_metadata(out).is_ok()
    {
        return Err(format!(
            "{} already exists; --output must name a new file (it will hold passwords)",
            out.display()
        )
        .into());
    }
    let bar = Bar::new();
    let mut emitted_to: Option<Emitted> = None;
    let result = user::rotate(&a.file, &selection, a.length, &kind, &bar, |creds| {
        bar.clear();
        emitted_to = Some(emit_credentials(creds, a.output.as_deref())?);
        Ok(())
    });
    match result {
        Ok(report) => {
            warn_all(&report.warnings);
            eprintln!(
                "htguard: rotated {} user(s) in {} ({}){}",
                report.rotated,
                a.file.display(),
                describe_choice(&kind),
                match &a.output {
                    Some(o) => format!("; new passwords are in {} (mode 0600)", o.display()),
                    None => String::new(),
                }
            );
            warn_if_server_cannot_read(&a.file);
            Ok(exit::OK)
        }
        Err(e) => {
            let mut f = Failure::from(e);
            match emitted_to {
                Some(Emitted::File(path)) => {
                    let _ = std::fs::remove_file(&path);
                    f.message
                        .push_str(&format!("; {} was removed", path.display()));
                }
                Some(Emitted::Stdout) => f
                    .message
                    .push_str("; the passwords printed above were NOT applied"),
                None => {}
            }
            Err(f)
        }
    }
}

enum Emitted {
    Stdout,
    File(PathBuf),
}

fn emit_credentials(creds: &[Credential], output: Option<&Path>) -> std::io::Result<Emitted> {
    let mut text = Zeroizing::new(Vec::new());
    for c in creds {
        text.extend_from_slice(c.user.as_bytes());
        text.push(b':');
        text.extend_from_slice(&c.password);
        text.push(b'\n');
    }
    match output {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&text)?;
            out.flush()?;
            Ok(Emitted::Stdout)
        }
        Some(path) => {
            use std::os::unix::fs::OpenOptionsExt;
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)?;
            let written = f.write_all(&text).and_then(|()| f.sync_all());
            if let Err(e) = written {
                let _ = std::fs::remove_file(path);
                return Err(e);
            }
            Ok(Emitted::File(path.to_path_buf()))
        }
    }
}

fn import_cmd(a: ImportArgs) -> Result<i32, Failure> {
    let kind = a.hash.kind()?;
    let (bytes, name) = read_input(a.input.as_deref())?;
    let format = match a.input_format {
        InputFormatArg::Auto => InputFormat::Auto,
        InputFormatArg::Colon => InputFormat::Colon,
        InputFormatArg::Csv => InputFormat::Csv,
    };
    let records = import::parse(&bytes, format, name.as_deref())
        .map_err(|e| Failure::from(format!("{}: {e}", name.as_deref().unwrap_or("stdin"))))?;
    drop(bytes);
    for r in &records {
        a.hash
            .check_password(&kind, &String::from_utf8_lossy(&r.user), &r.password)?;
    }
    let bar = Bar::new();
    let report = user::import(
        &a.file,
        &records,
        &kind,
        &a.create.write_options(),
        a.replace,
        &bar,
    );
    bar.clear();
    let report = report.map_err(create_hint)?;
    warn_all(&report.warnings);
    eprintln!(
        "htguard: imported {} new user(s){} into {} ({})",
        report.added,
        if report.replaced > 0 {
            format!(" and changed {}", report.replaced)
        } else {
            String::new()
        },
        a.file.display(),
        describe_choice(&kind)
    );
    warn_if_server_cannot_read(&a.file);
    Ok(exit::OK)
}

fn read_input(input: Option<&Path>) -> Result<(Zeroizing<Vec<u8>>, Option<String>), Failure> {
    let mut bytes = Zeroizing::new(Vec::new());
    match input {
        None => {
            std::io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .map_err(|e| Failure::from(format!("cannot read standard input: {e}")))?;
            Ok((bytes, None))
        }
        Some(p) if p == Path::new("-") => read_input(None),
        Some(p) => {
            std::fs::File::open(p)
                .and_then(|mut f| f.read_to_end(&mut bytes))
                .map_err(|e| Failure::from(format!("cannot read {}: {e}", p.display())))?;
            Ok((bytes, Some(p.display().to_string())))
        }
    }
}

fn hash_cmd(a: HashArgs) -> Result<i32, Failure> {
    let kind = a.hash.kind()?;
    let got = input::new_password(&a.password, &a.user)?;
    a.hash.check_password(&kind, &a.user, &got.password)?;
    user::check_user_name(&a.user)?;
    let (hash, warnings) = user::make_entry(&a.user, &got.password, &kind)?;
    warn_all(&warnings);
    if got.generated {
        eprintln!("htguard: generated password (shown once):");
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(&got.password);
        let _ = err.write_all(b"\n");
    }
    super::output::println(&user::entry_text(&a.user, &hash, &kind));
    Ok(exit::OK)
}
