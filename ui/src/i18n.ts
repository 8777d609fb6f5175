// Interface strings through Fluent (i18n/<locale>/app.ftl), numbers with Western digits in every locale,
// and the document's direction from the language.

import { FluentBundle, FluentResource, type FluentVariable } from "@fluent/bundle";
import fr from "../../i18n/fr/app.ftl?raw";
import ar from "../../i18n/ar/app.ftl?raw";
import en from "../../i18n/en/app.ftl?raw";

export type Locale = "fr" | "ar" | "en";
export const LOCALES: Locale[] = ["fr", "ar", "en"];
export const SOURCES: Record<Locale, string> = { fr, ar, en };

/// BCP 47 tags with the Latin numbering system: Morocco writes 0-9 in Arabic text too.
export const NUMBER_LOCALE: Record<Locale, string> = {
  fr: "fr-MA-u-nu-latn",
  ar: "ar-MA-u-nu-latn",
  en: "en-MA-u-nu-latn",
};

const bundles = new Map<Locale, FluentBundle>();

export function bundleFor(locale: Locale): FluentBundle {
  let bundle = bundles.get(locale);
  if (!bundle) {
    // useIsolating: Fluent wraps placeables in U+2068…U+2069, so piped values keep their direction.
    bundle = new FluentBundle(NUMBER_LOCALE[locale], { useIsolating: true });
    const errors = bundle.addResource(new FluentResource(SOURCES[locale]));
    if (errors.length) throw new Error(`i18n/${locale}/app.ftl: ${errors.map(String).join("; ")}`);
    bundles.set(locale, bundle);
  }
  return bundle;
}

let current: Locale = "fr";

export function locale(): Locale {
  return current;
}

export function isRtl(l: Locale = current): boolean {
  return l === "ar";
}

export function setLocale(l: Locale): void {
  current = l;
  document.documentElement.lang = l;
  document.documentElement.dir = isRtl(l) ? "rtl" : "ltr";
}

/// An interface string. A missing key shows its id (and the missing-key test fails in CI).
export function t(id: string, args?: Record<string, FluentVariable>): string {
  const bundle = bundleFor(current);
  const message = bundle.getMessage(id);
  if (!message?.value) return id;
  return bundle.formatPattern(message.value, args);
}

/// A number with Western digits in the current locale.
export function formatNumber(n: number, options: Intl.NumberFormatOptions = {}): string {
  return new Intl.NumberFormat(NUMBER_LOCALE[current], options).format(n);
}

/// A date and time with Western digits.
export function formatDateTime(ms: number): string {
  return new Intl.DateTimeFormat(NUMBER_LOCALE[current], {
    dateStyle: "medium",
    timeStyle: "short",
  }).format(new Date(ms));
}

/// Digits typed on an Arabic keyboard (U+0660…U+0669, U+06F0…U+06F9) as Western digits, and the Arabic
/// decimal separator as a point.
export function westernDigits(text: string): string {
  return text
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/\u066b/g, ".")
    .replace(/\u066c/g, "");
}

/// Wraps text in first-strong isolate … pop directional isolate.
export function isolate(text: string): string {
  return `\u2068${text}\u2069`;
}
