//! Check output: bounded capture (the last bytes win, like Consul's circular buffer), the
//! head truncation of TTL notes, and error texts in the words Go's libraries use, since
//! clients and operators read them in `Output`.

use std::collections::VecDeque;

/// Keeps the last `cap` bytes written and counts all of them.
#[derive(Debug)]
pub(super) struct TailBuffer {
    cap: usize,
    data: VecDeque<u8>,
    total: u64,
}

impl TailBuffer {
    pub(super) fn new(cap: usize) -> TailBuffer {
        TailBuffer {
            cap,
            data: VecDeque::with_capacity(cap.min(64 * 1024)),
            total: 0,
        }
    }

    pub(super) fn write(&mut self, bytes: &[u8]) {
        self.total = self.total.saturating_add(bytes.len() as u64);
        let keep = &bytes[bytes.len().saturating_sub(self.cap)..];
        self.data.extend(keep);
        let excess = self.data.len().saturating_sub(self.cap);
        self.data.drain(..excess);
    }

    /// Whether more was written than kept.
    pub(super) fn truncated(&self) -> bool {
        self.total > self.data.len() as u64
    }

    pub(super) fn total(&self) -> u64 {
        self.total
    }

    pub(super) fn len(&self) -> usize {
        self.data.len()
    }

    /// The kept bytes as text (invalid UTF-8, such as a character cut in half at the start,
    /// becomes U+FFFD).
    pub(super) fn text(&self) -> String {
        let (a, b) = self.data.as_slices();
        let mut bytes = Vec::with_capacity(a.len() + b.len());
        bytes.extend_from_slice(a);
        bytes.extend_from_slice(b);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// A TTL note longer than `max` bytes: its first `max` bytes (to a character boundary) and
/// Consul's `... (captured N of M bytes)`.
pub(super) fn truncate_note(output: &str, max: usize) -> String {
    if output.len() <= max {
        return output.to_string();
    }
    let mut end = max;
    while !output.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{} ... (captured {max} of {} bytes)",
        &output[..end],
        output.len()
    )
}

/// An I/O error as Go prints the system error: `connection refused`, `no such file or
/// directory` (Rust's text without the `(os error N)` suffix, first letter lowered).
pub(super) fn go_io_error(e: &std::io::Error) -> String {
    let text = e.to_string();
    let text = match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => text[..i].to_string(),
        _ => text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if chars.clone().next().is_some_and(char::is_lowercase) => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_buffer_keeps_the_last_bytes_and_counts_all() {
        let mut b = TailBuffer::new(5);
        b.write(b"abc");
        assert!(!b.truncated());
        assert_eq!(b.text(), "abc");
        b.write(b"defg");
        assert_eq!(b.text(), "cdefg");
        assert_eq!(b.total(), 7);
        assert!(b.truncated());
        b.write(b"0123456789");
        assert_eq!(b.text(), "56789");
        assert_eq!((b.len(), b.total()), (5, 17));
    }

    #[test]
    fn notes_are_cut_at_a_character_boundary() {
        assert_eq!(truncate_note("short", 10), "short");
        assert_eq!(
            truncate_note("abcdefgh", 3),
            "abc ... (captured 3 of 8 bytes)"
        );
        // "é" is two bytes: a cut inside it moves back.
        assert_eq!(truncate_note("aéb", 2), "a ... (captured 2 of 4 bytes)");
    }

    #[test]
    fn io_errors_read_like_go() {
        let refused = std::io::Error::from_raw_os_error(111);
        assert_eq!(go_io_error(&refused), "connection refused");
        let custom = std::io::Error::other("TLS Handshake failed");
        assert_eq!(go_io_error(&custom), "TLS Handshake failed");
    }
}
