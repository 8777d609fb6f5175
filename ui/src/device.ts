// The tablet's sensors: the position for geopoint items and the camera for the enrolment QR code.
//
// On the tablet (Android) they go through Tauri's official plugins, geolocation and barcode-scanner, which
// ask for the permission when first used. The desktop build (training, tests) has no such plugins: the
// position falls back to the WebView's geolocation where it has one, and enrolment is typed in.
// Nothing here is stored: a fix goes straight to the answer command.

import * as geolocation from "@tauri-apps/plugin-geolocation";
import * as scanner from "@tauri-apps/plugin-barcode-scanner";
import type { CommandError } from "./ipc";

/// A geopoint answer: latitude, longitude, altitude (metres), accuracy (metres).
export type Fix = [number, number, number, number];

/// What an enrolment QR code carries.
export interface Enrolment {
  server: string;
  code: string;
}

let nativeSensors = false;

/// Whether the plugins are there (the status of the Rust side says so at start-up).
export function useNativeSensors(on: boolean): void {
  nativeSensors = on;
}

/// A QR code can be scanned for enrolment.
export function canScan(): boolean {
  return nativeSensors;
}

function failure(code: string, message: string): CommandError {
  return { code, message };
}

const POSITION_TIMEOUT_MS = 30_000;

/// The current position, asking for the location permission first when needed.
export async function locate(): Promise<Fix> {
  if (nativeSensors) {
    let permission = await geolocation.checkPermissions();
    if (permission.location !== "granted") {
      permission = await geolocation.requestPermissions(["location"]);
    }
    if (permission.location !== "granted") throw failure("gps_denied", "location permission not granted");
    const position = await geolocation
      .getCurrentPosition({ enableHighAccuracy: true, timeout: POSITION_TIMEOUT_MS, maximumAge: 0 })
      .catch((e: unknown) => {
        throw failure("gps_unavailable", String(e));
      });
    return toFix(position.coords);
  }
  if (typeof navigator === "undefined" || !("geolocation" in navigator)) {
    throw failure("gps_unavailable", "no position source on this device");
  }
  return new Promise<Fix>((resolve, reject) =>
    navigator.geolocation.getCurrentPosition(
      (p) => resolve(toFix(p.coords)),
      (e) => reject(failure(e.code === 1 ? "gps_denied" : "gps_unavailable", e.message)),
      { enableHighAccuracy: true, timeout: POSITION_TIMEOUT_MS, maximumAge: 0 },
    ),
  );
}

function toFix(c: { latitude: number; longitude: number; altitude: number | null; accuracy: number }): Fix {
  if (![c.latitude, c.longitude, c.accuracy].every(Number.isFinite)) {
    throw failure("gps_unavailable", "the position source gave no coordinates");
  }
  return [c.latitude, c.longitude, c.altitude ?? 0, c.accuracy];
}

const ENROLMENT_PREFIX = "daftar-enrol:1?";

/// Reads the text of an enrolment QR code (`daftar-enrol:1?server=<url>&code=<code>`, as the server's
/// console renders it). The address may itself hold `&` or `?`, so the code is what follows the last
/// `&code=`. Anything else is not an enrolment code.
export function parseEnrolment(text: string): Enrolment | null {
  const body = text.trim();
  if (!body.startsWith(ENROLMENT_PREFIX)) return null;
  const rest = body.slice(ENROLMENT_PREFIX.length);
  const at = rest.lastIndexOf("&code=");
  if (!rest.startsWith("server=") || at < 0) return null;
  const server = rest.slice("server=".length, at);
  const code = rest.slice(at + "&code=".length);
  if (!/^https?:\/\/[^\s]+$/.test(server) || !/^[A-Za-z0-9-]+$/.test(code)) return null;
  return { server, code };
}

/// Scans the enrolment QR code with the camera, asking for the camera permission first when needed.
export async function scanEnrolment(): Promise<Enrolment> {
  if (!nativeSensors) throw failure("scan_unavailable", "no camera scanner on this device");
  let permission = await scanner.checkPermissions();
  if (permission !== "granted") permission = await scanner.requestPermissions();
  if (permission !== "granted") throw failure("camera_denied", "camera permission not granted");
  const scanned = await scanner
    .scan({ formats: [scanner.Format.QRCode], windowed: false })
    .catch((e: unknown) => {
      throw failure("scan_cancelled", String(e));
    });
  const enrolment = parseEnrolment(scanned.content);
  if (!enrolment) throw failure("scan_not_enrolment", "the code scanned is not a Daftar enrolment code");
  return enrolment;
}
