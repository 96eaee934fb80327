//! Print pages drawn as SVG (text, boxes, rules) and put into a PDF with krilla,
//! with KPI charts placed on them as vectors. Used by the project cards and the
//! schedule pages of the chart book; the text is measured here, so tables wrap
//! their Japanese text into their cells.

use std::fmt::Write as _;
use std::sync::Arc;

use krilla::geom::{Size, Transform};
use krilla::page::PageSettings;
use krilla::Document;
use krilla_svg::{SurfaceExt, SvgSettings};

use super::{ChartError, ChartFont};

/// A4 portrait in points.
pub const A4: (f32, f32) = (595.28, 841.89);

/// The width of one character in ems: full-width characters are 1 em, others about half.
fn char_em(c: char) -> f32 {
    if (c as u32) < 0x2000 || ('\u{FF61}'..='\u{FF9F}').contains(&c) {
        0.56
    } else {
        1.0
    }
}

/// The width of a text in points.
pub fn text_width(text: &str, size: f32) -> f32 {
    text.chars().map(char_em).sum::<f32>() * size
}

/// A text broken into lines no wider than `width` (explicit line breaks kept).
pub fn wrap(text: &str, width: f32, size: f32) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut used = 0.0;
        for c in para.chars() {
            let w = char_em(c) * size;
            // Closing punctuation stays on its line (禁則).
            if used + w > width && !line.is_empty() && !"、。)）」』,.・ー→".contains(c) {
                out.push(std::mem::take(&mut line));
                used = 0.0;
            }
            line.push(c);
            used += w;
        }
        out.push(line);
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// How a text is drawn.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub size: f32,
    pub bold: bool,
    pub color: &'static str,
    /// `start`, `middle` or `end`.
    pub anchor: &'static str,
}

impl Style {
    pub const fn new(size: f32) -> Self {
        Style {
            size,
            bold: false,
            color: "#1a1a1a",
            anchor: "start",
        }
    }
    pub const fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
    pub const fn color(mut self, c: &'static str) -> Self {
        self.color = c;
        self
    }
    pub const fn anchor(mut self, a: &'static str) -> Self {
        self.anchor = a;
        self
    }
}

/// One page being drawn: SVG elements and the charts to place on it.
pub struct Page {
    pub width: f32,
    pub height: f32,
    body: String,
    /// (chart SVG, x, y, width)
    charts: Vec<(String, f32, f32, f32)>,
}

impl Page {
    pub fn new((width, height): (f32, f32)) -> Self {
        Page {
            width,
            height,
            body: String::new(),
            charts: Vec::new(),
        }
    }

    /// One line of text with its baseline at `y`.
    pub fn text(&mut self, x: f32, y: f32, text: &str, s: Style) {
        let _ = write!(
            self.body,
            r#"<text x="{x:.1}" y="{y:.1}" font-size="{:.1}" fill="{}" text-anchor="{}"{}>{}</text>"#,
            s.size,
            s.color,
            s.anchor,
            if s.bold { r#" font-weight="bold""# } else { "" },
            escape(text)
        );
    }

    /// Wrapped text from the top `y`; returns the height used.
    pub fn para(&mut self, x: f32, y: f32, width: f32, text: &str, s: Style) -> f32 {
        let lh = s.size * 1.45;
        let lines = wrap(text, width, s.size);
        for (i, l) in lines.iter().enumerate() {
            let lx = match s.anchor {
                "middle" => x + width / 2.0,
                "end" => x + width,
                _ => x,
            };
            self.text(lx, y + s.size + i as f32 * lh, l, s);
        }
        lines.len() as f32 * lh
    }

    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: &str, stroke: Option<&str>) {
        let _ = write!(
            self.body,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{fill}"{}/>"#,
            stroke.map(|s| format!(r#" stroke="{s}" stroke-width="0.6""#)).unwrap_or_default()
        );
    }

    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, stroke: &str, width: f32) {
        let _ = write!(
            self.body,
            r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="{stroke}" stroke-width="{width}"/>"#
        );
    }

    /// A KPI chart (an SVG from `render_svg`) at `x, y`, `width` wide.
    pub fn chart(&mut self, svg: String, x: f32, y: f32, width: f32) {
        self.charts.push((svg, x, y, width));
    }

    fn svg(&self, family: &str) -> String {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{family}">{}</svg>"#,
            self.body,
            w = self.width,
            h = self.height,
            family = escape(family)
        )
    }
}

/// The options pages are drawn with: the font loaded for usvg.
pub struct Drawing {
    opts: Arc<usvg::Options<'static>>,
    family: String,
}

impl Drawing {
    pub fn new(font: &ChartFont) -> Self {
        let mut opts = usvg::Options {
            font_family: font.family.clone(),
            ..Default::default()
        };
        opts.fontdb_mut().load_font_data(font.bytes.to_vec());
        Drawing {
            opts: Arc::new(opts),
            family: font.family.clone(),
        }
    }

    /// Adds one page to a document.
    pub fn add(&self, doc: &mut Document, p: &Page, n: usize) -> Result<(), ChartError> {
        let settings = PageSettings::from_wh(p.width, p.height).ok_or_else(|| ChartError::Draw("用紙の大きさ".into()))?;
        let mut page = doc.start_page_with(settings);
        let mut s = page.surface();
        let tree = usvg::Tree::from_str(&p.svg(&self.family), &self.opts).map_err(|e| ChartError::Draw(format!("{n}ページ目: {e}")))?;
        s.draw_svg(
            &tree,
            Size::from_wh(p.width, p.height).ok_or_else(|| ChartError::Draw("用紙の大きさ".into()))?,
            SvgSettings::default(),
        )
        .ok_or_else(|| ChartError::Draw(format!("{n}ページ目を描けませんでした")))?;
        for (svg, x, y, w) in &p.charts {
            let tree = usvg::Tree::from_str(svg, &self.opts).map_err(|e| ChartError::Draw(e.to_string()))?;
            let h = w * super::HEIGHT_PX as f32 / super::WIDTH_PX as f32;
            s.push_transform(&Transform::from_translate(*x, *y));
            s.draw_svg(
                &tree,
                Size::from_wh(*w, h).ok_or_else(|| ChartError::Draw("グラフの大きさ".into()))?,
                SvgSettings::default(),
            )
            .ok_or_else(|| ChartError::Draw(format!("{n}ページ目のグラフを描けませんでした")))?;
            s.pop();
        }
        s.finish();
        page.finish();
        Ok(())
    }
}

/// The pages as PDF bytes, the font embedded, text and charts as vectors.
pub fn pdf(pages: &[Page], font: &ChartFont) -> Result<Vec<u8>, ChartError> {
    let drawing = Drawing::new(font);
    let mut doc = Document::new();
    for (n, p) in pages.iter().enumerate() {
        drawing.add(&mut doc, p, n + 1)?;
    }
    doc.finish().map_err(|e| ChartError::Draw(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_wraps_inside_its_width() {
        let lines = wrap("行政運営のデジタル化を進めているが、職員の情報システム利用率", 100.0, 10.0);
        assert!(lines.len() >= 3);
        assert!(lines.iter().all(|l| text_width(l, 10.0) <= 110.0), "{lines:?}");
        assert_eq!(lines.concat(), "行政運営のデジタル化を進めているが、職員の情報システム利用率");
        assert_eq!(wrap("a\nb", 100.0, 10.0), ["a", "b"]);
    }
}
