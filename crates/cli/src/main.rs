//! The `chitieu` command line: the edge where files, the database and the terminal meet the
//! domain. Errors become one line on standard error and a non-zero exit code.

mod exchange;
mod hierarchy;
mod synthetic;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use chitieu_domain::review::{self, ReviewOptions, Scope};
use chitieu_domain::rollup::Rollups;
use chitieu_domain::status::StatusOptions;
use chitieu_domain::version::FigureFilter;
use chitieu_domain::Dataset;
use chitieu_reports::{document, json, markdown, press, Lang};
use chitieu_store::in_force::{judge, InForce};
use chitieu_store::{Store, StoreError};
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

/// The demo bundle: the Lục Ngạn district's 2018 mid-term review (see `demo/`).
const DEMO_BUNDLE: &str = include_str!("../../../demo/luc-ngan-2018.toml");
const DEMO_FILE: &str = "demo/luc-ngan-2018.toml";
const DEMO_TEXT: &str = include_str!("../../../demo/luc-ngan-2018-review-text.toml");
const DEMO_TEXT_FILE: &str = "demo/luc-ngan-2018-review-text.toml";
const DEMO_UNIT: &str = "luc-ngan";
const DEMO_DATE: &str = "2018-06-25";

#[derive(Parser)]
#[command(
    name = "chitieu",
    version,
    about = "Theo dõi chỉ tiêu nghị quyết — tracks the targets of congress resolutions and drafts their reviews",
    long_about = "chitieu tracks what a congress resolution promises: its targets (chỉ tiêu), the \
                  documents and tasks that implement it, every adjustment, and the figures each unit \
                  reports. It tells, at any date, what is achieved, what will likely be achieved and \
                  what will not, and drafts the mid-term and end-of-term reviews.\n\n\
                  Start with `chitieu demo`."
)]
struct Cli {
    /// Database: a file path for the embedded SQLite database, or a postgres:// URL.
    /// Default: chitieu.db in the platform's data folder.
    #[arg(long, global = true, env = "CHITIEU_DB")]
    db: Option<String>,

    /// Language of the output: vi (Vietnamese, the default) or en.
    #[arg(long, global = true, env = "CHITIEU_LANG", default_value = "vi", value_parser = ["vi", "en"])]
    lang: String,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the database (or bring its schema up to date) and print where it is.
    Init,
    /// Load the demo (Lục Ngạn district, mid-term review of 25 June 2018) and print its review.
    ///
    /// Without --db the demo gets a database of its own (demo.db in the data folder), made
    /// afresh each time; with --db it is imported into that database.
    Demo {
        /// Output format of the review.
        #[arg(long, value_enum, default_value_t = ReviewFormat::Md)]
        format: ReviewFormat,
    },
    /// Serve the web app and the JSON API (/api/v1) until Ctrl-C. With --demo, the demo is
    /// loaded first (as `chitieu demo` does) and pages answer as of its meeting, 25/6/2018.
    Serve {
        /// Load the demo into a fresh database (or into --db) and serve it.
        #[arg(long)]
        demo: bool,
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// The port to listen on (0: any free port, printed on start).
        #[arg(long, default_value_t = 8080)]
        port: u16,
    },
    /// Import a resolution bundle (.toml), observations (.csv) or a filled Excel template
    /// (.xlsx, from `chitieu template`) in one transaction.
    ///
    /// With --format and --mapping, the figures of a neighbouring system: a DHIS2 data value
    /// set (JSON or CSV) or an SDMX-CSV message (docs/exchange.md).
    Import {
        /// The file: FILE.toml (bundle, see docs/bundle.md), FILE.csv
        /// (unit,indicator,period,value,standing,source) or FILE.xlsx (a filled template:
        /// every bad cell is named, and nothing is written unless all are good); with
        /// --format, a file of that format.
        file: PathBuf,
        /// Read FILE as this format instead of by its extension.
        #[arg(long, value_enum, requires = "mapping")]
        format: Option<exchange::Format>,
        /// The mapping from the format's codes to chitieu's ids (docs/exchange.md).
        #[arg(long, requires = "format")]
        mapping: Option<PathBuf>,
    },
    /// Write an Excel workbook for a unit to fill offline with its figures for a period, then
    /// read back with `chitieu import FILE.xlsx`.
    ///
    /// Rows: the indicators of the targets that apply to the unit in the resolutions in force
    /// during the period, then those it already reports. Columns: unit of measure, the unit's
    /// figure for the same period a year earlier, the input for the period, its standing
    /// (estimate, preliminary, final), its source, and the change against last year. Only the
    /// inputs are unlocked; the sheet is protected without a password.
    Template {
        /// Unit id (e.g. luc-ngan).
        #[arg(long)]
        unit: String,
        /// Period: a year (2018), a half (2018-H1), a quarter (2018-Q2) or a month (2018-06).
        #[arg(long, value_parser = parse_period)]
        period: chitieu_domain::Period,
        /// Date (YYYY-MM-DD): last year's figures as known then. Default: today.
        #[arg(long, value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        /// Write here. Default: template-UNIT-PERIOD.xlsx in the current folder.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Export the whole database as one bundle (or the observations as CSV, or the figures
    /// for a neighbouring system: DHIS2 JSON or CSV, SDMX-CSV, with --mapping).
    Export {
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = ExportFormat::Toml)]
        format: ExportFormat,
        /// For dhis2-json, dhis2-csv and sdmx-csv: the mapping from chitieu's ids to the
        /// format's codes (docs/exchange.md).
        #[arg(long)]
        mapping: Option<PathBuf>,
    },
    /// The status of each target of a resolution at a date, under the version in force and
    /// the original one.
    Status {
        /// Resolution id (e.g. luc-ngan-xxiv).
        #[arg(long)]
        resolution: String,
        /// Only the targets whose responsible unit is this one.
        #[arg(long)]
        unit: Option<String>,
        /// Date (YYYY-MM-DD): what was decided and known then. Default: today.
        #[arg(long, value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        #[arg(long, value_enum, default_value_t = StatusTableFormat::Table)]
        format: StatusTableFormat,
        /// Write to FILE instead of standard output (required for xlsx).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Count figures the level above has not approved yet.
        #[arg(long)]
        include_unapproved: bool,
    },
    /// The review of a unit at a date: its own and its superiors' resolutions.
    Review {
        /// Unit id (e.g. luc-ngan).
        #[arg(long)]
        unit: String,
        /// Date of the review (YYYY-MM-DD). Default: today.
        #[arg(long, value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        #[arg(long, value_enum, default_value_t = ReviewFormat::Md)]
        format: ReviewFormat,
        /// Count figures the level above has not approved yet (estimates still in review).
        #[arg(long)]
        include_unapproved: bool,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The value of an indicator at a unit for a period: the unit's own figure, or the
    /// roll-up of the units below it (or the indicator's formula over rolled-up figures), with
    /// the reporting units it came from.
    ///
    /// A reported figure that disagrees with the units below is shown with their aggregate
    /// beside it. The unit tree is the one in force at --tree-date; figures of units merged
    /// or split before then flow into their successors.
    Value {
        /// Unit id (e.g. luc-ngan).
        #[arg(long)]
        unit: String,
        /// Indicator id (e.g. forest-cover).
        #[arg(long)]
        indicator: String,
        /// Period: a year (2018), a half (2018-H1), a quarter (2018-Q2) or a month (2018-06).
        #[arg(long)]
        period: String,
        /// Date (YYYY-MM-DD): only the figures known then. Default: today.
        #[arg(long, value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        /// The unit tree in force on this date (YYYY-MM-DD). Default: --as-of.
        #[arg(long, value_parser = parse_date)]
        tree_date: Option<NaiveDate>,
        /// Also list the value of each sub-unit, side by side.
        #[arg(long)]
        children: bool,
        #[arg(long, value_enum, default_value_t = StatusFormat::Table)]
        format: StatusFormat,
        /// Count figures the level above has not approved yet.
        #[arg(long)]
        include_unapproved: bool,
    },
    /// Split a target among the sub-units of its unit (chỉ tiêu giao) and write the shares as
    /// a bundle to import.
    ///
    /// Amounts are divided (equally, or in proportion to an indicator) and rounded, the last
    /// sub-unit taking the remainder, so the shares add up exactly; a rate is given to every
    /// sub-unit. The bundle also holds, unchanged, what the shares refer to (the target, its
    /// resolution, units, indicators), so that it imports on its own: into the database it
    /// came from, only the shares are new.
    #[command(group(clap::ArgGroup::new("split").required(true).args(["equal", "by"])))]
    Allocate {
        /// The target to split, as RESOLUTION/CODE (e.g. bac-giang-xviii/14).
        #[arg(long)]
        target: String,
        /// The same value for every sub-unit: a rate as it is, an amount divided equally.
        #[arg(long)]
        equal: bool,
        /// In proportion to each sub-unit's own figure for this indicator (its population,
        /// its area), in --period. Additive indicators only.
        #[arg(long, requires = "period")]
        by: Option<String>,
        /// The period of the --by figures (2018, 2018-H1, 2018-Q2, 2018-06).
        #[arg(long, requires = "by")]
        period: Option<String>,
        /// Date (YYYY-MM-DD): the target's version, the units and the figures of then.
        /// Default: today.
        #[arg(long, value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        /// Write the bundle here (and print the shares) instead of to standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check every target that has shares: what the shares add up to (or, for a ratio, the
    /// aggregate they imply, weighted by each sub-unit's latest denominator) against the
    /// whole, and the gap. A report: it exits 0 even when there are gaps.
    Allocations {
        /// Date (YYYY-MM-DD): the versions and figures in force then. Default: today.
        #[arg(long, value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        #[arg(long, value_enum, default_value_t = StatusFormat::Table)]
        format: StatusFormat,
    },
    /// Generate a synthetic country: units before and after the 2025 reorganisation,
    /// indicators, resolutions with targets (all marked "mô phỏng") and quarterly figures of
    /// every commune. Writes OUT/bundle.toml and OUT/observations.csv; the same seed gives the
    /// same bytes.
    ///
    /// To load it into a database: `chitieu import OUT/bundle.toml`, then
    /// `chitieu import OUT/observations.csv`; or `chitieu gen --import` straight into it.
    Gen(synthetic::GenArgs),
    /// The office's own text for a review — causes, directions, the document's number,
    /// recipients, who signs — kept with it and printed in sections II and IV and the
    /// closing (docs/review-text.md).
    #[command(subcommand)]
    ReviewText(ReviewTextCommand),
}

#[derive(Subcommand)]
enum ReviewTextCommand {
    /// Print the text saved for a review as TOML (edit it and `set` it back).
    Show {
        /// Unit id (e.g. luc-ngan).
        #[arg(long)]
        unit: String,
        /// Date of the review (YYYY-MM-DD).
        #[arg(long, value_parser = parse_date)]
        as_of: NaiveDate,
    },
    /// Save the text in FILE.toml (its `unit` and `as_of` say which review), replacing the
    /// one saved for that review.
    Set { file: PathBuf },
    /// Remove the text saved for a review.
    Clear {
        #[arg(long)]
        unit: String,
        #[arg(long, value_parser = parse_date)]
        as_of: NaiveDate,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ReviewFormat {
    /// The review laid out as a report, in Markdown.
    Md,
    /// The stable JSON interface (docs/review-json.md).
    Json,
    /// A short text in the style of a news report of the meeting.
    Press,
    /// The review as one self-contained HTML file, to mail, open offline or print.
    Html,
    /// The review's tables as an Excel workbook (needs --out): targets, documents, tasks,
    /// adjustments and shortfalls, a sheet each, numbers as numbers.
    Xlsx,
    /// The review as a Word document laid out as a Vietnamese report (needs --out or a
    /// redirected standard output).
    Docx,
    /// The review as an A4 PDF laid out as a Vietnamese report, fonts embedded (needs --out or a
    /// redirected standard output).
    Pdf,
}

impl ReviewFormat {
    /// Formats that are files for a program (a workbook, a document), not text to read.
    fn is_binary(self) -> bool {
        matches!(
            self,
            ReviewFormat::Xlsx | ReviewFormat::Docx | ReviewFormat::Pdf
        )
    }

    fn extension(self) -> &'static str {
        match self {
            ReviewFormat::Md => "md",
            ReviewFormat::Json => "json",
            ReviewFormat::Press => "txt",
            ReviewFormat::Html => "html",
            ReviewFormat::Xlsx => "xlsx",
            ReviewFormat::Docx => "docx",
            ReviewFormat::Pdf => "pdf",
        }
    }
}

/// A binary file goes to --out or to a redirected standard output, never onto a terminal.
fn binary_needs_a_file(format: ReviewFormat, out: Option<&Path>) -> Result<()> {
    use std::io::IsTerminal;
    if format.is_binary() && out.is_none() && std::io::stdout().is_terminal() {
        let ext = format.extension();
        bail!("--format {ext} writes a file: give --out FILE.{ext} or redirect standard output");
    }
    Ok(())
}

#[derive(Clone, Copy, ValueEnum)]
enum StatusFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum StatusTableFormat {
    Table,
    Json,
    /// An Excel workbook (needs --out): numbers as numbers, labels in the chosen language.
    Xlsx,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Toml,
    Csv,
    /// A DHIS2 data value set in JSON (needs --mapping).
    Dhis2Json,
    /// A DHIS2 data value set in CSV (needs --mapping).
    Dhis2Csv,
    /// An SDMX-CSV data message (needs --mapping).
    SdmxCsv,
}

fn parse_period(s: &str) -> Result<chitieu_domain::Period, String> {
    s.trim().parse().map_err(|e| format!("{e}"))
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date: expected YYYY-MM-DD"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("chitieu: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the outermost context and its causes.
            let msg = format!("{e:#}").replace('\n', " ");
            eprintln!("chitieu: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn data_dir() -> Result<PathBuf> {
    directories::ProjectDirs::from("vn", "chitieu", "chitieu")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| anyhow!("cannot find the data folder; give --db PATH"))
}

fn is_postgres(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

async fn open(db: &str) -> Result<Box<dyn Store>> {
    if is_postgres(db) {
        Ok(Box::new(
            chitieu_store_postgres::PgStore::connect(db).await?,
        ))
    } else {
        Ok(Box::new(
            chitieu_store_sqlite::SqliteStore::open(Path::new(db)).await?,
        ))
    }
}

/// The `--db` given, else `chitieu.db` in the platform's data folder.
fn db_or_default(db: Option<String>) -> Result<String> {
    match db {
        Some(db) => Ok(db),
        None => default_db(),
    }
}

fn default_db() -> Result<String> {
    Ok(data_dir()?
        .join("chitieu.db")
        .to_string_lossy()
        .into_owned())
}

fn write_out(out: Option<&Path>, text: impl AsRef<[u8]>) -> Result<()> {
    let bytes = text.as_ref();
    match out {
        Some(p) => {
            std::fs::write(p, bytes).with_context(|| format!("cannot write {}", p.display()))
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(bytes)
                .context("cannot write to standard output")?;
            Ok(())
        }
    }
}

/// A CSV file of observations as the store's streaming source: every row is approved,
/// with no reporter and no report date (the CSV format has no such columns).
struct CsvSource<R: std::io::Read>(chitieu_io::CsvObservations<R>);

impl<R: std::io::Read + Send> chitieu_store::ObservationSource for CsvSource<R> {
    fn next_row(&mut self) -> Option<Result<chitieu_store::ObservationRow<'_>, StoreError>> {
        Some(match self.0.next_row()? {
            Ok(r) => Ok(chitieu_store::ObservationRow {
                line: r.line,
                unit: r.unit,
                indicator: r.indicator,
                period: r.period,
                value: r.value,
                standing: r.standing,
                state: chitieu_domain::ReviewState::Approved,
                source: r.source,
                reported_by: None,
                reported: None,
            }),
            Err(e) => Err(StoreError::Source(Box::new(e))),
        })
    }
}

/// Imports a bundle text, pointing merge errors at the file's lines.
async fn import_bundle(
    store: &dyn Store,
    text: &str,
    file: &str,
) -> Result<chitieu_store::ImportSummary> {
    let parsed = chitieu_io::parse_bundle(text, file)?;
    match store.import(&parsed.dataset).await {
        Ok(s) => Ok(s),
        Err(StoreError::Invalid(errors)) => {
            Err(chitieu_io::located(file, &parsed.spans, &errors).into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Reads a filled Excel template and writes its figures in one transaction; every bad cell,
/// and every figure the store refuses, named by sheet and cell.
async fn import_template(
    store: &dyn Store,
    bytes: &[u8],
    file: &str,
) -> Result<chitieu_store::ImportSummary> {
    let ds = store.load_structure().await?;
    let filled = chitieu_io::template::read_template(bytes, file, &ds)?;
    match store.add_observations(&filled.observations).await {
        Ok(s) => Ok(s),
        Err(StoreError::Invalid(errors)) => Err(filled.located(file, &errors).into()),
        Err(e) => Err(e.into()),
    }
}

/// [`judge`] at a judgement's date, in the tree of that date.
async fn judged<T>(
    store: &dyn Store,
    opts: StatusOptions,
    scope: impl Fn(&Dataset) -> Scope,
    f: impl FnOnce(&Dataset, &Rollups) -> Result<T>,
) -> Result<T> {
    judge(store, opts.filter(), opts.as_of, scope, f).await?
}

/// The review of `unit` at `as_of` in `format`, with the office's text saved for it.
async fn review_output(
    store: &dyn Store,
    lang: Lang,
    unit: &str,
    as_of: NaiveDate,
    include_unapproved: bool,
    format: ReviewFormat,
) -> Result<Vec<u8>> {
    let opts = StatusOptions {
        as_of,
        include_unapproved,
    };
    let text = store.review_text(unit, as_of).await?;
    judged(
        store,
        opts,
        |ds| Scope::of_review(ds, unit, as_of),
        |ds, rollups| {
            let r = review::build_with(
                ds,
                rollups,
                ReviewOptions {
                    unit,
                    as_of,
                    include_unapproved,
                },
            )?;
            let doc = || document::build(lang, ds, rollups, &r, text.as_ref());
            Ok(match format {
                ReviewFormat::Json => {
                    let mut s = serde_json::to_string_pretty(&json::review(&r))?;
                    s.push('\n');
                    s.into_bytes()
                }
                ReviewFormat::Md => document::markdown(&doc()).into_bytes(),
                ReviewFormat::Press => press::summary(lang, &r, &ds.terms).into_bytes(),
                ReviewFormat::Html => chitieu_reports::html::review(&doc()).into_bytes(),
                ReviewFormat::Xlsx => {
                    chitieu_reports::xlsx::review(lang, &r).context("cannot make the workbook")?
                }
                ReviewFormat::Docx => {
                    chitieu_reports::docx::render(&doc()).context("cannot make the Word file")?
                }
                ReviewFormat::Pdf => {
                    chitieu_reports::pdf::render(&doc()).context("cannot make the PDF")?
                }
            })
        },
    )
    .await
}

/// The demo loaded into a database: `--db` when given, else demo.db in the data folder, made
/// afresh each time. Returns the store and where it is.
async fn demo_store(db: Option<String>) -> Result<(Box<dyn Store>, String)> {
    let db = match db {
        Some(db) => db,
        None => {
            let dir = data_dir()?;
            let path = dir.join("demo.db");
            for suffix in ["", "-wal", "-shm"] {
                let p = PathBuf::from(format!("{}{suffix}", path.display()));
                if p.exists() {
                    std::fs::remove_file(&p).with_context(|| {
                        format!("cannot reset the demo database {}", p.display())
                    })?;
                }
            }
            path.to_string_lossy().into_owned()
        }
    };
    let store = open(&db).await?;
    let summary = import_bundle(store.as_ref(), DEMO_BUNDLE, DEMO_FILE).await?;
    let text = chitieu_io::parse_review_text(DEMO_TEXT, DEMO_TEXT_FILE)?;
    store.save_review_text(&text).await?;
    eprintln!(
        "chitieu: demo loaded into {db} ({})",
        summary_line(&summary)
    );
    Ok((store, db))
}

/// `chitieu serve`: the web app until Ctrl-C (or SIGTERM), then the requests in flight finish.
async fn serve(
    store: Box<dyn Store>,
    default_as_of: Option<NaiveDate>,
    bind: std::net::IpAddr,
    port: u16,
) -> Result<()> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let listener = chitieu_web::bind(std::net::SocketAddr::new(bind, port)).await?;
    let addr = listener.local_addr()?;
    eprintln!("chitieu: serving on http://{addr} (Ctrl-C to stop)");
    let state = chitieu_web::AppState::new(std::sync::Arc::from(store), default_as_of);
    chitieu_web::serve(listener, state, shutdown_signal()).await?;
    eprintln!("chitieu: stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn summary_line(s: &chitieu_store::ImportSummary) -> String {
    let added: Vec<String> = s
        .added
        .entries()
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    let skipped = s.skipped.total();
    let mut line = if added.is_empty() {
        "nothing new".to_string()
    } else {
        format!("added {}", added.join(", "))
    };
    if skipped > 0 {
        line.push_str(&format!("; {skipped} already present"));
    }
    line
}

async fn run(cli: Cli) -> Result<()> {
    let lang = Lang::parse(&cli.lang).unwrap_or_default();
    match cli.command {
        Command::Init => {
            let db = db_or_default(cli.db)?;
            let store = open(&db).await?;
            println!("{} database ready: {db}", store.backend());
        }
        Command::Demo { format } => {
            binary_needs_a_file(format, None)?;
            let (store, _) = demo_store(cli.db).await?;
            let as_of = parse_date(DEMO_DATE).map_err(|e| anyhow!(e))?;
            write_out(
                None,
                review_output(store.as_ref(), lang, DEMO_UNIT, as_of, false, format).await?,
            )?;
        }
        Command::Serve { demo, bind, port } => {
            let (store, as_of) = if demo {
                let (store, _) = demo_store(cli.db).await?;
                let as_of = parse_date(DEMO_DATE).map_err(|e| anyhow!(e))?;
                (store, Some(as_of))
            } else {
                let db = db_or_default(cli.db)?;
                (open(&db).await?, None)
            };
            serve(store, as_of, bind, port).await?;
        }
        Command::Import {
            file,
            format,
            mapping,
        } => {
            let db = db_or_default(cli.db)?;
            let name = file.display().to_string();
            if let Some(format) = format {
                let store = open(&db).await?;
                let s = exchange::import(store.as_ref(), &file, format, mapping.as_deref()).await?;
                println!("{name}: {}", summary_line(&s));
                return Ok(());
            }
            let ext = file
                .extension()
                .and_then(|e| e.to_str())
                .map(|e| e.to_ascii_lowercase());
            let summary = match ext.as_deref() {
                Some("toml") => {
                    let text = std::fs::read_to_string(&file)
                        .with_context(|| format!("cannot read {name}"))?;
                    let store = open(&db).await?;
                    import_bundle(store.as_ref(), &text, &name).await?
                }
                Some("csv") => {
                    // Streamed: a national CSV (tens of millions of rows) is never held.
                    let input = std::fs::File::open(&file)
                        .with_context(|| format!("cannot read {name}"))?;
                    let store = open(&db).await?;
                    let mut rows = CsvSource(chitieu_io::CsvObservations::new(input, &name));
                    match store.import_observations(&mut rows).await {
                        Ok(s) => s,
                        Err(StoreError::Row {
                            line,
                            field,
                            message,
                        }) => bail!("{name}:{line}: column {field}: {message}"),
                        Err(e) => return Err(e.into()),
                    }
                }
                Some("xlsx") => {
                    let bytes =
                        std::fs::read(&file).with_context(|| format!("cannot read {name}"))?;
                    let store = open(&db).await?;
                    import_template(store.as_ref(), &bytes, &name).await?
                }
                _ => bail!(
                    "{name}: expected a .toml bundle, a .csv of observations or a filled .xlsx template"
                ),
            };
            println!("{name}: {}", summary_line(&summary));
        }
        Command::Export {
            out,
            format,
            mapping,
        } => {
            let db = db_or_default(cli.db)?;
            let store = open(&db).await?;
            let ds = store.load().await?;
            let neighbour = |f| exchange::export(&ds.observations, f, mapping.as_deref());
            let text = match format {
                ExportFormat::Toml => chitieu_io::bundle_to_toml(&ds),
                ExportFormat::Csv => chitieu_io::observations_to_csv(&ds.observations),
                ExportFormat::Dhis2Json => neighbour(exchange::Format::Dhis2Json)?,
                ExportFormat::Dhis2Csv => neighbour(exchange::Format::Dhis2Csv)?,
                ExportFormat::SdmxCsv => neighbour(exchange::Format::SdmxCsv)?,
            };
            write_out(out.as_deref(), &text)?;
        }
        Command::Status {
            resolution,
            unit,
            as_of,
            format,
            out,
            include_unapproved,
        } => {
            if matches!(format, StatusTableFormat::Xlsx) && out.is_none() {
                bail!("--format xlsx writes a workbook: give --out FILE.xlsx");
            }
            let db = db_or_default(cli.db)?;
            let store = open(&db).await?;
            let as_of = as_of.unwrap_or_else(today);
            let opts = StatusOptions {
                as_of,
                include_unapproved,
            };
            let scope = |ds: &Dataset| Scope::of_status_table(ds, &resolution, unit.as_deref());
            let rows = judged(store.as_ref(), opts, scope, |ds, rollups| {
                Ok(review::status_table_with(
                    ds,
                    rollups,
                    &resolution,
                    unit.as_deref(),
                    opts,
                )?)
            })
            .await?;
            let text = match format {
                StatusTableFormat::Table => markdown::status_table(lang, &resolution, as_of, &rows),
                StatusTableFormat::Json => {
                    serde_json::to_string_pretty(&json::status_rows(&resolution, as_of, &rows))?
                        + "\n"
                }
                StatusTableFormat::Xlsx => {
                    let book = chitieu_reports::xlsx::status_table(lang, &resolution, as_of, &rows)
                        .context("cannot make the workbook")?;
                    if let Some(path) = &out {
                        std::fs::write(path, book)
                            .with_context(|| format!("cannot write {}", path.display()))?;
                    }
                    return Ok(());
                }
            };
            write_out(out.as_deref(), &text)?;
        }
        Command::Review {
            unit,
            as_of,
            format,
            include_unapproved,
            out,
        } => {
            let db = db_or_default(cli.db)?;
            let store = open(&db).await?;
            let as_of = as_of.unwrap_or_else(today);
            binary_needs_a_file(format, out.as_deref())?;
            write_out(
                out.as_deref(),
                review_output(
                    store.as_ref(),
                    lang,
                    &unit,
                    as_of,
                    include_unapproved,
                    format,
                )
                .await?,
            )?;
        }
        Command::Value {
            unit,
            indicator,
            period,
            as_of,
            tree_date,
            children,
            format,
            include_unapproved,
        } => {
            let db = db_or_default(cli.db)?;
            let store = open(&db).await?;
            let ds = store.load_structure().await?;
            let as_of = as_of.unwrap_or_else(today);
            let query = hierarchy::ValueQuery {
                unit: &unit,
                indicator: &indicator,
                period: &period,
                as_of,
                tree_date: tree_date.unwrap_or(as_of),
                children,
                include_unapproved,
            };
            let json = matches!(format, StatusFormat::Json);
            let filter = FigureFilter {
                known_by: as_of,
                include_unapproved,
            };
            let scope = Scope {
                units: vec![unit.clone()],
                indicators: vec![indicator.clone()],
            };
            let read =
                InForce::read(store.as_ref(), &ds, filter, query.tree_date, Some(&scope)).await?;
            write_out(None, &hierarchy::value_text(&ds, read, lang, &query, json)?)?;
        }
        Command::Allocate {
            target,
            equal: _,
            by,
            period,
            as_of,
            out,
        } => {
            let db = db_or_default(cli.db)?;
            let store = open(&db).await?;
            let as_of = as_of.unwrap_or_else(today);
            let by = by.as_deref().zip(period.as_deref());
            let approved = StatusOptions {
                as_of,
                include_unapproved: false,
            };
            let scope = |ds: &Dataset| Scope::of_allocation(ds, &target, by.map(|b| b.0));
            let (bundle, text) = judged(store.as_ref(), approved, scope, |ds, rollups| {
                let shares = hierarchy::allocate(ds, rollups, &target, by, as_of)?;
                Ok((
                    hierarchy::shares_bundle(ds, &shares),
                    hierarchy::shares_text(lang, ds, &target, &shares),
                ))
            })
            .await?;
            write_out(out.as_deref(), &bundle)?;
            if let Some(file) = &out {
                write_out(None, &text)?;
                eprintln!("chitieu: shares written to {}", file.display());
            }
        }
        Command::Allocations { as_of, format } => {
            let db = db_or_default(cli.db)?;
            let store = open(&db).await?;
            let as_of = as_of.unwrap_or_else(today);
            let json = matches!(format, StatusFormat::Json);
            let approved = StatusOptions {
                as_of,
                include_unapproved: false,
            };
            let text = judged(
                store.as_ref(),
                approved,
                Scope::of_allocations,
                |ds, rollups| hierarchy::allocations_text(ds, rollups, lang, as_of, json),
            )
            .await?;
            write_out(None, &text)?;
        }
        Command::Template {
            unit,
            period,
            as_of,
            out,
        } => {
            let db = db_or_default(cli.db)?;
            let store = open(&db).await?;
            let as_of = as_of.unwrap_or_else(today);
            let ds = store.load_structure().await?;
            let figures = chitieu_store::in_force::own_figures(
                store.as_ref(),
                &ds,
                &unit,
                period.year() - 1,
                period.year(),
                as_of,
            )
            .await?
            .with_context(|| format!("no unit `{unit}`"))?;
            let template =
                chitieu_io::template::Template::for_unit(&ds, &unit, period, as_of, lang, &figures)
                    .with_context(|| format!("no unit `{unit}`"))?;
            let book = template.to_xlsx().context("cannot make the workbook")?;
            let path =
                out.unwrap_or_else(|| PathBuf::from(format!("template-{unit}-{period}.xlsx")));
            std::fs::write(&path, book)
                .with_context(|| format!("cannot write {}", path.display()))?;
            println!(
                "{}: {} indicators of {unit} for {period}",
                path.display(),
                template.rows.len()
            );
        }
        Command::Gen(args) if args.import => {
            let db = db_or_default(cli.db)?;
            let store = open(&db).await?;
            synthetic::import(&args, store.as_ref(), &db).await?;
        }
        Command::Gen(args) => synthetic::run(&args)?,
        Command::ReviewText(cmd) => {
            let db = db_or_default(cli.db)?;
            let store = open(&db).await?;
            match cmd {
                ReviewTextCommand::Show { unit, as_of } => {
                    match store.review_text(&unit, as_of).await? {
                        Some(t) => write_out(None, chitieu_io::review_text_to_toml(&t))?,
                        None => {
                            // A template to fill, so that `show > f.toml; edit; set f.toml`
                            // works for a review that has no text yet.
                            let t = chitieu_domain::ReviewText::new(unit.clone(), as_of);
                            eprintln!("chitieu: no text saved for the review of {unit} at {as_of}");
                            write_out(None, chitieu_io::review_text_to_toml(&t))?;
                        }
                    }
                }
                ReviewTextCommand::Set { file } => {
                    let name = file.display().to_string();
                    let source = std::fs::read_to_string(&file)
                        .with_context(|| format!("cannot read {name}"))?;
                    let text = chitieu_io::parse_review_text(&source, &name)?;
                    store.save_review_text(&text).await?;
                    println!(
                        "{name}: saved the text of the review of {} at {}",
                        text.unit, text.as_of
                    );
                }
                ReviewTextCommand::Clear { unit, as_of } => {
                    store
                        .save_review_text(&chitieu_domain::ReviewText::new(unit.clone(), as_of))
                        .await?;
                    println!("removed the text of the review of {unit} at {as_of}");
                }
            }
        }
    }
    Ok(())
}
