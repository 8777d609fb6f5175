import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const geo = vi.hoisted(() => ({
  checkPermissions: vi.fn(),
  requestPermissions: vi.fn(),
  getCurrentPosition: vi.fn(),
}));
const scanner = vi.hoisted(() => ({
  Format: { QRCode: "QR_CODE" },
  checkPermissions: vi.fn(),
  requestPermissions: vi.fn(),
  scan: vi.fn(),
}));
vi.mock("@tauri-apps/plugin-geolocation", () => geo);
vi.mock("@tauri-apps/plugin-barcode-scanner", () => scanner);

import { canScan, locate, parseEnrolment, scanEnrolment, useNativeSensors } from "../../src/device";
import { setLocale } from "../../src/i18n";
import { itemView } from "../../src/widgets";
import { enrolView } from "../../src/views/start";
import { screen } from "../fixtures/screens";

const coords = {
  latitude: 34.0209,
  longitude: -6.8416,
  altitude: 52,
  accuracy: 4.5,
  altitudeAccuracy: null,
  speed: null,
  heading: null,
};

beforeEach(() => {
  vi.clearAllMocks();
  setLocale("fr");
});
afterEach(() => useNativeSensors(false));

describe("enrolment QR codes", () => {
  it("reads the server address and the code as the console renders them", () => {
    expect(parseEnrolment("daftar-enrol:1?server=https://sync.example.ma&code=K7QM-2XHD-9P")).toEqual({
      server: "https://sync.example.ma",
      code: "K7QM-2XHD-9P",
    });
    // An address with its own query string keeps it: the code is what follows the last `&code=`.
    expect(parseEnrolment("daftar-enrol:1?server=http://10.0.0.2:8080/x?a=1&b=2&code=ABCD-EFGH-JK")).toEqual({
      server: "http://10.0.0.2:8080/x?a=1&b=2",
      code: "ABCD-EFGH-JK",
    });
  });
  it("refuses anything else", () => {
    for (const text of [
      "https://sync.example.ma",
      "daftar-enrol:2?server=https://a&code=ABCD",
      "daftar-enrol:1?code=ABCD",
      "daftar-enrol:1?server=ftp://a&code=ABCD",
      "daftar-enrol:1?server=https://a&code=",
      "daftar-enrol:1?server=https://a&code=AB CD",
    ]) {
      expect(parseEnrolment(text), text).toBeNull();
    }
  });
  it("scans with the camera plugin after asking for the permission, on the tablet only", async () => {
    await expect(scanEnrolment()).rejects.toMatchObject({ code: "scan_unavailable" });
    expect(scanner.scan).not.toHaveBeenCalled();

    useNativeSensors(true);
    expect(canScan()).toBe(true);
    scanner.checkPermissions.mockResolvedValue("prompt");
    scanner.requestPermissions.mockResolvedValue("granted");
    scanner.scan.mockResolvedValue({
      content: "daftar-enrol:1?server=https://s.ma&code=AAAA-BBBB-CC",
      format: "QR_CODE",
    });
    await expect(scanEnrolment()).resolves.toEqual({ server: "https://s.ma", code: "AAAA-BBBB-CC" });
    expect(scanner.scan).toHaveBeenCalledWith({ formats: ["QR_CODE"], windowed: false });

    scanner.scan.mockResolvedValue({ content: "WIFI:S:cafe;;", format: "QR_CODE" });
    await expect(scanEnrolment()).rejects.toMatchObject({ code: "scan_not_enrolment" });

    scanner.checkPermissions.mockResolvedValue("denied");
    scanner.requestPermissions.mockResolvedValue("denied");
    scanner.scan.mockClear();
    await expect(scanEnrolment()).rejects.toMatchObject({ code: "camera_denied" });
    expect(scanner.scan).not.toHaveBeenCalled();
  });
  it("offers the scan button only where a scanner exists", () => {
    const handlers = { enrol: vi.fn(), training: vi.fn(), createPin: vi.fn(), unlock: vi.fn() };
    expect(enrolView(handlers, null).querySelector("#enrol-scan")).toBeNull();
    const scan = vi.fn();
    const view = enrolView({ ...handlers, scan }, null);
    (view.querySelector("#enrol-scan") as HTMLButtonElement).click();
    expect(scan).toHaveBeenCalledOnce();
  });
});

describe("position", () => {
  it("uses the geolocation plugin on the tablet, asking for the permission first", async () => {
    useNativeSensors(true);
    geo.checkPermissions.mockResolvedValue({ location: "prompt", coarseLocation: "prompt" });
    geo.requestPermissions.mockResolvedValue({ location: "granted", coarseLocation: "granted" });
    geo.getCurrentPosition.mockResolvedValue({ timestamp: 1, coords });
    await expect(locate()).resolves.toEqual([34.0209, -6.8416, 52, 4.5]);
    expect(geo.requestPermissions).toHaveBeenCalledWith(["location"]);
    expect(geo.getCurrentPosition).toHaveBeenCalledWith({
      enableHighAccuracy: true,
      timeout: 30000,
      maximumAge: 0,
    });
  });
  it("reports a refused permission without asking the plugin for a position", async () => {
    useNativeSensors(true);
    geo.checkPermissions.mockResolvedValue({ location: "denied", coarseLocation: "denied" });
    geo.requestPermissions.mockResolvedValue({ location: "denied", coarseLocation: "denied" });
    await expect(locate()).rejects.toMatchObject({ code: "gps_denied" });
    expect(geo.getCurrentPosition).not.toHaveBeenCalled();
  });
  it("falls back to the WebView on desktop, and missing altitude is 0", async () => {
    const getCurrentPosition = vi.fn((ok: PositionCallback) =>
      ok({ coords: { ...coords, altitude: null } } as GeolocationPosition),
    );
    vi.stubGlobal("navigator", { geolocation: { getCurrentPosition } });
    await expect(locate()).resolves.toEqual([34.0209, -6.8416, 0, 4.5]);
    expect(geo.getCurrentPosition).not.toHaveBeenCalled();
    vi.unstubAllGlobals();
  });
  it("the geopoint widget saves the fix, or says why there is none", async () => {
    useNativeSensors(true);
    const item = { ...screen().items[0], kind: "geopoint", value: null, readOnly: false };
    const save = vi.fn();
    geo.checkPermissions.mockResolvedValue({ location: "granted", coarseLocation: "granted" });
    geo.getCurrentPosition.mockResolvedValue({ timestamp: 1, coords });
    let el = itemView(item as never, save, () => undefined);
    (el.querySelector(".geo button") as HTMLButtonElement).click();
    await vi.waitFor(() => expect(save).toHaveBeenCalledWith([34.0209, -6.8416, 52, 4.5]));

    geo.checkPermissions.mockResolvedValue({ location: "denied", coarseLocation: "denied" });
    geo.requestPermissions.mockResolvedValue({ location: "denied", coarseLocation: "denied" });
    el = itemView(item as never, save, () => undefined);
    (el.querySelector(".geo button") as HTMLButtonElement).click();
    await vi.waitFor(() => expect(el.querySelector(".geo p")?.textContent).toContain("refusé"));
    expect(save).toHaveBeenCalledTimes(1);
  });
});
