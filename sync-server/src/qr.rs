//! Enrolment QR codes.

use qrcode::QrCode;
use qrcode::render::svg;

use crate::error::AppError;

/// The text a tablet scans: `daftar-enrol:1?server=<url>&code=<code>`.
pub fn enrolment_payload(public_url: &str, code: &str) -> String {
    format!("daftar-enrol:1?server={public_url}&code={code}")
}

/// The enrolment QR code as SVG text.
pub fn enrolment_svg(public_url: &str, code: &str) -> Result<String, AppError> {
    let qr = QrCode::new(enrolment_payload(public_url, code).as_bytes()).map_err(|error| {
        AppError::invalid(
            "invalid_code",
            format!("cannot render the code as a QR code: {error}"),
        )
    })?;
    Ok(qr
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build())
}
