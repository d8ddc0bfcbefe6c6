//! `htguard group ...`: edit Apache group files (AuthGroupFile, `group: user1 user2`).
//!
//! A command of its own beside `user`, not under it: `user` edits password files, `group`
//! edits the file `Require group` reads, and each reads as its own noun-verb pair
//! (`htguard group add FILE GROUP USER...` next to `htguard user add FILE USER`).
//! Messages go to stderr; `list` writes its table or JSON to stdout.

use super::exit;
use super::user::CreateOpts;
use crate::user::group::{self, GroupChange, GroupListing};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `htguard group`.
#[derive(Debug, clap::Args)]
pub struct GroupArgs {
    #[command(subcommand)]
    pub command: GroupCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum GroupCommand {
    /// Put users in a group (a missing group is created).
    Add(AddArgs),
    /// Take users out of a group (exit 1 if none of them was in it).
    Remove(RemoveArgs),
    /// Remove a group: every line that names it (exit 1 if there is none).
    Delete(DeleteArgs),
    /// List groups and their members as Apache reads them.
    List(ListArgs),
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The group file (AuthGroupFile).
    pub file: PathBuf,
    /// The group.
    pub group: String,
    /// Users to add.
    #[arg(required = true)]
    pub users: Vec<String>,
    #[command(flatten)]
    pub create: CreateOpts,
}

#[derive(Debug, clap::Args)]
pub struct RemoveArgs {
    /// The group file (AuthGroupFile).
    pub file: PathBuf,
    /// The group.
    pub group: String,
    /// Users to remove.
    #[arg(required = true)]
    pub users: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct DeleteArgs {
    /// The group file (AuthGroupFile).
    pub file: PathBuf,
    /// The group.
    pub group: String,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// The group file (AuthGroupFile).
    pub file: PathBuf,
    /// Only this group (exit 1 if it is not in the file).
    pub group: Option<String>,
    #[arg(long, value_enum, default_value = "human")]
    pub format: ListFormat,
}

pub fn run(args: GroupArgs) -> i32 {
    let result = match args.command {
        GroupCommand::Add(a) => add(a),
        GroupCommand::Remove(a) => remove(a),
        GroupCommand::Delete(a) => delete(a),
        GroupCommand::List(a) => list(a),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("htguard: error: {message}");
            exit::ERROR
        }
    }
}

fn add(a: AddArgs) -> Result<i32, String> {
    let change = group::add_members(&a.file, &a.group, &a.users, &a.create.write_options())
        .map_err(|e| {
            let missing = matches!(
                e,
                crate::user::UserError::Store(crate::store::StoreError::Missing { .. })
            );
            let hint = if missing {
                "; use --create to create it"
            } else {
                ""
            };
            format!("{e}{hint}")
        })?;
    if !change.unchanged.is_empty() {
        eprintln!(
            "htguard: already in group {}: {}",
            a.group,
            change.unchanged.join(", ")
        );
    }
    if !change.changed.is_empty() {
        eprintln!(
            "htguard: added {} to {} group {} in {}",
            change.changed.join(", "),
            if change.group_existed {
                "the"
            } else {
                "the new"
            },
            a.group,
            a.file.display()
        );
    }
    super::user::warn_if_server_cannot_read(&a.file);
    Ok(exit::OK)
}

fn remove(a: RemoveArgs) -> Result<i32, String> {
    let change: GroupChange =
        group::remove_members(&a.file, &a.group, &a.users).map_err(|e| e.to_string())?;
    if !change.group_existed {
        eprintln!(
            "htguard: no group {} in {}; nothing changed",
            a.group,
            a.file.display()
        );
        return Ok(exit::FINDINGS);
    }
    if !change.unchanged.is_empty() {
        eprintln!(
            "htguard: not in group {}: {}",
            a.group,
            change.unchanged.join(", ")
        );
    }
    if change.changed.is_empty() {
        eprintln!("htguard: nothing changed in {}", a.file.display());
        return Ok(exit::FINDINGS);
    }
    eprintln!(
        "htguard: removed {} from group {} in {}",
        change.changed.join(", "),
        a.group,
        a.file.display()
    );
    Ok(exit::OK)
}

fn delete(a: DeleteArgs) -> Result<i32, String> {
    let lines = group::delete_group(&a.file, &a.group).map_err(|e| e.to_string())?;
    if lines == 0 {
        eprintln!(
            "htguard: no group {} in {}; nothing changed",
            a.group,
            a.file.display()
        );
        return Ok(exit::FINDINGS);
    }
    eprintln!(
        "htguard: deleted group {} ({lines} line{}) from {}",
        a.group,
        if lines == 1 { "" } else { "s" },
        a.file.display()
    );
    Ok(exit::OK)
}

fn list(a: ListArgs) -> Result<i32, String> {
    let groups = group::list_groups(&a.file, a.group.as_deref()).map_err(|e| e.to_string())?;
    if let Some(g) = &a.group
        && groups.is_empty()
    {
        eprintln!("htguard: no group {g} in {}", a.file.display());
        return Ok(exit::FINDINGS);
    }
    let mut out = std::io::stdout().lock();
    let written = match a.format {
        ListFormat::Json => serde_json::to_writer_pretty(&mut out, &groups)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
        ListFormat::Human => write_table(&mut out, &groups, &a.file),
    };
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write the list: {e}"))
        }
        _ => Ok(exit::OK),
    }
}

fn write_table(out: &mut impl Write, groups: &[GroupListing], file: &Path) -> std::io::Result<()> {
    if groups.is_empty() {
        eprintln!("htguard: {} has no groups", file.display());
        return Ok(());
    }
    let width = groups
        .iter()
        .map(|g| g.group.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    writeln!(out, "{:<width$}  MEMBERS", "GROUP")?;
    for g in groups {
        writeln!(out, "{:<width$}  {}", g.group, g.members.join(" "))?;
    }
    Ok(())
}
