//! `shinchoku`: parse the arguments, call the core, print. No logic of its own.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use shinchoku_core::ops::{self, Error};
use shinchoku_core::summary::Summary;
use shinchoku_core::{store::Store, synth, xlsx, FiscalYear};

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
    /// Developer tools.
    #[command(subcommand)]
    Dev(DevCommand),
}

#[derive(Subcommand)]
enum DevCommand {
    /// Write the deterministic synthetic plan of N projects as a summary workbook.
    Synth { n: usize, file: PathBuf },
}

fn parse_year(s: &str) -> Result<FiscalYear, String> {
    FiscalYear::parse(s).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
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

fn print_json<T: serde::Serialize>(v: &T) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
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
        Command::Import { file, organization, json } => {
            let path = db(&cli.db)?;
            let r = ops::import(&path, &file, organization.as_deref())?;
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
                println!(
                    "{}: 計画 #{}「{}」を{verb}(事業 {} / 再掲 {} / KPI {}、変更 {} 項目、履歴 #{})",
                    r.file,
                    r.saved.plan_id,
                    r.saved.title,
                    r.saved.projects,
                    r.saved.relistings,
                    r.saved.kpis,
                    r.saved.fields_changed,
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
