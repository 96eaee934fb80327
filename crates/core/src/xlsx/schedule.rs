//! The `工程表` sheet of the summary workbook (Okayama seed 003,
//! 【主な取組スケジュール】): one row per activity, the fiscal years as columns, a
//! span drawn as one filled merged cell holding its label, a milestone as one
//! cell marked ★ (県) or ● (国). Written by `export`, read back by `import`.

use std::collections::HashMap;

use rust_xlsxwriter::{Color, FormatAlign, FormatBorder, Worksheet, XlsxError};

use super::export::{base_format, header_format};
use super::import::Grid;
use super::{Problem, SHEET_SCHEDULE};
use crate::fy::FiscalYear;
use crate::model::{Actor, Plan, Progress, ScheduleRow};

/// Columns before the years.
const HEAD: [&str; 5] = ["分野", "テーマ", "項目", "主体", "種別"];
const TAIL: [&str; 2] = ["備考", "進捗"];
const HEADER_ROW: u32 = 3;
const SPAN: &str = "期間";
const MILESTONE: &str = "時点";

const FILL_PREFECTURE: u32 = 0xBDD7EE;
const FILL_NATION: u32 = 0xC6E0B4;
const FILL_DONE: u32 = 0xD9D9D9;
const FILL_DELAYED: u32 = 0xF8CBAD;

/// The year columns of a schedule: every year from the first to the last the plan
/// or its rows mention.
pub fn schedule_years(plan: &Plan) -> Vec<FiscalYear> {
    let ys = plan
        .fiscal_years
        .iter()
        .copied()
        .chain(plan.schedule.iter().flat_map(|r| [r.start, r.end]));
    match (ys.clone().min(), ys.max()) {
        (Some(a), Some(b)) => (a.0..=b.0).map(FiscalYear).collect(),
        _ => Vec::new(),
    }
}

/// `(1) 重点取組事項`: a code and its name as one cell.
fn code_name(code: &str, name: Option<&str>) -> String {
    match name {
        Some(n) if !n.is_empty() => format!("{code} {n}"),
        _ => code.to_string(),
    }
}

/// What a milestone's cell says: its mark and label.
pub fn milestone_text(r: &ScheduleRow) -> String {
    format!("{}{}", r.actor.mark(), r.label)
}

pub(crate) fn write_schedule_sheet(ws: &mut Worksheet, plan: &Plan) -> Result<(), XlsxError> {
    ws.set_name(SHEET_SCHEDULE)?;
    let years = schedule_years(plan);
    let ny = years.len() as u16;
    let first_year = HEAD.len() as u16;
    let note_col = first_year + ny;
    let text = base_format()
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin);
    ws.write_with_format(
        0,
        0,
        format!("【主な取組スケジュール】{}", plan.title),
        &base_format().set_bold().set_font_size(12),
    )?;
    ws.write_with_format(
        1,
        0,
        "★県の取組　●国の取組　塗りつぶし: 実施期間(青: 県、緑: 国、灰: 完了、橙: 遅延)",
        &base_format(),
    )?;
    let head = header_format();
    for (i, h) in HEAD.iter().enumerate() {
        ws.write_with_format(HEADER_ROW, i as u16, *h, &head)?;
    }
    for (i, y) in years.iter().enumerate() {
        ws.write_with_format(HEADER_ROW, first_year + i as u16, format!("{}年度", y.short()), &head)?;
    }
    for (i, h) in TAIL.iter().enumerate() {
        ws.write_with_format(HEADER_ROW, note_col + i as u16, *h, &head)?;
    }
    ws.set_column_width(0, 16)?;
    ws.set_column_width(1, 22)?;
    ws.set_column_width(2, 18)?;
    ws.set_column_width(3, 6)?;
    ws.set_column_width(4, 6)?;
    for i in 0..ny {
        ws.set_column_width(first_year + i, 16)?;
    }
    ws.set_column_width(note_col, 16)?;
    ws.set_column_width(note_col + 1, 7)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    ws.set_freeze_panes(HEADER_ROW + 1, first_year)?;

    let area_text = |r: &ScheduleRow| code_name(&r.area, plan.area(&r.area).and_then(|a| a.name.as_deref()));
    let theme_text = |r: &ScheduleRow| match &r.item {
        Some(it) => code_name(it, plan.item_name(&r.area, Some(it))),
        None => String::new(),
    };
    let rows = &plan.schedule;
    let first_row = HEADER_ROW + 1;
    for (i, r) in rows.iter().enumerate() {
        let row = first_row + i as u32;
        ws.write_with_format(row, 3, r.actor.label(), &text.clone().set_align(FormatAlign::Center))?;
        ws.write_with_format(
            row,
            4,
            if r.milestone { MILESTONE } else { SPAN },
            &text.clone().set_align(FormatAlign::Center),
        )?;
        for c in 0..ny {
            ws.write_blank(row, first_year + c, &text)?;
        }
        let (Some(a), Some(b)) = (years.iter().position(|y| *y == r.start), years.iter().position(|y| *y == r.end)) else {
            continue;
        };
        let (a, b) = (first_year + a as u16, first_year + b as u16);
        if r.milestone {
            ws.write_with_format(row, a, milestone_text(r), &text.clone().set_bold())?;
        } else {
            let fill = match (r.progress, r.actor) {
                (Some(Progress::Done), _) => FILL_DONE,
                (Some(Progress::Delayed), _) => FILL_DELAYED,
                (None, Actor::Nation) => FILL_NATION,
                (None, Actor::Prefecture) => FILL_PREFECTURE,
            };
            let f = text.clone().set_background_color(Color::RGB(fill)).set_align(FormatAlign::Center);
            if a == b {
                ws.write_with_format(row, a, &r.label, &f)?;
            } else {
                ws.merge_range(row, a, row, b, &r.label, &f)?;
            }
        }
        ws.write_with_format(row, note_col, r.note.as_deref().unwrap_or(""), &text)?;
        ws.write_with_format(
            row,
            note_col + 1,
            r.progress.map(Progress::label).unwrap_or(""),
            &text.clone().set_align(FormatAlign::Center),
        )?;
        ws.set_row_height(row, 30)?;
    }
    // 分野, テーマ and 項目 merged down over the rows that share them; a theme's run
    // never crosses its area's, a group's never crosses its theme's.
    for col in 0..3u16 {
        let key = |r: &ScheduleRow| {
            let mut k = vec![r.area.as_str()];
            if col >= 1 {
                k.push(r.item.as_deref().unwrap_or(""));
            }
            if col >= 2 {
                k.push(r.group.as_deref().unwrap_or(""));
            }
            k.join("\u{1f}")
        };
        let shown = |r: &ScheduleRow| match col {
            0 => area_text(r),
            1 => theme_text(r),
            _ => r.group.clone().unwrap_or_default(),
        };
        let mut start = 0;
        while start < rows.len() {
            let mut end = start;
            while end + 1 < rows.len() && key(&rows[end + 1]) == key(&rows[start]) {
                end += 1;
            }
            let (r0, r1) = (first_row + start as u32, first_row + end as u32);
            let value = shown(&rows[start]);
            if r0 == r1 {
                ws.write_with_format(r0, col, &value, &text)?;
            } else {
                ws.merge_range(r0, col, r1, col, &value, &text)?;
            }
            start = end + 1;
        }
    }
    Ok(())
}

/// Reads the `工程表` sheet into `plan.schedule`; every problem named by its cell.
pub(crate) fn read_schedule_sheet(g: &Grid, plan: &mut Plan, problems: &mut Vec<Problem>) {
    let Some(header) = (0..g.rows().min(12)).find(|r| (0..g.width()).any(|c| g.get(*r, c).text().as_deref() == Some("主体"))) else {
        problems.push(Problem {
            sheet: g.name.clone(),
            cell: None,
            message: "分野・テーマ・項目・主体・種別と各年度が並んだ見出しの行がありません".into(),
        });
        return;
    };
    let mut cols: HashMap<&str, u32> = HashMap::new();
    let mut years: Vec<(u32, FiscalYear)> = Vec::new();
    for c in 0..g.width() {
        let Some(t) = g.get(header, c).text() else { continue };
        if let Some(h) = HEAD.iter().chain(TAIL.iter()).find(|h| **h == t.trim()) {
            cols.insert(h, c);
        } else if let Ok(y) = FiscalYear::parse(t.trim()) {
            years.push((c, y));
        } else {
            problems.push(g.problem(
                header,
                c,
                format!("「{t}」は工程表の列ではありません(分野・テーマ・項目・主体・種別・各年度・備考・進捗)"),
            ));
        }
    }
    for h in HEAD {
        if !cols.contains_key(h) {
            problems.push(g.problem(header, 0, format!("「{h}」の列がありません")));
        }
    }
    if years.is_empty() {
        problems.push(g.problem(header, 0, "年度の列がありません(R3年度、令和3年度、2021 など)"));
    }
    if !problems.is_empty() {
        return;
    }
    let text = |r: u32, c: Option<&u32>| {
        c.and_then(|c| g.get(r, *c).text())
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    };
    let mut out = Vec::new();
    for r in header + 1..g.rows() {
        let cells: Vec<(u32, FiscalYear, String)> = years
            .iter()
            .filter_map(|(c, y)| g.get(r, *c).text().map(|t| (*c, *y, t.trim().to_string())))
            .filter(|x| !x.2.is_empty())
            .collect();
        let area_cell = text(r, cols.get("分野"));
        if cells.is_empty() && area_cell.is_none() && text(r, cols.get("主体")).is_none() {
            continue; // a blank row
        }
        let before = problems.len();
        let at = |name: &str| *cols.get(name).unwrap_or(&0);
        // 分野 and テーマ: the code before the first space must be the plan's.
        let code = |t: &str| t.split([' ', '\u{3000}']).next().unwrap_or("").to_string();
        let area = match &area_cell {
            Some(t) if plan.area(&code(t)).is_some() => code(t),
            Some(t) => {
                problems.push(g.problem(r, at("分野"), format!("分野「{t}」は計画にありません")));
                String::new()
            }
            None => {
                problems.push(g.problem(r, at("分野"), "分野を入力してください"));
                String::new()
            }
        };
        let item = match text(r, cols.get("テーマ")) {
            None => None,
            Some(t) => {
                let c = code(&t);
                if !area.is_empty() && !plan.area(&area).is_some_and(|a| a.items.iter().any(|i| i.code == c)) {
                    problems.push(g.problem(r, at("テーマ"), format!("テーマ「{t}」は分野 {area} の項目ではありません")));
                }
                Some(c)
            }
        };
        let marked = cells
            .first()
            .and_then(|(_, _, t)| t.chars().next())
            .and_then(|c| Actor::parse(&c.to_string()));
        let actor = match text(r, cols.get("主体")) {
            Some(t) => Actor::parse(&t).unwrap_or_else(|| {
                problems.push(g.problem(r, at("主体"), format!("主体「{t}」は ★県 か ●国 で入力してください")));
                Actor::Prefecture
            }),
            None => marked.unwrap_or_default(),
        };
        let milestone = match text(r, cols.get("種別")).as_deref() {
            Some(SPAN) => false,
            Some(MILESTONE) => true,
            Some(t) => {
                problems.push(g.problem(r, at("種別"), format!("種別「{t}」は {SPAN} か {MILESTONE} で入力してください")));
                false
            }
            None => marked.is_some() && cells.len() == 1,
        };
        // The year cells: one run of the same label (a merged range reads as that).
        let Some((c0, start, first)) = cells.first().cloned() else {
            problems.push(g.problem(
                r,
                years[0].0,
                "どの年度にも取組が書かれていません(取組の名前を実施する年度のセルに書いてください)",
            ));
            continue;
        };
        let (c1, end, _) = cells.last().cloned().unwrap_or((c0, start, String::new()));
        let run = years.iter().filter(|(c, _)| *c >= c0 && *c <= c1).count();
        if run != cells.len() || cells.iter().any(|(_, _, t)| t != &first && t != "→") {
            problems.push(g.problem(
                r,
                c0,
                "1行の年度には一つの取組だけを書きます(一つのセルか、続いたセルに。別の取組は別の行に)",
            ));
        }
        if milestone && start != end {
            problems.push(g.problem(
                r,
                c0,
                format!(
                    "{MILESTONE}の取組は一つの年度に置きます。この取組は {}~{} になっています",
                    start.short(),
                    end.short()
                ),
            ));
        }
        let label = first.trim_start_matches(['★', '●']).trim().to_string();
        if label.is_empty() {
            problems.push(g.problem(r, c0, "取組の名前がありません"));
        }
        let progress = match text(r, cols.get("進捗")) {
            None => None,
            Some(t) => Progress::parse(&t).or_else(|| {
                problems.push(g.problem(r, at("進捗"), format!("進捗「{t}」は 完了 か 遅延 で入力してください")));
                None
            }),
        };
        if problems.len() > before {
            continue;
        }
        out.push(ScheduleRow {
            area,
            item,
            group: text(r, cols.get("項目")),
            label,
            actor,
            start,
            end,
            milestone,
            note: text(r, cols.get("備考")),
            progress,
        });
    }
    plan.schedule = out;
}
