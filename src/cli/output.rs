//! The only module that prints. Commands write results to stdout and diagnostics to stderr
//! through these functions, so formats (columns, tab-aligned blocks) live in one place.

use std::io::Write;
use std::process::ExitCode;

/// Writes `text` and a newline to stdout. A closed pipe (`sd kv get -recurse | head`) is not an error.
pub fn println(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
}

/// Writes raw bytes to stdout (a KV value as stored, no newline added).
pub fn write_raw(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes);
    let _ = out.flush();
}

/// Writes `text` and a newline to stderr.
pub fn eprintln(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}");
}

/// Prints a clap parse failure: help and version go to stdout with exit 0, usage errors to
/// stderr with exit 2.
pub fn clap_error(err: clap::Error) -> ExitCode {
    let _ = err.print();
    match err.kind() {
        clap::error::ErrorKind::DisplayHelp
        | clap::error::ErrorKind::DisplayVersion
        | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => ExitCode::SUCCESS,
        _ => ExitCode::from(2),
    }
}

/// Lays out rows the way Consul's `columnize` does: left-aligned columns separated by two spaces,
/// the last column unpadded, trailing spaces trimmed.
pub fn columnize(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; columns];
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                let pad = widths[i] - cell.chars().count() + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Lays out `key value` pairs like Go's tabwriter with the given minimum padding
/// (`consul kv get -detailed` uses 6... see the command for its exact settings).
pub fn tabwrite(rows: &[(String, String)], min_pad: usize) -> String {
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        + min_pad;
    let mut out = String::new();
    for (k, v) in rows {
        out.push_str(k);
        out.extend(std::iter::repeat_n(' ', width - k.chars().count()));
        out.push_str(v);
        out.push('\n');
    }
    out
}

/// Lays out `text` the way Go's `text/tabwriter` does with `padchar ' '` and no flags: every
/// tab-terminated cell belongs to a column, a column block is a run of consecutive lines that
/// have a cell in that column, and each block is as wide as its widest cell plus `padding`
/// (at least `minwidth`). Text after a line's last tab is not aligned. Works on bytes, so
/// values that are not UTF-8 pass through untouched.
pub fn go_tabwriter(text: &[u8], minwidth: usize, padding: usize) -> Vec<u8> {
    let lines: Vec<Vec<&[u8]>> = text
        .split(|&b| b == b'\n')
        .map(|line| line.split(|&b| b == b'\t').collect())
        .collect();
    let mut tw = TabWriter {
        lines: &lines,
        widths: Vec::new(),
        minwidth,
        padding,
        out: Vec::with_capacity(text.len() + 64),
    };
    tw.format(0, lines.len());
    tw.out
}

struct TabWriter<'a> {
    lines: &'a [Vec<&'a [u8]>],
    widths: Vec<usize>,
    minwidth: usize,
    padding: usize,
    out: Vec<u8>,
}

impl TabWriter<'_> {
    fn format(&mut self, mut line0: usize, line1: usize) {
        let column = self.widths.len();
        let has_cell = |line: &Vec<&[u8]>| column + 1 < line.len();
        let mut this = line0;
        while this < line1 {
            if !has_cell(&self.lines[this]) {
                this += 1;
                continue;
            }
            self.write_lines(line0, this);
            line0 = this;
            let mut width = self.minwidth;
            while this < line1 && has_cell(&self.lines[this]) {
                width = width.max(text_width(self.lines[this][column]) + self.padding);
                this += 1;
            }
            self.widths.push(width);
            self.format(line0, this);
            self.widths.pop();
            line0 = this;
        }
        self.write_lines(line0, line1);
    }

    fn write_lines(&mut self, line0: usize, line1: usize) {
        for i in line0..line1 {
            for (j, cell) in self.lines[i].iter().enumerate() {
                self.out.extend_from_slice(cell);
                if let Some(&w) = self.widths.get(j) {
                    let pad = w.saturating_sub(text_width(cell));
                    self.out.extend(std::iter::repeat_n(b' ', pad));
                }
            }
            if i + 1 < self.lines.len() {
                self.out.push(b'\n');
            }
        }
    }
}

/// Characters in `cell` as Go's `utf8.RuneCount` sees them (continuation bytes do not count).
fn text_width(cell: &[u8]) -> usize {
    cell.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

/// `v` as JSON indented by `width` spaces per level (Go's `json.MarshalIndent`).
pub fn indented_json<T: serde::Serialize>(v: &T, width: usize) -> String {
    let indent = " ".repeat(width);
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut out,
        serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes()),
    );
    // Serialising plain wire types cannot fail.
    let _ = v.serialize(&mut ser);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columnize_pads_all_but_last() {
        let rows = vec![
            vec!["Node".into(), "Address".into(), "Status".into()],
            vec![
                "consul-server01".into(),
                "10.0.0.1:8301".into(),
                "alive".into(),
            ],
        ];
        assert_eq!(
            columnize(&rows),
            "Node             Address        Status\nconsul-server01  10.0.0.1:8301  alive\n"
        );
    }

    #[test]
    fn go_tabwriter_aligns_kv_detail_block() {
        let text = b"CreateIndex\t336\nFlags\t0\nKey\tredis/maxconns\nSession\t-\nValue\t5";
        let out = String::from_utf8(go_tabwriter(text, 0, 6)).unwrap();
        assert_eq!(
            out,
            "CreateIndex      336\nFlags            0\nKey              redis/maxconns\n\
             Session          -\nValue            5"
        );
    }

    #[test]
    fn go_tabwriter_blocks_break_on_lines_without_the_column() {
        // A value with a newline: its second line has no cell, so it is printed as is.
        let text = b"Key\tk\nValue\ta\nb\nX\tc\n";
        let out = String::from_utf8(go_tabwriter(text, 0, 2)).unwrap();
        assert_eq!(out, "Key    k\nValue  a\nb\nX  c\n");
        // Non-UTF-8 bytes pass through, multi-byte characters count once.
        let out = go_tabwriter(b"\xc3\xa9\tx\nab\t\xff", 0, 1);
        assert_eq!(out, b"\xc3\xa9  x\nab \xff");
    }
}
