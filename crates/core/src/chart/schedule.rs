//! Schedule pages (工程表) of the chart book: per theme its activities over the
//! fiscal years, spans as bars holding their label, milestones as ★ (県) or ●
//! (国) in their year, progress (完了 / 遅延) shown by the bar's colour and a word.

use super::page::{wrap, Page, Style};
use crate::model::{Actor, Plan, Progress, ScheduleRow};
use crate::xlsx::schedule::{milestone_text, schedule_years};

const MARGIN: f32 = 36.0;
const TOP: f32 = 92.0;
const GROUP_COL: f32 = 120.0;
const NOTE_COL: f32 = 90.0;
const TEXT: Style = Style::new(8.0);
const ROW_PAD: f32 = 6.0;

const PREFECTURE: &str = "#bdd7ee";
const NATION: &str = "#c6e0b4";
const DONE: &str = "#d9d9d9";
const DELAYED: &str = "#f8cbad";
const RULE: &str = "#8c8c8c";

fn fill(r: &ScheduleRow) -> &'static str {
    match (r.progress, r.actor) {
        (Some(Progress::Done), _) => DONE,
        (Some(Progress::Delayed), _) => DELAYED,
        (None, Actor::Nation) => NATION,
        (None, Actor::Prefecture) => PREFECTURE,
    }
}

/// The theme a row belongs to, as a heading: `(1) 重点取組事項 ア 情報システムの標準化・共通化`.
fn theme(plan: &Plan, r: &ScheduleRow) -> String {
    let area = plan.area(&r.area);
    let mut h = format!("{} {}", r.area, area.and_then(|a| a.name.as_deref()).unwrap_or(""));
    if let Some(it) = &r.item {
        h.push_str(&format!("　{} {}", it, plan.item_name(&r.area, Some(it)).unwrap_or("")));
    }
    h.trim().to_string()
}

/// The schedule as pages of the given size (landscape reads best); none when the
/// plan has no schedule. Page numbers are the caller's.
pub fn schedule_pages(plan: &Plan, size: (f32, f32)) -> Vec<Page> {
    let years = schedule_years(plan);
    if plan.schedule.is_empty() || years.is_empty() {
        return Vec::new();
    }
    let (w, h) = size;
    let grid_w = w - 2.0 * MARGIN - GROUP_COL - NOTE_COL;
    let col = grid_w / years.len() as f32;
    let x_year = |i: usize| MARGIN + GROUP_COL + col * i as f32;
    let mut pages: Vec<Page> = Vec::new();
    let mut y = f32::MAX;
    let mut current_theme = String::new();
    let new_page = |pages: &mut Vec<Page>, heading: &str| -> f32 {
        let mut p = Page::new(size);
        p.text(MARGIN, 40.0, &format!("【主な取組スケジュール】{heading}"), Style::new(13.0).bold());
        // Legend.
        let mut lx = MARGIN;
        let ly = 58.0;
        for (label, color) in [("期間(県)", PREFECTURE), ("期間(国)", NATION), ("完了", DONE), ("遅延", DELAYED)] {
            p.rect(lx, ly - 8.0, 14.0, 9.0, color, Some(RULE));
            p.text(lx + 18.0, ly, label, TEXT);
            lx += 70.0;
        }
        p.text(lx + 10.0, ly, "★県の取組　●国の取組", TEXT);
        // Year header.
        let hy = TOP - 18.0;
        p.rect(MARGIN, hy, w - 2.0 * MARGIN, 16.0, "#f2f2f2", Some(RULE));
        p.text(MARGIN + GROUP_COL / 2.0, hy + 11.5, "項目", TEXT.bold().anchor("middle"));
        for (i, yr) in years.iter().enumerate() {
            p.line(x_year(i), hy, x_year(i), hy + 16.0, RULE, 0.6);
            p.text(x_year(i) + col / 2.0, hy + 11.5, &yr.long(), TEXT.bold().anchor("middle"));
        }
        p.line(x_year(years.len()), hy, x_year(years.len()), hy + 16.0, RULE, 0.6);
        p.text(
            x_year(years.len()) + NOTE_COL / 2.0,
            hy + 11.5,
            "備考",
            TEXT.bold().anchor("middle"),
        );
        pages.push(p);
        TOP
    };
    let mut last_group: Option<String> = None;
    for r in &plan.schedule {
        let t = theme(plan, r);
        let span_w = col * (years.iter().filter(|y| **y >= r.start && **y <= r.end).count().max(1)) as f32;
        let label = if r.milestone { milestone_text(r) } else { r.label.clone() };
        let label = match r.progress {
            Some(p) => format!("{label}({})", p.label()),
            None => label,
        };
        let lines = wrap(&label, span_w - 8.0, TEXT.size)
            .len()
            .max(wrap(r.note.as_deref().unwrap_or(""), NOTE_COL - 6.0, TEXT.size).len());
        let row_h = lines as f32 * TEXT.size * 1.45 + ROW_PAD;
        if t != current_theme || y + row_h > h - 40.0 {
            y = new_page(&mut pages, &t);
            current_theme = t;
            last_group = None;
        }
        let p = pages.last_mut().expect("a page was started");
        // Row frame and year rules.
        p.line(MARGIN, y + row_h, w - MARGIN, y + row_h, "#d0d0d0", 0.4);
        for i in 0..=years.len() {
            p.line(x_year(i), y, x_year(i), y + row_h, "#d0d0d0", 0.4);
        }
        p.line(MARGIN, y, MARGIN, y + row_h, RULE, 0.6);
        p.line(w - MARGIN, y, w - MARGIN, y + row_h, RULE, 0.6);
        if r.group != last_group {
            p.line(MARGIN, y, w - MARGIN, y, RULE, 0.6);
            if let Some(g) = &r.group {
                p.para(MARGIN + 3.0, y + 2.0, GROUP_COL - 6.0, g, TEXT.bold());
            }
            last_group = r.group.clone();
        }
        let Some(i) = years.iter().position(|yr| *yr == r.start) else {
            continue;
        };
        let x = x_year(i);
        if r.milestone {
            p.para(
                x + 3.0,
                y + ROW_PAD / 2.0 - 1.0,
                span_w - 6.0,
                &label,
                TEXT.bold().color(if r.actor == Actor::Nation { "#2e6b30" } else { "#1f4e79" }),
            );
        } else {
            p.rect(x + 2.0, y + 2.0, span_w - 4.0, row_h - 4.0, fill(r), Some(RULE));
            p.para(x + 4.0, y + ROW_PAD / 2.0 + 0.5, span_w - 8.0, &label, TEXT.anchor("middle"));
        }
        if let Some(n) = &r.note {
            p.para(x_year(years.len()) + 3.0, y + ROW_PAD / 2.0 - 1.0, NOTE_COL - 6.0, n, TEXT);
        }
        y += row_h;
    }
    pages
}
