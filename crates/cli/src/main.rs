//! `shinchoku`: parse the arguments, call the core, print. No logic of its own.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// `println!` that ends the program quietly when stdout is closed (`shinchoku show | head`)
/// instead of panicking.
macro_rules! println {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout().lock(), $($t)*).is_err() {
            std::process::exit(0);
        }
    }};
}
use shinchoku_core::ops::{self, Error};
use shinchoku_core::summary::Summary;
use shinchoku_core::{hostile, store::Store, synth, xlsx, FiscalYear, YearStyle};

/// 進捗 Shinchoku — DX計画の取組状況を管理する。
#[derive(Parser)]
#[command(name = "shinchoku", version, about, long_about = None)]
struct Cli {
    /// The database file (default: SHINCHOKU_DB, else shinchoku.db in the user's data folder).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// The plan to act on: its id or part of its title (default: the current plan).
    #[arg(long, global = true, value_name = "ID|TITLE")]
    plan: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the database; with --demo, load the demo plans (Fukushima R5, Tokushima card).
    Init {
        #[arg(long)]
        demo: bool,
    },
    /// Import a workbook in the 取組一覧 layout as a plan (a new version if the plan exists).
    Import {
        file: PathBuf,
        /// 団体名, when the workbook does not say (e.g. 福島県).
        #[arg(long)]
        organization: Option<String>,
        /// A workbook without Shinchoku's base may put back values entered or merged since the
        /// last import: they are listed and nothing is imported, unless this is given.
        #[arg(long)]
        replace_entered: bool,
        #[arg(long)]
        json: bool,
    },
    /// Every stored field of the plan by its path (as `history` names them), with its text exactly as stored.
    Fields {
        /// Only paths starting with this (e.g. `kpi[5]`, `project[17].year[2023]`).
        prefix: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Validate a workbook without importing it; lists every problem with sheet!cell.
    Check {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Export the summary workbook (取組一覧, KPI推移, 集計).
    Export {
        file: PathBuf,
        /// Fiscal year: 2023, R5 or 令和5年度 (default: the plan's report year).
        #[arg(long, value_parser = parse_year)]
        year: Option<FiscalYear>,
    },
    /// Plan summary: counts, evaluations per area and department, KPI achievement rates.
    Show {
        #[arg(long)]
        json: bool,
        #[arg(long, value_parser = parse_year)]
        year: Option<FiscalYear>,
    },
    /// List the plans in the database.
    Plans {
        #[arg(long)]
        json: bool,
    },
    /// Write one entry workbook (記入用ファイル) per department into DIR.
    Templates {
        dir: PathBuf,
        #[arg(long, value_parser = parse_year)]
        year: Option<FiscalYear>,
        /// Only this department (部); repeatable.
        #[arg(long = "dept", value_name = "NAME")]
        depts: Vec<String>,
        /// Replace files of the same name already in DIR (by default they are kept, and nothing is written).
        #[arg(long)]
        overwrite: bool,
        #[arg(long)]
        json: bool,
    },
    /// Merge department returns into the plan (three-way, per field; conflicts are kept, not applied).
    Merge {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Report what would happen; change nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long, value_parser = parse_year)]
        year: Option<FiscalYear>,
        /// Also write the merge report workbook (for the departments).
        #[arg(long, value_name = "FILE.xlsx")]
        report: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// List the open conflicts (with --all, the resolved ones too).
    Conflicts {
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Resolve a conflict: keep the plan's value, take the return's, or set a value.
    Resolve {
        id: i64,
        #[arg(long, value_name = "plan|return|VALUE")]
        take: String,
        #[arg(long)]
        json: bool,
    },
    /// List the plan's revisions (imports, merges, resolutions, undos).
    History {
        #[arg(long)]
        json: bool,
    },
    /// Revert one revision (refused if a later revision changed the same fields).
    Undo {
        revision: i64,
        #[arg(long)]
        json: bool,
    },
    /// List the database backups (taken before every import and merge).
    Backups {
        #[arg(long)]
        json: bool,
    },
    /// Restore a backup (the current state is backed up first).
    Restore { file: PathBuf },
    /// Draw one KPI trend chart per KPI into DIR (PNG at print quality, or SVG).
    Charts {
        dir: PathBuf,
        #[arg(long, value_parser = ["png", "svg"], default_value = "png")]
        format: String,
        /// Only this KPI number; repeatable.
        #[arg(long = "kpi", value_name = "N")]
        kpis: Vec<u32>,
        #[arg(long, value_parser = parse_year)]
        year: Option<FiscalYear>,
        /// Resolution of PNG files (300 for an A4 half page in print).
        #[arg(long, default_value_t = 300)]
        dpi: u32,
        /// Year labels: short (R5) or long (令和5年度).
        #[arg(long, value_parser = ["short", "long"], default_value = "short")]
        year_labels: String,
        /// A Japanese font file to draw with (default: found on this computer).
        #[arg(long, value_name = "FILE")]
        font: Option<PathBuf>,
    },
    /// Write project cards (主な指標及び工程): KGI, CSF and KPI tables, 課題とアクション, 取組内容, 予算.
    /// .xlsx (one sheet per project) or .pdf (with the KPI charts beside their tables), A4 portrait.
    Card {
        file: PathBuf,
        /// Only this project (事業番号); repeat for several. Default: every project, in plan order.
        #[arg(long = "project", value_name = "N")]
        projects: Vec<String>,
        /// The year of 取組内容 and 予算: 2023, R5 or 令和5年度 (default: the plan's report year).
        #[arg(long, value_parser = parse_year)]
        year: Option<FiscalYear>,
        /// A Japanese font file for the PDF (default: found on this computer).
        #[arg(long, value_name = "FILE")]
        font: Option<PathBuf>,
    },
    /// Write the progress report (現戦略の取組状況) as a Word document: per item 現状・課題 and 取組状況.
    Report {
        file: PathBuf,
        /// Figures quoted from KPIs use the latest actual up to this year (default: the report year).
        #[arg(long, value_parser = parse_year)]
        year: Option<FiscalYear>,
    },
    /// Write the chart book PDF for a meeting: cover, KPI charts grouped by area or department, page numbers.
    ChartBook {
        file: PathBuf,
        #[arg(long, value_parser = ["a4", "a3"], default_value = "a4")]
        paper: String,
        #[arg(long, value_parser = ["1", "2", "4"], default_value = "2")]
        per_page: String,
        #[arg(long, value_parser = ["area", "dept"], default_value = "area")]
        by: String,
        #[arg(long, value_parser = parse_year)]
        year: Option<FiscalYear>,
        #[arg(long, value_parser = ["short", "long"], default_value = "short")]
        year_labels: String,
        #[arg(long, value_name = "FILE")]
        font: Option<PathBuf>,
    },
    /// 照会 rounds: who has returned, who has not, reminders, confirmation.
    #[command(subcommand)]
    Round(RoundCommand),
    /// Developer tools.
    #[command(subcommand)]
    Dev(DevCommand),
}

#[derive(Subcommand)]
enum RoundCommand {
    /// Open a round for the year (one open round per plan and year); templates written while it is open carry it.
    Open {
        #[arg(long, value_parser = parse_year)]
        year: Option<FiscalYear>,
        /// The due date: 2024-05-31, R6.5.31 or 令和6年5月31日.
        #[arg(long)]
        due: String,
        #[arg(long)]
        title: Option<String>,
    },
    /// The board: per department its state, overdue, files received, fields filled and empty.
    Status {
        #[arg(long, value_parser = parse_year)]
        year: Option<FiscalYear>,
        #[arg(long)]
        json: bool,
    },
    /// The reminder (督促) for the departments still outstanding, with what each still lacks.
    Remind {
        #[arg(long, value_parser = parse_year)]
        year: Option<FiscalYear>,
        /// Write it to this file as well.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 差戻し: write the department's workbook again with each problem marked and a 指摘事項 sheet.
    SendBack {
        department: String,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long)]
        out: PathBuf,
        /// A year-on-year change of this factor or more asks for 変動要因.
        #[arg(long, default_value_t = 10.0)]
        jump_factor: f64,
    },
    /// 確定: later returns from the department for this round are refused.
    Confirm { department: String },
    /// Reopen a confirmed department; the reason is kept in the history.
    Unlock {
        department: String,
        #[arg(long)]
        reason: String,
    },
    /// Close the round; its record stays in `history`.
    Close,
}

#[derive(Subcommand)]
enum DevCommand {
    /// Write the deterministic synthetic plan of N projects as a summary workbook.
    Synth { n: usize, file: PathBuf },
    /// Write filled department returns (every narrative amended) into DIR, as the app saves them.
    SampleReturns { dir: PathBuf },
    /// Save one field as the app's 年度入力 saves it (for crash tests): PATH such as
    /// `project[3].year[2023].narrative`, as department DEPT.
    SaveField {
        path: String,
        text: String,
        #[arg(long)]
        dept: String,
    },
    /// Open a coordinator's 記入用ファイル as the app's 記入用ファイルを開く does.
    OpenReturn { file: PathBuf },
    /// Save the department's return as the app's 提出用ファイルを保存 does.
    SaveReturn {
        file: PathBuf,
        #[arg(long)]
        dept: String,
        #[arg(long, value_parser = parse_year)]
        year: Option<FiscalYear>,
    },
    /// Write a zip bomb: a small .xlsx whose sheet inflates to MIB mebibytes (robustness benchmarks).
    ZipBomb {
        file: PathBuf,
        #[arg(long, default_value_t = 3072)]
        mib: u32,
        /// Fill the sheet with empty elements (`<a/>`) instead of white space.
        #[arg(long)]
        tags: bool,
    },
    /// Write an .xlsx whose sheet has ROWS rows (robustness benchmarks).
    ManyRows {
        file: PathBuf,
        #[arg(long, default_value_t = 1_000_000)]
        rows: u32,
    },
}

/// `--year-labels short|long`
fn year_style(s: &str) -> YearStyle {
    if s == "long" {
        YearStyle::Long
    } else {
        YearStyle::Short
    }
}

fn parse_year(s: &str) -> Result<FiscalYear, String> {
    FiscalYear::parse(s).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            if let Some(file) = e.file() {
                let n = e.problems().len();
                eprintln!(
                    "error: {file}: nothing was imported; {n} problem{} to fix in the workbook:",
                    if n == 1 { "" } else { "s" }
                );
            }
            for p in e.problems() {
                eprintln!("error: {p}");
            }
            if e.is_bad_input() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

fn db(cli_db: &Option<PathBuf>) -> Result<PathBuf, Error> {
    ops::resolve_db_path(cli_db.as_deref())
}

/// JSON on stdout; a closed pipe (`| head`) is not an error.
fn print_json<T: serde::Serialize>(v: &T) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    let plan = cli.plan.as_deref();
    match cli.command {
        Command::Init { demo } => {
            let path = db(&cli.db)?;
            let r = ops::init(&path, demo)?;
            println!("データベース: {}", r.db.display());
            for p in &r.plans {
                println!(
                    "  計画 #{} {}: 事業 {} / 再掲 {} / KPI {}",
                    p.plan_id, p.title, p.projects, p.relistings, p.kpis
                );
            }
        }
        Command::Fields { prefix, json } => {
            let fields = ops::fields(&db(&cli.db)?, plan, prefix.as_deref())?;
            if json {
                print_json(&fields);
            } else {
                for (path, value) in &fields {
                    println!("{path}\t{}", value.replace('\\', "\\\\").replace('\n', "\\n").replace('\t', "\\t"));
                }
            }
        }
        Command::Import {
            file,
            organization,
            replace_entered,
            json,
        } => {
            let path = db(&cli.db)?;
            let r = ops::import(&path, &file, organization.as_deref(), replace_entered)?;
            if json {
                print_json(&r);
            } else {
                for w in &r.warnings {
                    eprintln!("warning: {w}");
                }
                let verb = if r.saved.created {
                    "新規に取り込みました"
                } else {
                    "更新しました"
                };
                let verb = if r.saved.fields_changed == 0 && r.conflicts == 0 && !r.saved.created {
                    "確認しました(変更なし、何も記録していません)"
                } else {
                    verb
                };
                println!(
                    "{}: 計画 #{}「{}」を{verb}(事業 {} / 再掲 {} / KPI {}、変更 {} 項目、競合 {} 件、履歴 #{})",
                    r.file,
                    r.saved.plan_id,
                    r.saved.title,
                    r.saved.projects,
                    r.saved.relistings,
                    r.saved.kpis,
                    r.saved.fields_changed,
                    r.conflicts,
                    r.saved.revision_id
                );
            }
        }
        Command::Check { file, json } => {
            let r = ops::check(&file);
            if json {
                print_json(&r);
            } else if r.ok {
                for w in &r.warnings {
                    eprintln!("warning: {w}");
                }
                println!("{}: OK(事業 {} / 再掲 {} / KPI {})", r.file, r.projects, r.relistings, r.kpis);
            } else {
                if r.problems.iter().any(|p| !p.sheet.is_empty()) {
                    let n = r.problems.len();
                    eprintln!(
                        "error: {}: {n} problem{} to fix in the workbook:",
                        r.file,
                        if n == 1 { "" } else { "s" }
                    );
                }
                for p in &r.problems {
                    eprintln!("error: {p}");
                }
            }
            return Ok(if r.ok { ExitCode::SUCCESS } else { ExitCode::from(2) });
        }
        Command::Export { file, year } => {
            let path = db(&cli.db)?;
            ops::export(&path, plan, &file, year)?;
            println!("{} を書き出しました", file.display());
        }
        Command::Show { json, year } => {
            let path = db(&cli.db)?;
            let s = ops::show(&path, plan, year)?;
            if json {
                print_json(&s);
            } else {
                print_summary(&s);
            }
        }
        Command::Plans { json } => {
            let path = db(&cli.db)?;
            let store = Store::open(&path)?;
            let plans = store.plans()?;
            if json {
                print_json(&plans);
            } else {
                for p in plans {
                    let mark = if p.current { "*" } else { " " };
                    println!("{mark} #{} {} {}({})", p.id, p.organization, p.title, p.report_year.long());
                }
            }
        }
        Command::Templates {
            dir,
            year,
            depts,
            overwrite,
            json,
        } => {
            let r = ops::templates(&db(&cli.db)?, plan, &dir, year, &depts, overwrite)?;
            if json {
                print_json(&r);
            } else {
                for f in &r.files {
                    println!("{}  {}(事業 {})", f.path.display(), f.department, f.projects);
                }
                println!(
                    "{} 部の記入用ファイルを書き出しました({}、計画の版 #{})",
                    r.files.len(),
                    r.year.long(),
                    r.revision
                );
                if r.without_department > 0 {
                    eprintln!(
                        "warning: 担当部のない事業 {} 件はどのファイルにも含まれません",
                        r.without_department
                    );
                }
            }
        }
        Command::Merge {
            files,
            dry_run,
            year,
            report,
            json,
        } => {
            let opts = ops::MergeOptions { dry_run, year, report };
            let total = files.len();
            let mut progress = |p: &ops::MergeProgress| {
                if !json && total > 1 {
                    eprintln!("[{}/{}] {}", p.done, p.total, p.file);
                }
            };
            let r = ops::merge(&db(&cli.db)?, plan, &files, &opts, &mut progress)?;
            if json {
                print_json(&r);
            } else {
                print_merge(&r);
            }
            return Ok(if r.rejected > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS });
        }
        Command::Conflicts { all, json } => {
            let list = ops::conflicts(&db(&cli.db)?, plan, all)?;
            if json {
                print_json(&list);
            } else if list.is_empty() {
                println!("未解決の競合はありません");
            } else {
                for c in &list {
                    let status = if c.status == "open" { "未解決" } else { "解決済" };
                    print_conflict(&format!("#{} [{status}]", c.id), &c.found);
                    println!("    ファイル: {}", c.found.file);
                }
            }
        }
        Command::Resolve { id, take, json } => {
            let r = ops::resolve(&db(&cli.db)?, id, &ops::Take::parse(&take))?;
            if json {
                print_json(&r);
            } else {
                println!(
                    "競合 #{} を解決しました: {} = {}(変更 {} 項目、履歴 #{})",
                    r.conflict,
                    r.path,
                    r.value.as_deref().unwrap_or("(空欄)"),
                    r.fields_changed,
                    r.revision_id
                );
            }
        }
        Command::History { json } => {
            let list = ops::history(&db(&cli.db)?, plan)?;
            if json {
                print_json(&list);
            } else {
                for r in &list {
                    let undone = r.undone_by.map(|u| format!(" [#{u} で取消済]")).unwrap_or_default();
                    println!(
                        "#{:<4} {}  {:<8} 変更 {:>5} 項目  {}{undone}",
                        r.id, r.at, r.kind, r.fields_changed, r.summary
                    );
                    if let Some(d) = &r.department {
                        println!("      部: {d}");
                    }
                    if let Some(f) = &r.source_file {
                        println!("      ファイル: {f}");
                    }
                    if let Some(h) = &r.source_sha256 {
                        println!("      SHA-256: {h}");
                    }
                }
            }
        }
        Command::Undo { revision, json } => {
            let r = ops::undo(&db(&cli.db)?, revision)?;
            if json {
                print_json(&r);
            } else {
                println!(
                    "履歴 #{} を取り消しました(変更 {} 項目、履歴 #{})",
                    r.undone, r.fields_changed, r.revision_id
                );
            }
        }
        Command::Backups { json } => {
            let list = ops::backups(&db(&cli.db)?)?;
            if json {
                print_json(&list);
            } else if list.is_empty() {
                println!("バックアップはまだありません");
            } else {
                for b in &list {
                    println!("{}  {:<8} {:>9} bytes  {}", b.at, b.reason, b.bytes, b.path.display());
                }
            }
        }
        Command::Restore { file } => {
            let r = ops::restore(&db(&cli.db)?, &file)?;
            println!("{} を復元しました(復元前の状態: {})", r.restored.display(), r.saved.display());
        }
        Command::Charts {
            dir,
            format,
            kpis,
            year,
            dpi,
            year_labels,
            font,
        } => {
            let opts = ops::ChartOptions {
                svg: format == "svg",
                kpis,
                year,
                dpi,
                font,
                year_style: year_style(&year_labels),
            };
            let files = ops::charts(&db(&cli.db)?, plan, &dir, &opts)?;
            for f in &files {
                println!("{}", f.display());
            }
            println!("{} 件のグラフを書き出しました", files.len());
        }
        Command::ChartBook {
            file,
            paper,
            per_page,
            by,
            year,
            year_labels,
            font,
        } => {
            use shinchoku_core::chart::book::{BookOptions, GroupBy, Paper};
            let path = db(&cli.db)?;
            let year = match year {
                Some(y) => y,
                None => ops::load(&path, plan)?.report_year,
            };
            let opts = BookOptions {
                paper: if paper == "a3" { Paper::A3 } else { Paper::A4 },
                per_page: per_page.parse().unwrap_or(2),
                by: if by == "dept" { GroupBy::Department } else { GroupBy::Area },
                year,
                year_style: year_style(&year_labels),
                created: String::new(),
            };
            let n = ops::chart_book(&path, plan, &file, &opts, font.as_deref())?;
            println!("{} を書き出しました(KPI {n} 件)", file.display());
        }
        Command::Card {
            file,
            projects,
            year,
            font,
        } => {
            let n = ops::card(&db(&cli.db)?, plan, &file, &projects, year, font.as_deref())?;
            println!("{} を書き出しました(事業 {n} 件)", file.display());
        }
        Command::Report { file, year } => {
            let n = ops::report(&db(&cli.db)?, plan, &file, year)?;
            println!("{} を書き出しました(項目 {n} 件)", file.display());
        }
        Command::Dev(DevCommand::SampleReturns { dir }) => {
            let files = ops::sample_returns(&db(&cli.db)?, plan, &dir)?;
            println!("{} 件の記入済みファイルを書き出しました: {}", files.len(), dir.display());
        }
        Command::Dev(DevCommand::SaveField { path, text, dept }) => {
            let saved = ops::save_field(&db(&cli.db)?, &dept, None, &shinchoku_core::views::FieldEdit { path, text })?;
            println!("{}: 保存しました(履歴 #{})", saved.path, saved.revision_id);
        }
        Command::Round(RoundCommand::Open { year, due, title }) => {
            let r = ops::round_open(&db(&cli.db)?, plan, year, &due, title.as_deref())?;
            println!(
                "照会「{}」を開始しました(#{}、{}、期限 {})",
                r.title,
                r.id,
                FiscalYear(r.year).long(),
                r.due
            );
        }
        Command::Round(RoundCommand::Status { year, json }) => {
            let s = ops::round_status(&db(&cli.db)?, plan, year)?;
            if json {
                print_json(&s);
            } else {
                println!(
                    "照会「{}」({}、期限 {})",
                    s.round.title,
                    FiscalYear(s.round.year).long(),
                    s.round.due
                );
                for d in &s.departments {
                    println!(
                        "  {}  {}{}  ファイル {}  入力済 {} / 未入力 {}{}",
                        d.department,
                        ops::state_label(&d.state),
                        if d.overdue { "(期限超過)" } else { "" },
                        d.files,
                        d.filled,
                        d.empty,
                        d.last_file.as_deref().map(|f| format!("  最新: {f}")).unwrap_or_default()
                    );
                }
            }
        }
        Command::Round(RoundCommand::Remind { year, out }) => {
            let text = ops::round_remind(&db(&cli.db)?, plan, year)?;
            if let Some(path) = &out {
                ops::write_text(&db(&cli.db)?, path, &text)?;
            }
            println!("{text}");
        }
        Command::Round(RoundCommand::SendBack {
            department,
            note,
            out,
            jump_factor,
        }) => {
            let s = ops::round_send_back(&db(&cli.db)?, plan, &department, &note, &out, jump_factor)?;
            println!(
                "{}: {department}へ差し戻すファイルを書き出しました(指摘 {} 件)",
                s.file.display(),
                s.findings.len()
            );
            for f in &s.findings {
                println!("  事業番号 {} {}: {}", f.project, f.field, f.message);
            }
        }
        Command::Round(RoundCommand::Confirm { department }) => {
            ops::round_confirm(&db(&cli.db)?, plan, &department)?;
            println!("{department}を確定しました");
        }
        Command::Round(RoundCommand::Unlock { department, reason }) => {
            ops::round_unlock(&db(&cli.db)?, plan, &department, &reason)?;
            println!("{department}の確定を解除しました");
        }
        Command::Round(RoundCommand::Close) => {
            let s = ops::round_close(&db(&cli.db)?, plan)?;
            println!("照会「{}」を締め切りました", s.round.title);
        }
        Command::Dev(DevCommand::OpenReturn { file }) => {
            let o = ops::open_return_file(&db(&cli.db)?, &file)?;
            println!(
                "{}: {} {}(事業 {})を開きました{}",
                file.display(),
                o.department,
                FiscalYear(o.year).long(),
                o.projects,
                if o.signed { "" } else { "(署名なし)" }
            );
        }
        Command::Dev(DevCommand::SaveReturn { file, dept, year }) => {
            let w = ops::save_return(&db(&cli.db)?, &dept, year.map(|y| y.0), &file)?;
            println!("{} を保存しました", w.files.join(", "));
        }
        Command::Dev(DevCommand::ZipBomb { file, mib, tags }) => {
            let filler = if tags { hostile::Filler::Tags } else { hostile::Filler::Space };
            hostile::zip_bomb(&file, "取組一覧", mib, filler).map_err(|source| ops::Error::Io {
                path: file.clone(),
                source,
            })?;
            println!("{}: {mib} MiB に展開されるシート", file.display());
        }
        Command::Dev(DevCommand::ManyRows { file, rows }) => {
            hostile::many_rows(&file, "取組一覧", rows).map_err(|source| ops::Error::Io {
                path: file.clone(),
                source,
            })?;
            println!("{}: {rows} 行のシート", file.display());
        }
        Command::Dev(DevCommand::Synth { n, file }) => {
            let p = synth::synthetic_plan(n);
            xlsx::export_summary(&p, None, &file)?;
            println!(
                "{}: 架空の計画(事業 {} / 再掲 {} / KPI {})",
                file.display(),
                p.projects().count(),
                p.relistings().count(),
                p.kpis.len()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_merge(r: &ops::MergeReport) {
    for o in &r.files {
        println!(
            "{}: {}{}(反映 {} / 競合 {} / 変更なし {} / 反映済み {})",
            o.file,
            o.status.label(),
            o.department.as_deref().map(|d| format!("・{d}")).unwrap_or_default(),
            o.applied.len(),
            o.conflicts.len() + o.known_conflicts,
            o.unchanged,
            o.already
        );
        if !o.supersedes.is_empty() {
            println!("    再提出: {} を置き換え", o.supersedes.join("、"));
        }
        for a in &o.applied {
            println!(
                "    反映 {} 事業 {}{} {}: {} → {}{}",
                a.cell,
                a.project,
                a.kpi.map(|k| format!(" KPI {k}")).unwrap_or_default(),
                a.field,
                a.before.as_deref().unwrap_or("(空欄)"),
                a.after.as_deref().unwrap_or("(空欄)"),
                a.supersedes
                    .as_deref()
                    .map(|f| format!("(再提出: {f} の値を置き換え)"))
                    .unwrap_or_default()
            );
        }
        for (i, c) in o.conflicts.iter().enumerate() {
            let id = o.conflict_ids.get(i).map(|id| format!(" #{id}")).unwrap_or_default();
            print_conflict(&format!("    競合{id}"), c);
        }
        for w in &o.warnings {
            eprintln!("warning: {}: {w}", o.file);
        }
        for e in &o.errors {
            eprintln!("error: {}: {e}", o.file);
        }
    }
    let head = if r.dry_run { "試行(変更なし)" } else { "取りまとめ" };
    let skipped = r
        .files
        .iter()
        .filter(|o| o.status == shinchoku_core::returns::FileStatus::Skipped)
        .count();
    let not_owned: usize = r.files.iter().map(|o| o.not_owned).sum();
    println!(
        "{head}: 反映 {} 項目 / 新しい競合 {} 件 / 担当外で取り込まなかった値 {not_owned} 件 / 取りまとめ済み {skipped} ファイル / 却下 {} ファイル{}",
        r.applied,
        r.conflicts,
        r.rejected,
        r.revision_id.map(|id| format!("(履歴 #{id})")).unwrap_or_default()
    );
    if let Some(p) = &r.report {
        println!("結果: {}", p.display());
    }
}

/// A conflict: where, and the three values.
fn print_conflict(head: &str, c: &shinchoku_core::store::NewConflict) {
    println!(
        "{head} 事業 {}{} {}({} {})",
        c.project.as_deref().unwrap_or("-"),
        c.kpi.map(|k| format!(" KPI {k}")).unwrap_or_default(),
        c.field,
        c.department.as_deref().unwrap_or(""),
        c.cell.as_deref().unwrap_or("")
    );
    println!("    作成時: {}", c.base.as_deref().unwrap_or("(不明/空欄)"));
    println!("    計画  : {}", c.plan_value.as_deref().unwrap_or("(空欄)"));
    println!("    返送  : {}", c.return_value.as_deref().unwrap_or("(空欄)"));
}

fn pct(r: Option<f64>) -> String {
    r.map(|r| format!("{:.1}%", r * 100.0)).unwrap_or_else(|| "-".into())
}

fn print_summary(s: &Summary) {
    println!("{} {}({})", s.organization, s.title, s.year_label);
    println!("事業 {} / 再掲 {} / KPI {}", s.projects, s.relistings, s.kpis);
    let c = &s.evaluations;
    println!(
        "評価: ○ {}  △ {}  × {}  - {}  未入力 {}",
        c.achieved, c.partial, c.not_achieved, c.not_applicable, c.missing
    );
    println!("\n分野別");
    for a in &s.areas {
        let e = &a.evaluations;
        println!(
            "  {:<6} {:<24} 事業 {:>4}  ○ {:>3} △ {:>3} × {:>3} - {:>3} 未入力 {:>3}",
            a.code,
            a.name.as_deref().unwrap_or(""),
            a.projects,
            e.achieved,
            e.partial,
            e.not_achieved,
            e.not_applicable,
            e.missing
        );
    }
    println!("\n部別(共管は各部に計上)");
    for d in &s.departments {
        let e = &d.evaluations;
        println!(
            "  {:<12} 事業 {:>4}  ○ {:>3} △ {:>3} × {:>3} - {:>3} 未入力 {:>3}",
            d.department, d.projects, e.achieved, e.partial, e.not_achieved, e.not_applicable, e.missing
        );
    }
    println!("\nKPI 達成率");
    for k in &s.kpi_rates {
        println!(
            "  {:>3} {}  基準 {} / 目標 {} / 実績 {}  達成率 {}  提案 {}",
            k.no,
            k.name,
            k.baseline.as_deref().unwrap_or("-"),
            k.target.as_deref().unwrap_or("-"),
            k.actual.as_deref().unwrap_or("-"),
            pct(k.rate),
            k.proposed.map(|e| e.mark()).unwrap_or("-")
        );
    }
}
