//! The words of error messages: one catalogue (`api/locales/*.yml`, compiled in by
//! rust-i18n) keyed by the stable error `code`, plus `validation.<rule>` for the rules of
//! form and `field.<name>` for how a field is called. Simplified Chinese unless the request
//! asks for English (`Accept-Language: en…` ranked above any `zh…`).

use std::fmt;

tokio::task_local! {
    /// The language of the request being served; error messages are worded in it.
    pub static LOCALE: Locale;
}

/// The languages messages come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    ZhCn,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Self::ZhCn, Self::En];

    /// The catalogue's name of the language.
    pub const fn tag(self) -> &'static str {
        match self {
            Self::ZhCn => "zh-CN",
            Self::En => "en",
        }
    }

    /// The language an `Accept-Language` header prefers: English when an `en…` range has a
    /// higher weight than every `zh…` one (or comes first at the same weight); otherwise,
    /// and without the header, Simplified Chinese.
    pub fn from_accept_language(header: Option<&str>) -> Self {
        let mut best: Option<(f32, Locale)> = None;
        for range in header.unwrap_or_default().split(',') {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q=").map(str::trim))
                .map_or(Some(1.0), |q| q.parse::<f32>().ok())
                .unwrap_or(0.0);
            let locale = if tag == "en" || tag.starts_with("en-") {
                Self::En
            } else if tag == "zh" || tag.starts_with("zh-") {
                Self::ZhCn
            } else {
                continue;
            };
            if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, locale));
            }
        }
        best.map_or(Self::ZhCn, |(_, locale)| locale)
    }

    /// The language of the request being served (Chinese outside one).
    pub fn current() -> Self {
        LOCALE.try_with(|l| *l).unwrap_or_default()
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// The catalogue's entry for `key` in `locale`, if it has one.
pub fn lookup(locale: Locale, key: &str) -> Option<String> {
    crate::_rust_i18n_try_translate(locale.tag(), key).map(|text| text.into_owned())
}

/// The entry for `key` with its `%{name}` placeholders filled. A key the catalogue lacks (a
/// bug the catalogue test catches) is answered as the key itself rather than nothing.
pub fn message(locale: Locale, key: &str, params: &[(&str, String)]) -> String {
    let Some(text) = lookup(locale, key) else {
        tracing::warn!(key, %locale, "no message in the catalogue");
        return key.to_owned();
    };
    if params.is_empty() {
        return text;
    }
    let names: Vec<&str> = params.iter().map(|(name, _)| *name).collect();
    let values: Vec<String> = params.iter().map(|(_, value)| value.clone()).collect();
    rust_i18n::replace_patterns(&text, &names, &values)
}

/// What `name` of `group` is called in `locale` (`field`/`nickname` → 昵称, `role`/
/// `grid_worker` → 网格员); `name` itself when the catalogue has no word for it.
pub fn term(locale: Locale, group: &str, name: &str) -> String {
    lookup(locale, &format!("{group}.{name}")).unwrap_or_else(|| name.to_owned())
}

#[cfg(test)]
mod tests;
