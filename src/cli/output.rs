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
}
