//! Policy colours for any number of policies: the eight Okabe–Ito colours of
//! [`POLICY_COLORS`] first, then colours chosen one at a time to lie as far
//! as possible (in CIELAB) from every colour already given, so that no two
//! policies drawn in one panel share a colour, however many there are.
//!
//! The candidates are the sRGB grid of step 17 (16 levels a channel) with
//! lightness L* from 25 to 75 (visible on white, not mistaken for the text
//! or the grey reference lines) and chroma at least 20 (not a grey: grey is
//! "no intervention" and the reference lines). Each next colour is the
//! candidate whose nearest given colour is farthest (ties: the first in grid
//! order), so the first extra colours differ as much as colours can, and
//! every colour up to [`MAX_POLICIES`] is different from every other.

use std::sync::OnceLock;

use super::*;
use crate::limits::MAX_POLICIES;

/// The colour of policy `i` (an index into `Results::policies`): distinct
/// for every policy the results can hold.
pub(crate) fn policy_color(i: usize) -> RGBColor {
    if let Some(c) = POLICY_COLORS.get(i) {
        return *c;
    }
    let all = palette();
    all[i.min(all.len() - 1)]
}

/// The first [`MAX_POLICIES`] policy colours.
fn palette() -> &'static [RGBColor] {
    static PALETTE: OnceLock<Vec<RGBColor>> = OnceLock::new();
    PALETTE.get_or_init(|| farthest_first(&POLICY_COLORS, MAX_POLICIES))
}

/// `given`, then colours of [`candidates`] picked farthest first, `n` in all.
fn farthest_first(given: &[RGBColor], n: usize) -> Vec<RGBColor> {
    let mut out: Vec<RGBColor> = given.to_vec();
    let mut cands: Vec<(RGBColor, [f64; 3], f64)> = candidates()
        .into_iter()
        .map(|c| {
            let lab = lab(c);
            let near = given
                .iter()
                .map(|g| dist2(lab, self::lab(*g)))
                .fold(f64::INFINITY, f64::min);
            (c, lab, near)
        })
        .collect();
    while out.len() < n && !cands.is_empty() {
        let (k, _) = cands.iter().enumerate().fold(
            (0, f64::NEG_INFINITY),
            |best, (k, c)| if c.2 > best.1 { (k, c.2) } else { best },
        );
        let (c, l, _) = cands.swap_remove(k);
        out.push(c);
        for cand in &mut cands {
            cand.2 = cand.2.min(dist2(cand.1, l));
        }
    }
    out
}

/// The sRGB grid of step 17 within the lightness and chroma bounds.
fn candidates() -> Vec<RGBColor> {
    let levels = (0..16u8).map(|k| k * 17);
    let mut out = Vec::new();
    for r in levels.clone() {
        for g in levels.clone() {
            for b in levels.clone() {
                let c = RGBColor(r, g, b);
                let [l, a, bb] = lab(c);
                if (25.0..=75.0).contains(&l) && a.hypot(bb) >= 20.0 {
                    out.push(c);
                }
            }
        }
    }
    out
}

fn dist2(a: [f64; 3], b: [f64; 3]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)
}

/// CIELAB (D65) of an sRGB colour.
pub(crate) fn lab(c: RGBColor) -> [f64; 3] {
    let lin = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let (r, g, b) = (lin(c.0), lin(c.1), lin(c.2));
    let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    let f = |t: f64| {
        if t > 216.0 / 24389.0 {
            t.cbrt()
        } else {
            (24389.0 / 27.0 * t + 16.0) / 116.0
        }
    };
    let (fx, fy, fz) = (f(x), f(y), f(z));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every policy the results can hold has a colour no other policy has;
    /// the first eight are the Okabe–Ito colours, and the next twelve stay
    /// clearly apart from each other and from those (CIELAB distance of at
    /// least 20, where 2.3 is the smallest difference an eye sees).
    #[test]
    fn colours_are_distinct_for_every_policy() {
        let colours: Vec<RGBColor> = (0..MAX_POLICIES).map(policy_color).collect();
        assert_eq!(&colours[..8], &POLICY_COLORS[..]);
        let mut seen = std::collections::HashSet::new();
        for (i, c) in colours.iter().enumerate() {
            assert!(seen.insert((c.0, c.1, c.2)), "policy {i} repeats colour {c:?}");
        }
        for i in 0..20 {
            for j in (i + 1)..20 {
                let d = dist2(lab(colours[i]), lab(colours[j])).sqrt();
                assert!(
                    d >= 20.0,
                    "policies {i} and {j}: {:?} {:?} only {d:.1} apart",
                    colours[i],
                    colours[j]
                );
            }
        }
        // Nothing new is a grey or too light to see on white.
        for c in &colours[8..] {
            let [l, a, b] = lab(*c);
            assert!((25.0..=75.0).contains(&l) && a.hypot(b) >= 20.0, "{c:?}");
        }
    }
}
