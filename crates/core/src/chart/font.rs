//! The Japanese font the charts are drawn with, found at run time: a ranked list
//! of the faces Windows, macOS and Linux ship (or `--font FILE`). Without one,
//! the error says what to install; Japanese is never drawn as tofu.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Where the usual Japanese gothic faces live, best first, with the family name
/// an SVG viewer knows them by.
pub const CANDIDATES: &[(&str, &str)] = &[
    ("C:\\Windows\\Fonts\\YuGothM.ttc", "Yu Gothic"),
    ("C:\\Windows\\Fonts\\YuGothR.ttc", "Yu Gothic"),
    ("C:\\Windows\\Fonts\\meiryo.ttc", "Meiryo"),
    ("C:\\Windows\\Fonts\\msgothic.ttc", "MS Gothic"),
    ("/System/Library/Fonts/ヒラギノ角ゴシック W3.ttc", "Hiragino Sans"),
    ("/System/Library/Fonts/Hiragino Sans GB.ttc", "Hiragino Sans GB"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK JP"),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", "Noto Sans CJK JP"),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", "Noto Sans CJK JP"),
    ("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf", "IPAexGothic"),
    ("/usr/share/fonts/truetype/fonts-japanese-gothic.ttf", "IPAexGothic"),
];

#[derive(Debug, Clone, thiserror::Error)]
pub enum FontError {
    #[error(
        "日本語のフォントが見つかりません。Windowsでは游ゴシック・メイリオ・MS ゴシック、macOSではヒラギノ、Linuxでは `apt install fonts-noto-cjk` か fonts-ipaexfont-gothic を入れるか、`--font` でフォントのファイル(.ttf/.otf/.ttc)を指定してください"
    )]
    NotFound,
    #[error("{path}: {why}")]
    Unusable { path: PathBuf, why: String },
}

/// A font file loaded for drawing.
#[derive(Debug, Clone)]
pub struct ChartFont {
    pub path: PathBuf,
    /// The family name written into SVG text.
    pub family: String,
    pub bytes: &'static [u8],
}

impl ChartFont {
    /// Whether the face has a glyph for every character of `text`.
    pub fn covers(&self, text: &str) -> bool {
        use ab_glyph::Font;
        let Ok(f) = ab_glyph::FontRef::try_from_slice(self.bytes) else {
            return false;
        };
        text.chars().filter(|c| !c.is_whitespace()).all(|c| f.glyph_id(c).0 != 0)
    }
}

/// Fonts stay loaded for the life of the process (plotters keeps a reference).
static LOADED: OnceLock<std::sync::Mutex<Vec<ChartFont>>> = OnceLock::new();

/// Loads the font: `explicit` when given, else the first candidate present.
pub fn find_font(explicit: Option<&Path>) -> Result<ChartFont, FontError> {
    let (path, family) = match explicit {
        Some(p) => (p.to_path_buf(), family_from_file(p)),
        None => CANDIDATES
            .iter()
            .map(|(p, f)| (PathBuf::from(p), f.to_string()))
            .find(|(p, _)| p.is_file())
            .ok_or(FontError::NotFound)?,
    };
    let cache = LOADED.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(f) = cache.iter().find(|f| f.path == path) {
        return Ok(f.clone());
    }
    let data = std::fs::read(&path).map_err(|e| FontError::Unusable {
        path: path.clone(),
        why: e.to_string(),
    })?;
    let bytes: &'static [u8] = Box::leak(data.into_boxed_slice());
    let font = ChartFont { path, family, bytes };
    if ab_glyph::FontRef::try_from_slice(bytes).is_err() {
        return Err(FontError::Unusable {
            path: font.path,
            why: "TrueType・OpenTypeのフォントではありません".into(),
        });
    }
    if !font.covers("進捗令和年度達成率") {
        return Err(FontError::Unusable {
            path: font.path,
            why: "日本語の文字がないフォントです".into(),
        });
    }
    plotters::style::register_font(&font.family, plotters::style::FontStyle::Normal, bytes).map_err(|_| FontError::Unusable {
        path: font.path.clone(),
        why: "描画に使えないフォントです".into(),
    })?;
    cache.push(font.clone());
    Ok(font)
}

/// A family name for a font given by file: the known one, else the file stem.
fn family_from_file(p: &Path) -> String {
    let name = p.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    CANDIDATES
        .iter()
        .find(|(c, _)| Path::new(c).file_name().map(|n| n.to_string_lossy().to_lowercase()) == Some(name.clone()))
        .map(|(_, f)| f.to_string())
        .unwrap_or_else(|| {
            p.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "sans-serif".into())
        })
}
