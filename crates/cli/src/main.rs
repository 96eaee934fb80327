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
#[command(
    name = "shinchoku",
    version,
    about = "進捗 Shinchoku — DX計画の取組状況を管理する",
    long_about = None,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true
)]
struct Cli {
    /// データベースのファイル(既定: 環境変数 SHINCHOKU_DB、なければ利用者のデータフォルダの shinchoku.db)
    #[arg(long, global = true, value_name = "ファイル")]
    db: Option<PathBuf>,
    /// 対象の計画: 計画の番号か表題の一部(既定: 現在の計画)
    #[arg(long, global = true, value_name = "番号|表題")]
    plan: Option<String>,
    /// この説明を表示する
    #[arg(short, long, global = true, action = clap::ArgAction::Help)]
    help: Option<bool>,
    /// 版を表示する
    #[arg(short = 'V', long, action = clap::ArgAction::Version)]
    version: Option<bool>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// データベースを作る。--demo でデモ計画(福島・徳島・岡山・福岡)も読み込む
    Init {
        /// デモ計画も読み込む
        #[arg(long)]
        demo: bool,
    },
    /// 取組一覧の形式のブックを計画として取り込む(同じ計画があれば新しい版にする)
    Import {
        /// 取り込むブック(.xlsx)
        #[arg(value_name = "ファイル")]
        file: PathBuf,
        /// 団体名(ブックに書かれていないとき。例: 福島県)
        #[arg(long, value_name = "団体名")]
        organization: Option<String>,
        /// 出力時の基準がないブックで、前回の取り込み後に入力・取りまとめた値をブックの値に戻してよい
        /// (付けないときは、戻る項目を一覧にして何も取り込まない)
        #[arg(long)]
        replace_entered: bool,
        /// 県独自の様式のブックを、このレイアウトで読む: 組み込みの名前(総合戦略、取組一覧)か、
        /// `layout learn` で作った .toml
        #[arg(long, value_name = "レイアウト")]
        layout: Option<PathBuf>,
        /// 結果をJSONで出力する
        #[arg(long)]
        json: bool,
    },
    /// 計画の全項目を、履歴と同じ場所の名前と保存されたままの文字で一覧にする
    Fields {
        /// この文字で始まる場所だけ(例: kpi[5]、project[17].year[2023])
        #[arg(value_name = "場所")]
        prefix: Option<String>,
        /// 結果をJSONで出力する
        #[arg(long)]
        json: bool,
    },
    /// ブックを取り込まずに確認し、問題をシート名!セルで一覧にする
    Check {
        /// 対象のファイル
        #[arg(value_name = "ファイル")]
        file: PathBuf,
        /// 結果をJSONで出力する
        #[arg(long)]
        json: bool,
    },
    /// 取りまとめのブック(取組一覧・KPI推移・集計)を書き出す
    Export {
        /// 対象のファイル
        #[arg(value_name = "ファイル")]
        file: PathBuf,
        /// 年度: 2023、R5、令和5年度(既定: 計画の報告年度)
        #[arg(long, value_parser = parse_year, value_name = "年度")]
        year: Option<FiscalYear>,
        /// この様式で書き出す: 組み込みの名前(総合戦略、取組一覧)か、`layout learn` で作った
        /// .toml(既定: 計画を取り込んだときのレイアウト)
        #[arg(long, value_name = "レイアウト", conflicts_with = "year")]
        layout: Option<PathBuf>,
    },
    /// 計画の概要: 件数、分野別・部別の評価、KPIの達成率
    Show {
        /// 結果をJSONで出力する
        #[arg(long)]
        json: bool,
        /// 年度: 2023、R5、令和5年度(既定: 計画の報告年度)
        #[arg(long, value_parser = parse_year, value_name = "年度")]
        year: Option<FiscalYear>,
        /// 別の評価ルールで提案を見る(計画は変えない): ルール名か .toml のファイル
        #[arg(long, value_name = "ルール")]
        rule: Option<String>,
    },
    /// データベースの計画を一覧にする
    Plans {
        /// 結果をJSONで出力する
        #[arg(long)]
        json: bool,
    },
    /// 部ごとの記入用ファイルをフォルダに書き出す
    Templates {
        /// 書き出すフォルダ
        #[arg(value_name = "フォルダ")]
        dir: PathBuf,
        /// 年度: 2023、R5、令和5年度(既定: 計画の報告年度)
        #[arg(long, value_parser = parse_year, value_name = "年度")]
        year: Option<FiscalYear>,
        /// この部だけ(繰り返し指定できる)
        #[arg(long = "dept", value_name = "部")]
        depts: Vec<String>,
        /// フォルダにある同じ名前のファイルを置き換える(既定では残して何も書かない)
        #[arg(long)]
        overwrite: bool,
        /// 記入シートの見出しをこの様式の言葉で書く(施策、所管課、達成状況など): 組み込みの名前
        /// (総合戦略、取組一覧)か、`layout learn` で作った .toml(既定: 計画を取り込んだときのレイアウト)
        #[arg(long, value_name = "レイアウト")]
        layout: Option<PathBuf>,
        /// 結果をJSONで出力する
        #[arg(long)]
        json: bool,
    },
    /// 部からの返送を計画に取りまとめる(項目ごとに三者比較。競合は反映せず記録する)
    Merge {
        /// 返送されたファイル(複数可)
        #[arg(required = true, value_name = "ファイル")]
        files: Vec<PathBuf>,
        /// 結果だけを示し、何も変更しない
        #[arg(long)]
        dry_run: bool,
        /// 年度: 2023、R5、令和5年度(既定: 計画の報告年度)
        #[arg(long, value_parser = parse_year, value_name = "年度")]
        year: Option<FiscalYear>,
        /// 取りまとめ結果のブック(部への連絡用)も書き出す
        #[arg(long, value_name = "ファイル.xlsx")]
        report: Option<PathBuf>,
        /// 結果をJSONで出力する
        #[arg(long)]
        json: bool,
    },
    /// 未解決の競合を一覧にする(--all で解決済みも)
    Conflicts {
        /// 解決済みも表示する
        #[arg(long)]
        all: bool,
        /// 結果をJSONで出力する
        #[arg(long)]
        json: bool,
    },
    /// 競合を解決する: 計画の値を残す(plan)、返送の値を採る(return)、または値を指定する
    Resolve {
        /// 競合の番号
        #[arg(value_name = "番号")]
        id: i64,
        /// plan(計画の値)、return(返送の値)、またはその他の値
        #[arg(long, value_name = "plan|return|値")]
        take: String,
        /// 結果をJSONで出力する
        #[arg(long)]
        json: bool,
    },
    /// 計画の履歴(取込・取りまとめ・解決・取り消し)を一覧にする
    History {
        /// 結果をJSONで出力する
        #[arg(long)]
        json: bool,
    },
    /// 履歴を一つ取り消す(後の履歴で同じ項目が変わっていれば取り消さない)
    Undo {
        /// 履歴の番号
        #[arg(value_name = "番号")]
        revision: i64,
        /// 結果をJSONで出力する
        #[arg(long)]
        json: bool,
    },
    /// データベースのバックアップ(取込・取りまとめの前に作る)を一覧にする
    Backups {
        /// 結果をJSONで出力する
        #[arg(long)]
        json: bool,
    },
    /// バックアップから復元する(いまの状態も先にバックアップする)
    Restore {
        /// バックアップのファイル
        #[arg(value_name = "ファイル")]
        file: PathBuf,
    },
    /// KPIごとの推移グラフをフォルダに書き出す(印刷品質のPNG、またはSVG)
    Charts {
        /// 書き出すフォルダ
        #[arg(value_name = "フォルダ")]
        dir: PathBuf,
        /// 形式: png か svg(既定: png)
        #[arg(long, value_name = "形式", value_parser = ["png", "svg"], default_value = "png", hide_default_value = true, hide_possible_values = true)]
        format: String,
        /// このKPI番号だけ(繰り返し指定できる)
        #[arg(long = "kpi", value_name = "N")]
        kpis: Vec<u32>,
        /// 年度: 2023、R5、令和5年度(既定: 計画の報告年度)
        #[arg(long, value_parser = parse_year, value_name = "年度")]
        year: Option<FiscalYear>,
        /// PNGの解像度(既定: 300。A4の半ページに印刷する大きさ)
        #[arg(long, default_value_t = 300, hide_default_value = true, value_name = "DPI")]
        dpi: u32,
        /// 年度の表記: short(R5)か long(令和5年度)(既定: short)
        #[arg(long, value_name = "表記", value_parser = ["short", "long"], default_value = "short", hide_default_value = true, hide_possible_values = true)]
        year_labels: String,
        /// 描画に使う日本語フォントのファイル(既定: このパソコンから探す)
        #[arg(long, value_name = "ファイル")]
        font: Option<PathBuf>,
    },
    /// 事業カード(主な指標及び工程: KGI、CSFとKPIの表、課題とアクション、取組内容、予算)を書き出す。
    /// .xlsx(事業ごとに1シート)か .pdf(KPIのグラフを表の横に)、A4縦
    Card {
        /// 対象のファイル
        #[arg(value_name = "ファイル")]
        file: PathBuf,
        /// この事業番号だけ(繰り返し指定できる。既定: 全事業を計画の順に)
        #[arg(long = "project", value_name = "事業番号")]
        projects: Vec<String>,
        /// 取組内容と予算の年度: 2023、R5、令和5年度(既定: 計画の報告年度)
        #[arg(long, value_parser = parse_year, value_name = "年度")]
        year: Option<FiscalYear>,
        /// PDFに使う日本語フォントのファイル(既定: このパソコンから探す)
        #[arg(long, value_name = "ファイル")]
        font: Option<PathBuf>,
    },
    /// 進捗の報告書(現戦略の取組状況)をWordの文書に書き出す: 項目ごとに現状・課題と取組状況
    Report {
        /// 対象のファイル
        #[arg(value_name = "ファイル")]
        file: PathBuf,
        /// KPIから引用する数値はこの年度までの最新の実績(既定: 報告年度)
        #[arg(long, value_parser = parse_year, value_name = "年度")]
        year: Option<FiscalYear>,
    },
    /// 会議用のグラフ集(PDF)を書き出す: 表紙、分野別または部局別のKPIグラフ、ページ番号
    ChartBook {
        /// 対象のファイル
        #[arg(value_name = "ファイル")]
        file: PathBuf,
        /// 用紙: a4 か a3(既定: a4)
        #[arg(long, value_name = "用紙", value_parser = ["a4", "a3"], default_value = "a4", hide_default_value = true, hide_possible_values = true)]
        paper: String,
        /// 1ページのグラフの数: 1、2、4(既定: 2)
        #[arg(long, value_name = "枚数", value_parser = ["1", "2", "4"], default_value = "2", hide_default_value = true, hide_possible_values = true)]
        per_page: String,
        /// まとめ方: area(分野別)か dept(部局別)(既定: area)
        #[arg(long, value_name = "まとめ方", value_parser = ["area", "dept"], default_value = "area", hide_default_value = true, hide_possible_values = true)]
        by: String,
        /// 年度: 2023、R5、令和5年度(既定: 計画の報告年度)
        #[arg(long, value_parser = parse_year, value_name = "年度")]
        year: Option<FiscalYear>,
        /// 年度の表記: short(R5)か long(令和5年度)(既定: short)
        #[arg(long, value_name = "表記", value_parser = ["short", "long"], default_value = "short", hide_default_value = true, hide_possible_values = true)]
        year_labels: String,
        /// 描画に使う日本語フォントのファイル(既定: このパソコンから探す)
        #[arg(long, value_name = "ファイル")]
        font: Option<PathBuf>,
    },
    /// 照会: 返送の有無、督促、差戻し、確定
    #[command(subcommand)]
    Round(RoundCommand),
    /// 評価ルール: 一覧と切り替え(maru、ratio-abcd、progress-abcd、kitaichi、ファイル)
    #[command(subcommand)]
    Rule(RuleCommand),
    /// レイアウト: 県独自のKPIの表の様式をブックから読み取る
    #[command(subcommand)]
    Layout(LayoutCommand),
    /// 目標値の改定(当初の目標値と改定の履歴は残る)
    #[command(subcommand)]
    Target(TargetCommand),
    /// 年度: 次の報告年度を始める
    #[command(subcommand)]
    Year(YearCommand),
    /// 事業の状態: 新規・終了・統合・分割
    #[command(subcommand)]
    Project(ProjectCommand),
    /// 開発用の道具
    #[command(subcommand)]
    Dev(DevCommand),
}

#[derive(Subcommand)]
enum LayoutCommand {
    /// ブックの見出しから、どの列がどの項目かを読み取り、レイアウトのファイル(.toml)に書く
    Learn {
        /// 様式のブック(.xlsx)
        #[arg(value_name = "ファイル")]
        file: PathBuf,
        /// 読むシート(既定: 見出しが見つかった最初のシート)
        #[arg(long, value_name = "シート")]
        sheet: Option<String>,
        /// 書き出すレイアウトのファイル(.toml)
        #[arg(long, value_name = "ファイル")]
        out: PathBuf,
    },
    /// 組み込みのレイアウトのファイルを表示する(写して直せば、`--layout ファイル` で自分の様式になる)
    Show {
        /// 取組一覧 か 総合戦略
        #[arg(value_name = "レイアウト名")]
        name: String,
    },
}

#[derive(Subcommand)]
enum RuleCommand {
    /// 評価ルールの一覧(* が計画で使っているもの)
    List,
    /// 計画の評価ルールを切り替える(入力済みの評価はそのまま)
    Use {
        /// 組み込みのルール: maru、ratio-abcd、progress-abcd、kitaichi
        #[arg(value_name = "ルール名", required_unless_present = "file")]
        name: Option<String>,
        /// ルールのファイル(TOML: name、measure、[[band]])
        #[arg(long, value_name = "ファイル", conflicts_with = "name")]
        file: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum TargetCommand {
    /// KPIの目標値を改定する(改定より前に評価した年度は当初の目標値のまま)
    Set {
        /// KPI番号
        #[arg(value_name = "KPI番号")]
        kpi: u32,
        /// 改定する目標値の年度: 2025、R7、令和7年度
        #[arg(long, value_parser = parse_year, value_name = "年度")]
        year: FiscalYear,
        /// 新しい目標値(例: 90%、4以上)
        #[arg(long, value_name = "目標値")]
        value: String,
        /// 改定の理由
        #[arg(long, value_name = "理由")]
        reason: Option<String>,
        /// 新しい目標値で評価する最初の報告年度(既定: 計画の報告年度)
        #[arg(long, value_parser = parse_year, value_name = "年度")]
        from: Option<FiscalYear>,
    },
}

#[derive(Subcommand)]
enum YearCommand {
    /// 次の報告年度を始める(値は写さない。前年度の取組状況と評価は記入用ファイルと年度入力に「前年度」として出る)
    Start {
        /// 新しい報告年度: 2024、R6、令和6年度
        #[arg(value_parser = parse_year, value_name = "年度")]
        year: FiscalYear,
    },
}

#[derive(Subcommand)]
enum ProjectCommand {
    /// 事業の新規・終了・統合・分割を設定する
    Status {
        /// 事業番号
        #[arg(value_name = "事業番号")]
        no: String,
        /// 新規: この年度から始まる
        #[arg(long = "new", value_parser = parse_year, value_name = "年度")]
        start: Option<FiscalYear>,
        /// 終了: この年度で終わる(次の年度からは照会しない・数えない)
        #[arg(long, value_parser = parse_year, value_name = "年度")]
        end: Option<FiscalYear>,
        /// 統合・分割元の事業番号(カンマ区切り。2つ以上で統合、1つで継承・分割)
        #[arg(long = "from", value_name = "事業番号", value_delimiter = ',')]
        origin: Option<Vec<String>>,
        /// 継続に戻す(新規・終了を消す)
        #[arg(long)]
        ongoing: bool,
    },
}

#[derive(Subcommand)]
enum RoundCommand {
    /// 年度の照会を開始する(計画と年度ごとに一つ。開いている間に書き出す記入用ファイルはこの照会のものになる)
    Open {
        /// 年度: 2023、R5、令和5年度(既定: 計画の報告年度)
        #[arg(long, value_parser = parse_year, value_name = "年度")]
        year: Option<FiscalYear>,
        /// 期限: 2024-05-31、R6.5.31、令和6年5月31日
        #[arg(long, value_name = "日付")]
        due: String,
        /// 照会の件名
        #[arg(long, value_name = "件名")]
        title: Option<String>,
    },
    /// 照会の状況: 部ごとの状態、期限超過、受け取ったファイル、入力済・未入力の項目
    Status {
        /// 年度: 2023、R5、令和5年度(既定: 計画の報告年度)
        #[arg(long, value_parser = parse_year, value_name = "年度")]
        year: Option<FiscalYear>,
        /// 結果をJSONで出力する
        #[arg(long)]
        json: bool,
    },
    /// 未提出の部への督促の文面(部ごとに足りない項目つき)
    Remind {
        /// 年度: 2023、R5、令和5年度(既定: 計画の報告年度)
        #[arg(long, value_parser = parse_year, value_name = "年度")]
        year: Option<FiscalYear>,
        /// このファイルにも書き出す
        #[arg(long, value_name = "ファイル")]
        out: Option<PathBuf>,
    },
    /// 差戻し: 問題の箇所に印を付け、指摘事項のシートを添えて部の記入用ファイルを書き出す
    SendBack {
        /// 部の名前
        #[arg(value_name = "部")]
        department: String,
        /// 部への連絡事項
        #[arg(long, default_value = "", hide_default_value = true, value_name = "文")]
        note: String,
        /// 書き出すファイル
        #[arg(long, value_name = "ファイル")]
        out: PathBuf,
        /// 前年度からこの倍率以上変わった値には変動要因を求める(既定: 10)
        #[arg(long, default_value_t = 10.0, hide_default_value = true, value_name = "倍率")]
        jump_factor: f64,
    },
    /// 確定: この照会でその部から後に届く返送は受け付けない
    Confirm {
        /// 部の名前
        #[arg(value_name = "部")]
        department: String,
    },
    /// 確定を解除する(理由は履歴に残る)
    Unlock {
        /// 部の名前
        #[arg(value_name = "部")]
        department: String,
        /// 解除の理由
        #[arg(long, value_name = "理由")]
        reason: String,
    },
    /// 照会を締め切る(記録は履歴に残る)
    Close,
}

#[derive(Subcommand)]
enum DevCommand {
    /// 事業 N 件の架空の計画を取りまとめのブックとして書き出す(性能測定用)
    Synth {
        /// 事業の数
        #[arg(value_name = "N")]
        n: usize,
        /// 書き出すブック
        #[arg(value_name = "ファイル")]
        file: PathBuf,
    },
    /// 記入済みの返送(取組状況をすべて書き換えたもの)をアプリと同じ形でフォルダに書き出す
    SampleReturns {
        /// 書き出すフォルダ
        #[arg(value_name = "フォルダ")]
        dir: PathBuf,
    },
    /// アプリの年度入力と同じように一項目を保存する(異常終了の試験用)。
    /// 場所は project[3].year[2023].narrative のように指定する
    SaveField {
        /// 項目の場所
        #[arg(value_name = "場所")]
        path: String,
        /// 保存する値
        #[arg(value_name = "値")]
        text: String,
        /// 部の名前
        #[arg(long, value_name = "部")]
        dept: String,
    },
    /// アプリの「記入用ファイルを開く」と同じように記入用ファイルを開く
    OpenReturn {
        /// 記入用ファイル
        #[arg(value_name = "ファイル")]
        file: PathBuf,
    },
    /// アプリの「提出用ファイルを保存」と同じように部の返送を保存する
    SaveReturn {
        /// 対象のファイル
        #[arg(value_name = "ファイル")]
        file: PathBuf,
        /// 部の名前
        #[arg(long, value_name = "部")]
        dept: String,
        /// 年度: 2023、R5、令和5年度(既定: 計画の報告年度)
        #[arg(long, value_parser = parse_year, value_name = "年度")]
        year: Option<FiscalYear>,
    },
    /// 展開すると MIB メビバイトになる小さな .xlsx を書き出す(堅牢性の測定用)
    ZipBomb {
        /// 対象のファイル
        #[arg(value_name = "ファイル")]
        file: PathBuf,
        #[arg(long, default_value_t = 3072)]
        mib: u32,
        /// 空白の代わりに空の要素(<a/>)で埋める
        #[arg(long)]
        tags: bool,
    },
    /// ROWS 行のシートを持つ .xlsx を書き出す(堅牢性の測定用)
    ManyRows {
        /// 対象のファイル
        #[arg(value_name = "ファイル")]
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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return arguments_error(&e),
    };
    let database = db(&cli.db).ok();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            let e = match &database {
                Some(path) => e.at(path),
                None => e,
            };
            if let Some(file) = e.file() {
                let n = e.problems().len();
                eprintln!("エラー: {file}: 何も取り込んでいません。ブックで直す箇所が {n} 件あります:");
            }
            for p in e.problems() {
                eprintln!("エラー: {p}");
            }
            if e.is_bad_input() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

/// `--help`, `--version` and mistakes in the arguments, in Japanese: clap's own words are
/// English, so its help is printed with its headings translated and its errors are said anew.
fn arguments_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind as K;
    match e.kind() {
        K::DisplayHelp | K::DisplayVersion => {
            println!("{}", japanese_help(&e.render().to_string()).trim_end());
            ExitCode::SUCCESS
        }
        K::DisplayHelpOnMissingArgumentOrSubcommand | K::MissingSubcommand => {
            eprintln!("{}", japanese_help(&e.render().to_string()).trim_end());
            ExitCode::from(2)
        }
        _ => {
            eprintln!("エラー: {}", arguments_message(e));
            eprintln!("使い方は `shinchoku --help`(コマンドごとには `shinchoku コマンド --help`)で確認できます");
            ExitCode::from(2)
        }
    }
}

/// clap's help with its English headings and notes in Japanese.
fn japanese_help(text: &str) -> String {
    const WORDS: &[(&str, &str)] = &[
        ("Usage:", "使い方:"),
        ("[OPTIONS]", "[オプション]"),
        ("<COMMAND>", "<コマンド>"),
        ("[COMMAND]", "[コマンド]"),
        ("Commands:", "コマンド:"),
        ("Arguments:", "引数:"),
        ("Options:", "オプション:"),
        ("[default: ", "[既定: "),
        ("[possible values: ", "[選べる値: "),
        ("Print help (see more with '--help')", "この説明を表示する"),
        ("Print help", "この説明を表示する"),
        ("Print version", "版を表示する"),
    ];
    let mut out = text.to_string();
    for (en, ja) in WORDS {
        out = out.replace(en, ja);
    }
    out
}

/// What is wrong with the arguments, in Japanese.
fn arguments_message(e: &clap::Error) -> String {
    use clap::error::{ContextKind as C, ContextValue as V, ErrorKind as K};
    let get = |kind: C| -> String {
        match e.get(kind) {
            Some(V::String(s)) => s.clone(),
            Some(V::Strings(v)) => v.join("、"),
            Some(V::StyledStr(s)) => s.to_string(),
            Some(V::StyledStrs(v)) => v.iter().map(ToString::to_string).collect::<Vec<_>>().join("、"),
            Some(V::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    };
    let (arg, value) = (get(C::InvalidArg), get(C::InvalidValue));
    let suggested: Vec<String> = [C::SuggestedSubcommand, C::SuggestedArg]
        .into_iter()
        .flat_map(|k| match e.get(k) {
            Some(V::String(s)) => vec![s.clone()],
            Some(V::Strings(v)) => v.clone(),
            _ => Vec::new(),
        })
        .map(|s| format!("`{s}`"))
        .collect();
    let suggestion = if suggested.is_empty() {
        String::new()
    } else {
        format!("(もしかして {})", suggested.join("、"))
    };
    match e.kind() {
        K::UnknownArgument => format!("「{arg}」というオプションや引数はありません{suggestion}"),
        K::InvalidSubcommand => format!("「{}」というコマンドはありません{suggestion}", get(C::InvalidSubcommand)),
        K::InvalidValue if value.is_empty() => format!("{arg} の値を指定してください"),
        K::InvalidValue => format!("{arg} に「{value}」は指定できません(選べる値: {})", get(C::ValidValue)),
        K::ValueValidation => {
            let why = std::error::Error::source(e).map(ToString::to_string).unwrap_or_default();
            if why.is_empty() || !shinchoku_core::text::is_japanese_message(&why) {
                format!("{arg} の値「{value}」を読めません")
            } else {
                format!("{arg}: {why}")
            }
        }
        K::MissingRequiredArgument => format!("{arg} を指定してください"),
        K::ArgumentConflict => format!("{arg} と {} は同時に指定できません", get(C::PriorArg)),
        K::TooManyValues | K::WrongNumberOfValues => format!("余分な引数「{value}」があります"),
        K::NoEquals => format!("{arg} は = で値を続けてください"),
        K::InvalidUtf8 => "引数に読めない文字が含まれています".to_string(),
        _ => "コマンドの指定が正しくありません".to_string(),
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
            layout: Some(layout),
            json,
            ..
        } if !ops::is_summary(&layout) => {
            let r = ops::import_with_layout(&db(&cli.db)?, &file, &layout, organization.as_deref())?;
            if json {
                print_json(&r);
            } else {
                println!(
                    "{}: 計画 #{}「{}」を{}(分野 {} / KPI {}、変更 {} 項目、履歴 #{})",
                    r.file,
                    r.plan_id,
                    r.title,
                    if r.created {
                        "新規に取り込みました"
                    } else {
                        "更新しました"
                    },
                    r.areas,
                    r.kpis,
                    r.fields_changed,
                    r.revision_id
                );
            }
        }
        Command::Layout(LayoutCommand::Learn { file, sheet, out }) => {
            let l = ops::layout_learn(&file, sheet.as_deref(), &out)?;
            for line in l.report() {
                println!("{line}");
            }
            println!("レイアウトを {} に書き出しました", out.display());
        }
        Command::Layout(LayoutCommand::Show { name }) => {
            print!("{}", ops::layout_text(&name)?);
        }
        // No layout, or the summary workbook's own (`--layout 取組一覧`).
        Command::Import {
            file,
            organization,
            replace_entered,
            json,
            layout: _,
        } => {
            let path = db(&cli.db)?;
            let r = ops::import(&path, &file, organization.as_deref(), replace_entered)?;
            if json {
                print_json(&r);
            } else {
                for w in &r.warnings {
                    eprintln!("注意: {w}");
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
                    eprintln!("注意: {w}");
                }
                println!("{}: OK(事業 {} / 再掲 {} / KPI {})", r.file, r.projects, r.relistings, r.kpis);
            } else {
                if r.problems.iter().any(|p| !p.sheet.is_empty()) {
                    eprintln!("エラー: {}: ブックで直す箇所が {} 件あります:", r.file, r.problems.len());
                }
                for p in &r.problems {
                    eprintln!("エラー: {p}");
                }
            }
            return Ok(if r.ok { ExitCode::SUCCESS } else { ExitCode::from(2) });
        }
        Command::Export { file, year, layout } => {
            let path = db(&cli.db)?;
            match layout {
                Some(l) => ops::export_with_layout(&path, plan, &l, &file)?,
                None => ops::export(&path, plan, &file, year)?,
            }
            println!("{} を書き出しました", file.display());
        }
        Command::Show { json, year, rule } => {
            let path = db(&cli.db)?;
            let s = match rule.as_deref() {
                None => ops::show(&path, plan, year)?,
                Some(r) if r.ends_with(".toml") => ops::show_with_rule(&path, plan, year, &ops::RuleChoice::File(std::path::Path::new(r)))?,
                Some(r) => ops::show_with_rule(&path, plan, year, &ops::RuleChoice::Builtin(r))?,
            };
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
            layout,
            json,
        } => {
            let r = ops::templates(&db(&cli.db)?, plan, &dir, year, &depts, overwrite, layout.as_deref())?;
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
                    eprintln!("注意: 担当部のない事業 {} 件はどのファイルにも含まれません", r.without_department);
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
                        r.id,
                        r.at,
                        shinchoku_core::views::kind_label(&r.kind),
                        r.fields_changed,
                        r.summary
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
                    println!(
                        "{}  {:<10} {:>9} バイト  {}",
                        b.at,
                        shinchoku_core::views::backup_reason_label(&b.reason),
                        b.bytes,
                        b.path.display()
                    );
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
        Command::Rule(RuleCommand::List) => {
            for r in ops::rules(&db(&cli.db)?, plan)? {
                println!(
                    "{} {:<14} {}  [{}]",
                    if r.current { "*" } else { " " },
                    r.name,
                    r.description,
                    r.marks.join(" ")
                );
            }
        }
        Command::Rule(RuleCommand::Use { name, file }) => {
            let choice = match (&file, &name) {
                (Some(f), _) => ops::RuleChoice::File(f),
                (None, Some(n)) => ops::RuleChoice::Builtin(n),
                (None, None) => return Err(ops::Error::BadInput("ルール名か --file を指定してください".into())),
            };
            let r = ops::rule_use(&db(&cli.db)?, plan, &choice)?;
            println!("評価ルールを「{}」にしました: {}  [{}]", r.name, r.description, r.marks.join(" "));
        }
        Command::Target(TargetCommand::Set {
            kpi,
            year,
            value,
            reason,
            from,
        }) => {
            let t = ops::target_set(&db(&cli.db)?, plan, kpi, year, &value, reason.as_deref(), from)?;
            println!(
                "KPI {} の{}の目標値を {} → {} に改定しました({}の評価から。履歴 #{})",
                t.kpi,
                t.year,
                t.previous.as_deref().unwrap_or("(なし)"),
                t.value,
                t.from,
                t.revision_id
            );
        }
        Command::Year(YearCommand::Start { year }) => {
            let y = ops::year_start(&db(&cli.db)?, plan, year)?;
            println!(
                "{}を開始しました(前年度 {})。照会する事業 {} 件、前年度で終了した事業 {} 件",
                y.to, y.from, y.projects, y.ended
            );
        }
        Command::Project(ProjectCommand::Status {
            no,
            start,
            end,
            origin,
            ongoing,
        }) => {
            let change = ops::StatusChange {
                start,
                end,
                origin,
                ongoing,
            };
            let note = ops::project_status(&db(&cli.db)?, plan, &no, &change)?;
            println!("No.{no}: {}", note.unwrap_or_else(|| "継続".into()));
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
            eprintln!("注意: {}: {w}", o.file);
        }
        for e in &o.errors {
            eprintln!("エラー: {}: {e}", o.file);
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

fn print_summary(s: &Summary) {
    println!("{} {}({})", s.organization, s.title, s.year_label);
    println!("事業 {} / 再掲 {} / KPI {}", s.projects, s.relistings, s.kpis);
    let marks = |c: &shinchoku_core::summary::Counts| {
        let mut parts: Vec<String> = c.marks.iter().map(|(m, n)| format!("{m} {n:>3}")).collect();
        parts.push(format!("未入力 {:>3}", c.missing));
        parts.join(" ")
    };
    println!("評価(ルール {}): {}", s.rule, marks(&s.evaluations));
    println!("\n分野別");
    for a in &s.areas {
        println!(
            "  {:<6} {:<24} 事業 {:>4}  {}",
            a.code,
            a.name.as_deref().unwrap_or(""),
            a.projects,
            marks(&a.evaluations)
        );
    }
    println!("\n部別(共管は各部に計上)");
    for d in &s.departments {
        println!("  {:<12} 事業 {:>4}  {}", d.department, d.projects, marks(&d.evaluations));
    }
    println!("\nKPI 達成率");
    for k in &s.kpi_rates {
        println!(
            "  {:>3} {}  基準 {} / 目標 {}{} / 実績 {}  達成率 {}  提案 {}",
            k.no,
            k.name,
            k.baseline.as_deref().unwrap_or("-"),
            k.target.as_deref().unwrap_or("-"),
            k.original_target.as_deref().map(|o| format!("(当初 {o})")).unwrap_or_default(),
            k.actual.as_deref().unwrap_or("-"),
            k.rate_label.as_deref().unwrap_or("-"),
            k.proposed
        );
    }
    if !s.differences.is_empty() {
        println!("\n評価がKPIからの提案と異なる事業");
        for d in &s.differences {
            println!(
                "  No.{} {}  評価 {} / 提案 {}  理由: {}",
                d.no,
                d.name,
                d.evaluation,
                d.proposed,
                d.reason.as_deref().unwrap_or("(記載なし)")
            );
        }
    }
}
