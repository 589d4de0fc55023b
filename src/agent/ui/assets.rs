//! The UI's files as embedded by `build.rs`: bytes, a gzip copy and an ETag each.

/// One embedded file.
pub struct Asset {
    /// Relative to the UI's root, with `/` separators (`assets/app.js`).
    pub path: &'static str,
    pub body: &'static [u8],
    pub gzip: &'static [u8],
    /// A strong ETag (quoted).
    pub etag: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/ui_assets.rs"));

/// The embedded file at `path`, if any.
pub fn find(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.path == path)
}

/// The whole UI's size compressed, in bytes (what a first visit downloads at most).
#[cfg(test)]
pub fn compressed_size() -> usize {
    ASSETS.iter().map(|a| a.gzip.len().min(a.body.len())).sum()
}

#[cfg(test)]
mod tests {
    /// The budget: the whole UI under 150 KB compressed.
    #[test]
    fn the_whole_ui_stays_under_150_kb_compressed() {
        let size = super::compressed_size();
        assert!(size < 150 * 1000, "the UI is {size} bytes compressed");
        assert!(super::find("index.html").is_some());
    }

    #[test]
    fn every_file_has_a_gzip_copy_that_inflates_to_it() {
        for a in super::ASSETS {
            assert!(a.gzip.starts_with(&[0x1f, 0x8b]), "{}", a.path);
            assert!(
                a.etag.starts_with('"') && a.etag.ends_with('"'),
                "{}",
                a.path
            );
        }
    }
}
