//! Writing a chart to SVG and PNG: the [`DrawChart`] trait and the two backends.

use super::*;

/// A name in the same directory for the temporary file of `target`, keeping
/// its extension (the PNG encoder picks the format from it).
pub(crate) fn temp_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = target
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.{}.tmp.{ext}", std::process::id()))
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ChartError + '_ {
    move |source| ChartError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub(crate) fn draw_err(path: &Path, e: impl std::fmt::Display) -> ChartError {
    ChartError::Draw {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// A chart that draws itself on any plotters backend, so [`write_svg`] and
/// [`write_png`] show the same picture.
pub(crate) trait DrawChart {
    /// Height of the chart, pixels (every chart is [`WIDTH`] wide).
    fn height(&self) -> u32 {
        HEIGHT
    }

    fn draw_chart<DB: DrawingBackend>(&self, root: &Area<DB>, t: Typo) -> DrawResult<(), DB>;
}

/// `chart` as SVG text with its font subset embedded; `path` names it in
/// errors.
pub(crate) fn render_svg(chart: &impl DrawChart, path: &Path) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let backend = SVGBackend::with_string(&mut svg, (WIDTH, chart.height()));
        let root = backend.into_drawing_area();
        bands_reset();
        chart.draw_chart(&root, Typo::SVG).map_err(|e| draw_err(path, e))?;
        root.present().map_err(|e| draw_err(path, e))?;
    }
    Ok(embed_font(&svg))
}

/// Writes `chart` to `path` as SVG (atomically) and returns the text written.
pub(crate) fn write_svg(chart: &impl DrawChart, path: &Path) -> Result<String, ChartError> {
    let svg = render_svg(chart, path)?;
    let tmp = temp_path(path);
    let result = fs::write(&tmp, svg.as_bytes())
        .map_err(io_err(&tmp))
        .and_then(|()| fs::rename(&tmp, path).map_err(io_err(path)));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map(|()| svg)
}

pub(crate) fn write_png(chart: &impl DrawChart, path: &Path) -> Result<(), ChartError> {
    let tmp = temp_path(path);
    let result = (|| {
        {
            let root = GlyphText {
                inner: BitMapBackend::new(&tmp, (WIDTH, chart.height())),
            }
            .into_drawing_area();
            chart.draw_chart(&root, Typo::BITMAP).map_err(|e| draw_err(path, e))?;
            root.present().map_err(|e| draw_err(path, e))?;
        }
        fs::rename(&tmp, path).map_err(io_err(path))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A chart file written: its name relative to the folder it was written
/// in and, for an SVG, the text written (so a report can embed it without
/// reading the file back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenChart {
    pub name: PathBuf,
    pub svg: Option<String>,
}

impl WrittenChart {
    /// The file name without its extension.
    pub fn stem(&self) -> String {
        self.name.file_stem().unwrap_or_default().to_string_lossy().into_owned()
    }
}

/// Writes `chart` into `dir` as `<stem>.svg` and `<stem>.png` and adds
/// both to `written`.
pub(crate) fn write_chart(
    chart: &impl DrawChart,
    dir: &Path,
    stem: &str,
    written: &mut Vec<WrittenChart>,
) -> Result<(), ChartError> {
    let svg = PathBuf::from(format!("{stem}.svg"));
    let text = write_svg(chart, &dir.join(&svg))?;
    bands_log(stem);
    written.push(WrittenChart {
        name: svg,
        svg: Some(text),
    });
    let png = PathBuf::from(format!("{stem}.png"));
    write_png(chart, &dir.join(&png))?;
    written.push(WrittenChart { name: png, svg: None });
    Ok(())
}

/// Writes `chart`, alone, into `dir` as `<stem>.svg` and `<stem>.png`
/// (the charts of the analyses) and returns both.
///
/// # Errors
///
/// [`ChartError`] when the font cannot be loaded or a file cannot be
/// drawn or written.
pub(crate) fn write_alone(chart: &impl DrawChart, dir: &Path, stem: &str) -> Result<Vec<WrittenChart>, ChartError> {
    ensure_fonts()?;
    let mut written = Vec::new();
    write_chart(chart, dir, stem, &mut written)?;
    Ok(written)
}

/// Renders any chart into an RGB pixel buffer (`WIDTH * HEIGHT * 3` bytes).
#[cfg(test)]
pub(crate) fn render_chart_rgb(chart: &impl DrawChart) -> Vec<u8> {
    ensure_fonts().unwrap();
    let mut buf = vec![0u8; (WIDTH * chart.height() * 3) as usize];
    {
        let root = GlyphText {
            inner: BitMapBackend::with_buffer(&mut buf, (WIDTH, chart.height())),
        }
        .into_drawing_area();
        chart.draw_chart(&root, Typo::BITMAP).unwrap();
        root.present().unwrap();
    }
    buf
}

// ---------------------------------------------------------------------------
// Drawing

/// The drawing area a chart draws on.
pub(crate) type Area<DB> = DrawingArea<DB, Shift>;

pub(crate) type DrawResult<T, DB> = Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;
