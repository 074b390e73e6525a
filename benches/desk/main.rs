//! git-desk's benchmark (not a test): `cargo bench --bench desk -- [SECTION…] [options]`.
//!
//! It generates desks of the requested sizes (see [`generate`]), runs the sections asked
//! for against the release `git-desk` binary as whole processes, and prints median and p90
//! wall times next to git doing the same work, then the targets and whether they are met.
//!
//! Sections, one per area, each run over the generated desks:
//! - `commit` (issue 2): `ticket new` and a field edit, work-tree and bare desks.
//! - `lifecycle` (issue 3): `ticket answer` and `ticket assign`, against the same targets.
//! - `search`, `mail`, `sync` (issues 4, 8, 9): see [`figures::section`].
//! - `reads` (issue 13): one figure per row of the table, see [`reads`].
//!
//! Later areas (search, stats, site, mail, sync) add a [`Section`] variant and a module; the
//! generated desks, the tools and the statistics are shared.
//!
//! Generated desks live in a temporary directory removed at the end (also after Ctrl-C), or,
//! with `--desks DIR`, are kept in DIR and reused by later runs.

mod changes;
mod commit;
mod figures;
mod generate;
mod mail;
mod measure;
mod reads;
mod search;
mod stand_in;
mod sync;

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Parser;

use changes::Change;
use commit::{Kind, Row};
use measure::{parse_size, size_label, Tools};

/// git-desk's benchmarks: whole-process wall times of commands on generated desks, next to
/// git doing the same work.
#[derive(Debug, Parser)]
#[command(name = "cargo bench --bench desk --")]
struct Args {
    /// The areas to measure (default: all).
    #[arg(value_enum)]
    sections: Vec<Section>,
    /// Desk sizes in tickets (three messages each).
    #[arg(long, value_delimiter = ',', value_parser = parse_size, default_value = "1k,10k,100k")]
    sizes: Vec<u64>,
    /// Which desks to measure.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "work,bare")]
    kinds: Vec<KindArg>,
    /// Timed runs per measurement.
    #[arg(long, default_value_t = 15)]
    runs: usize,
    /// Untimed runs before them.
    #[arg(long, default_value_t = 2)]
    warmup: usize,
    /// Timed runs of the long measurements (`index --rebuild`, `stats` without its cache),
    /// at most `--runs`.
    #[arg(long, default_value_t = 3)]
    long_runs: usize,
    /// Figures of the reads section to leave out (long at 1M): `catalog` (built from
    /// nothing), `index`, `stats`, `site`.
    #[arg(long, value_delimiter = ',')]
    skip: Vec<String>,
    /// Keep generated desks in DIR and reuse them next time (default: a temporary
    /// directory, removed at the end).
    #[arg(long, value_name = "DIR")]
    desks: Option<PathBuf>,
    /// The git-desk binary to measure (default: the release build of this checkout), e.g.
    /// a copy of an older build for before/after figures.
    #[arg(long, value_name = "PATH")]
    bin: Option<PathBuf>,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Section {
    /// Issue 2: the commit engine (`ticket new`, field edit).
    Commit,
    /// Issue 3: `ticket answer` and `ticket assign` within the foundation's targets.
    Lifecycle,
    /// Issue 4: index build, search, refresh, size, memory, `git grep` ratio.
    Search,
    /// Issue 8: ingest 10,000 mails, send 1,000 to a local SMTP server.
    Mail,
    /// Issue 9: sync of 1,000 + 1,000 commits, watch-mode reaction time.
    Sync,
    /// Issue 13: every row of the "reads at scale" table (lists, search, autoclose, sync,
    /// stats, site, mutations). Changes the generated desks: run it last.
    Reads,
}

impl Section {
    fn title(self) -> &'static str {
        match self {
            Section::Commit => "commit engine (issue 2)",
            Section::Lifecycle => "answer and assign (issue 3)",
            Section::Search => "search (issue 4)",
            Section::Mail => "mail (issue 8)",
            Section::Sync => "sync (issue 9)",
            Section::Reads => "reads at scale (issue 13)",
        }
    }

    fn changes(self) -> &'static [Change] {
        match self {
            Section::Commit => &[Change::NewTicket, Change::FieldEdit],
            Section::Lifecycle => &[Change::Answer, Change::Assign],
            // Measured by their own modules (see `figures`).
            Section::Search | Section::Mail | Section::Sync | Section::Reads => &[],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum KindArg {
    Work,
    Bare,
}

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    let result = match argv.get(1).map(String::as_str) {
        Some("--stand-in-edit") if argv.len() == 5 => {
            stand_in::edit_priority(argv[2].as_ref(), &argv[3], &argv[4])
        }
        _ => bench(Args::parse()),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn bench(mut args: Args) -> Result<()> {
    let _signals = gix::interrupt::init_handler_default(1).context("installing Ctrl-C handling")?;
    if args.sections.is_empty() {
        args.sections = <Section as clap::ValueEnum>::value_variants().to_vec();
    }
    let kinds: Vec<Kind> = args
        .kinds
        .iter()
        .map(|k| match k {
            KindArg::Work => Kind::Work,
            KindArg::Bare => Kind::Bare,
        })
        .collect();
    let temp = tempfile::Builder::new()
        .prefix("desk-bench-")
        .tempdir()
        .context("making a temporary directory")?;
    let home = temp.path().join("home");
    std::fs::create_dir_all(&home)?;
    let tools = Tools {
        desk: match &args.bin {
            Some(b) => b
                .canonicalize()
                .with_context(|| format!("{}", b.display()))?,
            None => PathBuf::from(env!("CARGO_BIN_EXE_git-desk")),
        },
        me: std::env::current_exe()?,
        sample: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("example-repo"),
        home,
    };
    let desks_root = match &args.desks {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.canonicalize()?
        }
        None => temp.path().join("desks"),
    };
    let fx = generate::Fixture::from_sample(&tools.sample)?;
    let mut stdout = std::io::stdout();
    eprintln!("git-desk under test: {}", tools.desk.display());

    for section in args.sections.iter().filter(|s| !s.changes().is_empty()) {
        writeln!(
            stdout,
            "\n{}: ms per change as whole processes, {} runs after {} warm-up;\n\
             med/p90 = wall time, cpu = median user+sys time, load = 1-min load average",
            section.title(),
            args.runs,
            args.warmup
        )?;
        let mut pairs = Vec::new();
        for &size in &args.sizes {
            let dir = desks_root.join(size_label(size));
            pairs.push(generate::ensure(&dir, size, &tools, &fx)?);
        }
        commit::header(&mut stdout)?;
        let rows = commit::run(
            &tools,
            &fx,
            &pairs,
            &kinds,
            section.changes(),
            args.runs,
            args.warmup,
            &mut stdout,
        )?;
        targets(&mut stdout, &rows, section.changes())?;
    }
    for section in [
        Section::Search,
        Section::Mail,
        Section::Sync,
        Section::Reads,
    ] {
        if args.sections.contains(&section) {
            figures::section(section, &args, &tools, &fx, &desks_root, &mut stdout)?;
        }
    }
    if args.desks.is_none() {
        eprintln!("removing the generated desks in {}", temp.path().display());
    }
    drop(temp);
    Ok(())
}

/// Issue 2's targets: with a work tree ≤ 50 ms median at 100k tickets; a bare desk ≤ 10 ms
/// at every size, and at most 1.5× slower at 100k than at 1k.
fn targets(out: &mut impl Write, rows: &[Row], changes: &[Change]) -> Result<()> {
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    writeln!(out, "targets:")?;
    for &change in changes {
        let of = |kind: Kind| {
            rows.iter()
                .filter(move |r| r.kind == kind && r.change == change)
        };
        if let Some(r) = of(Kind::Work).find(|r| r.tickets == 100_000) {
            let m = r.desk.median();
            writeln!(
                out,
                "  {:<11} work tree at 100k ≤ 50 ms: {m:.1} ms, {}",
                change.name(),
                verdict(m <= 50.0)
            )?;
        }
        let bare: Vec<&Row> = of(Kind::Bare).collect();
        if let Some(worst) = bare.iter().map(|r| r.desk.median()).reduce(f64::max) {
            writeln!(
                out,
                "  {:<11} bare ≤ 10 ms at every size: worst {worst:.1} ms, {}",
                change.name(),
                verdict(worst <= 10.0)
            )?;
        }
        let small = bare.iter().find(|r| r.tickets == 1_000);
        let big = bare.iter().find(|r| r.tickets == 100_000);
        if let (Some(s), Some(b)) = (small, big) {
            let g = b.desk.median() / s.desk.median();
            writeln!(
                out,
                "  {:<11} bare growth 1k→100k ≤ 1.5×: {g:.2}×, {}",
                change.name(),
                verdict(g <= 1.5)
            )?;
        }
    }
    Ok(())
}
