//! `sync-server`: serve the sync API, or administer its data directory.
//!
//! Exit codes: 0 success; 1 a runtime failure (database, key, TLS, bind); 2 a usage or
//! configuration error (bad flag, bad config file or environment value, refused admin request).

use std::io::{BufRead as _, Write as _};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand};
use sync_proto::wire::{CreateUserRequest, Role};
use sync_server::config::Config;

mod demo;

#[derive(Debug, Parser)]
#[command(name = "sync-server", version, about = "The Daftar sync server")]
struct Cli {
    /// A TOML config file; `DAFTAR_*` environment variables and flags override it.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// The data directory (database and server key).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API until SIGINT or SIGTERM, then finish in-flight requests.
    Serve {
        /// The listening address, e.g. 127.0.0.1:8080 (port 0 picks a free port).
        #[arg(long)]
        bind: Option<SocketAddr>,
        /// A PEM certificate chain: serve HTTPS.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The PEM private key of the certificate.
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Set up a new data directory to try the system (accounts, the Morocco pilot survey and its key,
    /// assignments, an enrolment code; secrets printed once), then serve like `serve`.
    Demo {
        /// The listening address (default 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<SocketAddr>,
        /// The questionnaire to serve; the CSV files beside it go into its bundle.
        #[arg(
            long,
            default_value = "questionnaire-specs/morocco-pilot/questionnaire.yaml"
        )]
        questionnaire: PathBuf,
    },
    /// Manage accounts and back up the data directory.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create the first admin account (refused when an admin exists). The password is read from
    /// `DAFTAR_ADMIN_PASSWORD` or, if unset, from the first line of standard input.
    CreateAdmin {
        /// The account name.
        #[arg(long)]
        username: String,
    },
    /// Create an account; the password is read like `create-admin`'s.
    CreateUser {
        /// The account name.
        #[arg(long)]
        username: String,
        /// admin, supervisor, data_manager or enumerator.
        #[arg(long)]
        role: String,
        /// The team (supervisors and enumerators).
        #[arg(long)]
        team: Option<String>,
    },
    /// List accounts.
    ListUsers,
    /// Deactivate an account and end its sessions.
    DeactivateUser {
        /// The account name.
        #[arg(long)]
        username: String,
    },
    /// Reactivate a deactivated account; it logs in again with its password.
    ActivateUser {
        /// The account name.
        #[arg(long)]
        username: String,
    },
    /// Set a new password for an account and end its sessions; the password is read like
    /// `create-admin`'s.
    ResetPassword {
        /// The account name.
        #[arg(long)]
        username: String,
    },
    /// Write a consistent copy of the database to a new file (safe while the server runs).
    Backup {
        /// The new file.
        #[arg(long)]
        to: PathBuf,
    },
}

/// An error that is the user's to fix (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct UsageError(String);

/// An API operation's error as the admin command reports it: a refused request is the user's to fix,
/// anything else is a failure.
fn usage_or_failure(error: sync_server::error::AppError) -> anyhow::Error {
    if error.status.is_client_error() {
        UsageError(error.message).into()
    } else {
        anyhow::anyhow!(
            "{}{}",
            error.message,
            error.internal.map(|d| format!(": {d}")).unwrap_or_default()
        )
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("sync-server: {error:#}");
            if error.downcast_ref::<UsageError>().is_some()
                || error
                    .downcast_ref::<sync_server::config::ConfigError>()
                    .is_some()
            {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = Config::load(cli.config.as_deref(), |name| std::env::var(name).ok())?;
    if let Some(data_dir) = cli.data_dir {
        config.data_dir = data_dir;
    }
    match cli.command {
        Command::Serve {
            bind,
            tls_cert,
            tls_key,
        } => {
            if let Some(bind) = bind {
                config.bind = bind;
            }
            if tls_cert.is_some() {
                config.tls_cert = tls_cert;
                config.tls_key = tls_key;
            }
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .max_blocking_threads(1024)
                .build()
                .context("cannot start the async runtime")?;
            runtime.block_on(serve(config, None))
        }
        Command::Demo {
            bind,
            questionnaire,
        } => {
            if let Some(bind) = bind {
                config.bind = bind;
            }
            demo::check_fresh(&config.data_dir).map_err(|e| UsageError(e.to_string()))?;
            if !questionnaire.is_file() {
                bail!(UsageError(format!(
                    "no questionnaire at {}",
                    questionnaire.display()
                )));
            }
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            runtime.block_on(serve(config, Some(questionnaire)))
        }
        Command::Admin { command } => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            runtime.block_on(admin(config, command))
        }
    }
}

async fn serve(config: Config, demo: Option<PathBuf>) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&config.log).map_err(|error| {
                UsageError(format!("invalid log filter {:?}: {error}", config.log))
            })?,
        )
        .with_writer(std::io::stderr)
        .init();
    let grace = Duration::from_secs(config.shutdown_grace_seconds);
    let tls = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => Some((cert.clone(), key.clone())),
        (None, None) => None,
        _ => bail!(UsageError("tls_cert and tls_key go together".into())),
    };
    let bind = config.bind;
    let (state, storage) =
        sync_server::open_state(config).context("cannot open the data directory")?;
    let demo = match demo {
        Some(questionnaire) => Some(
            demo::prepare(&state, &questionnaire)
                .await
                .context("cannot set the demo up")?,
        ),
        None => None,
    };
    let router = sync_server::app(state);
    let handle = axum_server::Handle::new();
    let shutdown_handle = handle.clone();
    tokio::spawn(async move {
        wait_for_shutdown_signal().await;
        tracing::info!("shutting down: finishing in-flight requests");
        shutdown_handle.graceful_shutdown(Some(grace));
    });
    let announce_handle = handle.clone();
    let scheme = if tls.is_some() { "https" } else { "http" };
    tokio::spawn(async move {
        if let Some(address) = announce_handle.listening().await {
            // Scripts and tests wait for this line.
            println!("listening on {scheme}://{address}");
            if let Some(demo) = &demo {
                println!("\n{}", demo.summary(&format!("{scheme}://{address}")));
            }
            let _ = std::io::stdout().flush();
        }
    });
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    match tls {
        None => axum_server::bind(bind)
            .handle(handle)
            .serve(service)
            .await
            .context("the server failed")?,
        Some((cert, key)) => {
            let _ = rustls::crypto::ring::default_provider().install_default();
            let tls_config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key)
                .await
                .with_context(|| {
                    format!(
                        "cannot load the TLS certificate {} and key {}",
                        cert.display(),
                        key.display()
                    )
                })?;
            axum_server::bind_rustls(bind, tls_config)
                .handle(handle)
                .serve(service)
                .await
                .context("the server failed")?
        }
    }
    // Every queued write is committed before the process exits.
    let closing = storage.clone();
    tokio::task::spawn_blocking(move || closing.close())
        .await
        .context("closing the database")?;
    Ok(())
}

async fn wait_for_shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("DAFTAR_ADMIN_PASSWORD") {
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn admin(config: Config, command: AdminCommand) -> anyhow::Result<()> {
    let (state, storage) =
        sync_server::open_state(config).context("cannot open the data directory")?;
    let actor = "admin-cli".to_string();
    let result = match command {
        AdminCommand::CreateAdmin { username } => {
            let storage = state.storage.clone();
            let admins = tokio::task::spawn_blocking(move || storage.list_users(None)).await??;
            if admins.iter().any(|user| user.role == Role::Admin) {
                bail!(UsageError(
                    "an admin exists already; use `admin create-user --role admin`".into()
                ));
            }
            let password = read_password()?;
            let request = CreateUserRequest {
                username,
                password,
                role: Role::Admin,
                team: None,
            };
            let user = sync_server::api::create_user_checked(&state, actor, request)
                .await
                .map_err(usage_or_failure)?;
            println!("created admin {} (id {})", user.username, user.id);
            Ok(())
        }
        AdminCommand::CreateUser {
            username,
            role,
            team,
        } => {
            let role = Role::parse(&role).ok_or_else(|| {
                UsageError(format!(
                    "unknown role {role}: admin, supervisor, data_manager or enumerator"
                ))
            })?;
            let password = read_password()?;
            let request = CreateUserRequest {
                username,
                password,
                role,
                team,
            };
            let user = sync_server::api::create_user_checked(&state, actor, request)
                .await
                .map_err(usage_or_failure)?;
            println!(
                "created {} {} (id {})",
                user.role.as_str(),
                user.username,
                user.id
            );
            Ok(())
        }
        AdminCommand::ListUsers => {
            let storage = state.storage.clone();
            let users = tokio::task::spawn_blocking(move || storage.list_users(None)).await??;
            for user in users {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    user.id,
                    user.username,
                    user.role.as_str(),
                    user.team.unwrap_or_default(),
                    if user.active { "active" } else { "inactive" }
                );
            }
            Ok(())
        }
        AdminCommand::DeactivateUser { username } => {
            let id = user_id(&state, &username).await?;
            sync_server::api::set_user_active(&state, actor, id, false)
                .await
                .map_err(usage_or_failure)?;
            println!("deactivated {username}");
            Ok(())
        }
        AdminCommand::ActivateUser { username } => {
            let id = user_id(&state, &username).await?;
            sync_server::api::set_user_active(&state, actor, id, true)
                .await
                .map_err(usage_or_failure)?;
            println!("activated {username}");
            Ok(())
        }
        AdminCommand::ResetPassword { username } => {
            let id = user_id(&state, &username).await?;
            let password = read_password()?;
            sync_server::api::set_password_checked(&state, actor, id, password)
                .await
                .map_err(usage_or_failure)?;
            println!("set a new password for {username}; its sessions are ended");
            Ok(())
        }
        AdminCommand::Backup { to } => {
            let storage = state.storage.clone();
            let target = to.clone();
            tokio::task::spawn_blocking(move || storage.backup_to(&target))
                .await?
                .map_err(|error| UsageError(error.to_string()))?;
            println!("backed up to {}", to.display());
            Ok(())
        }
    };
    drop(state);
    let closing: Arc<_> = storage;
    tokio::task::spawn_blocking(move || closing.close()).await?;
    result
}

/// The id of the account with this name, or a usage error naming it.
async fn user_id(state: &sync_server::state::AppState, username: &str) -> anyhow::Result<i64> {
    let storage = state.storage.clone();
    let name = username.to_string();
    let user = tokio::task::spawn_blocking(move || storage.user_by_name(&name))
        .await??
        .ok_or_else(|| UsageError(format!("no user {username}")))?;
    Ok(user.id)
}
