//! The check HCL text passes before hcl-rs parses it. hcl-rs's parser (hcl-edit) parses some
//! operands twice: when a chain of binary operators (`1-2-x[...`) meets an operand whose parse
//! fails softly (an unclosed `[`, a lone `!`, `&` or `|`, an unterminated string), its
//! `binary_ops` rewinds to before that operand and `expr_inner` enters `binary_ops` again at
//! the same place. Each bracket or `${...}` opened inside such an operand doubles the work:
//! 26 levels took 15 s on 659 bytes of ACL rules, 12 levels 3.5 s on 720 bytes of config
//! (bugs 2 and 14 in docs/reliability.md), each level about 2x. Real files nest a few levels
//! (a service's checks' headers: 6) and rarely use operators at all.
//!
//! The scan reads expression text, quoted strings and heredocs (their `${...}` and `%{...}`
//! are expression text again) and skips comments. It measures how deep brackets and
//! interpolations nest, and how many of the open levels were opened after an operator in the
//! expression around them. Either past its cap refuses the text with a message that says so.
//! It errs on the safe side: a unary minus counts as an operator, and a comma, `=`, `:` or `?`
//! (or a new line in a body or an object) starts a new expression.
//!
//! Part of `config`, the only module that reads environment variables.

/// The deepest brackets and interpolations HCL text may nest.
pub(crate) const MAX_NESTING: usize = 12;

/// The most nested levels that may be opened after an operator: hcl-edit's worst case is
/// 2^8 = 256 parses of the innermost operand, a few tens of milliseconds on 8 KB.
pub(crate) const MAX_OPERAND_NESTING: usize = 8;

/// Refuses `text` when hcl-rs could take seconds on it (see the module header).
pub(crate) fn check(text: &str) -> Result<(), String> {
    let depths = measure(text);
    if depths.nesting > MAX_NESTING {
        return Err(format!(
            "brackets or interpolations nested more than {MAX_NESTING} deep"
        ));
    }
    if depths.operand > MAX_OPERAND_NESTING {
        return Err(format!(
            "brackets or interpolations nested more than {MAX_OPERAND_NESTING} deep inside \
             operators' operands"
        ));
    }
    Ok(())
}

/// The deepest nesting found, and the most levels opened after an operator.
#[derive(Debug, Default, PartialEq, Eq)]
struct Depths {
    nesting: usize,
    operand: usize,
}

/// What the scan is inside of. `level` counts the brackets and interpolations open around
/// (and including) a code frame; `operand` counts those of them opened after an operator.
enum Frame {
    /// Expression text: the body, or inside `(`, `[`, `{`, `${` or `%{`. `after_op` says
    /// whether an operator came before, in the expression being read at this level; `lines`
    /// says whether a new line ends that expression (a body or an object).
    Code {
        level: usize,
        operand: usize,
        after_op: bool,
        lines: bool,
    },
    /// A quoted string's text; an interpolation in it is one level deeper than `level`.
    Quoted { level: usize, operand: usize },
    /// A heredoc's text, up to a line holding only `marker`.
    Heredoc {
        level: usize,
        operand: usize,
        marker: Vec<u8>,
    },
}

/// Whether the scan is in a word: a minus inside an identifier (`node-name`) is part of it,
/// as in HCL. After a number it is an operator (`1e-3` counts too, on the safe side).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Word {
    None,
    Ident,
    Number,
}

fn measure(text: &str) -> Depths {
    let b = text.as_bytes();
    let mut depths = Depths::default();
    let mut stack = vec![Frame::Code {
        level: 0,
        operand: 0,
        after_op: false,
        lines: true,
    }];
    let mut word = Word::None;
    let mut i = 0;
    while i < b.len() {
        let next = b.get(i + 1).copied();
        match stack.last_mut() {
            Some(Frame::Code {
                level,
                operand,
                after_op,
                lines,
            }) => {
                let c = b[i];
                let was = word;
                word = Word::None;
                // What a string, heredoc or bracket opened here starts from.
                let (level, operand) = (*level, *operand + usize::from(*after_op));
                match c {
                    b'\n' if *lines => *after_op = false,
                    b'#' => i = line_end(b, i),
                    b'/' if next == Some(b'/') => i = line_end(b, i),
                    b'/' if next == Some(b'*') => i = comment_end(b, i + 2),
                    b'"' => stack.push(Frame::Quoted { level, operand }),
                    b'<' if next == Some(b'<') => match heredoc_start(b, i) {
                        Some((marker, body)) => {
                            stack.push(Frame::Heredoc {
                                level,
                                operand,
                                marker,
                            });
                            i = body - 1;
                        }
                        None => *after_op = true,
                    },
                    b'(' | b'[' | b'{' => {
                        stack.push(Frame::Code {
                            level: level + 1,
                            operand,
                            after_op: false,
                            lines: c == b'{',
                        });
                        depths.note(level + 1, operand);
                    }
                    b')' | b']' | b'}' if level > 0 => {
                        stack.pop();
                    }
                    b',' | b'?' | b':' => *after_op = false,
                    b'=' if next == Some(b'=') => {
                        *after_op = true;
                        i += 1;
                    }
                    b'=' => *after_op = false,
                    b'!' | b'+' | b'-' | b'*' | b'/' | b'%' | b'<' | b'>' | b'&' | b'|'
                        if !(c == b'-' && was == Word::Ident) =>
                    {
                        *after_op = true
                    }
                    b'-' => word = Word::Ident,
                    b'0'..=b'9' | b'.' if was == Word::Number => word = Word::Number,
                    b'0'..=b'9' if was == Word::None => word = Word::Number,
                    b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'0'..=b'9' | 0x80.. => {
                        word = if was == Word::Number {
                            Word::Number
                        } else {
                            Word::Ident
                        }
                    }
                    _ => {}
                }
            }
            Some(Frame::Quoted { level, operand }) => {
                let (level, operand) = (*level, *operand);
                match b[i] {
                    b'\\' => i += 1,
                    // A quoted string may span lines in hcl-edit (bug 21): it ends at a quote.
                    b'"' => {
                        stack.pop();
                    }
                    _ => i = interpolation(b, i, (level, operand), &mut stack, &mut depths),
                }
            }
            Some(Frame::Heredoc {
                level,
                operand,
                marker,
            }) => {
                if let Some(end) = (i == 0 || b[i - 1] == b'\n')
                    .then(|| closes(b, i, marker))
                    .flatten()
                {
                    i = end;
                    stack.pop();
                    word = Word::None;
                    continue;
                }
                let at = (*level, *operand);
                i = interpolation(b, i, at, &mut stack, &mut depths);
            }
            None => break,
        }
        i += 1;
    }
    depths
}

impl Depths {
    fn note(&mut self, nesting: usize, operand: usize) {
        self.nesting = self.nesting.max(nesting);
        self.operand = self.operand.max(operand);
    }
}

/// In a string's or heredoc's text at `i`, `at` being its (level, operand): opens an
/// interpolation or directive (`${`, `%{`) as code, skips an escaped one (`$${`, `%%{`).
/// Returns the last byte index it read.
fn interpolation(
    b: &[u8],
    i: usize,
    (level, operand): (usize, usize),
    stack: &mut Vec<Frame>,
    depths: &mut Depths,
) -> usize {
    let c = b[i];
    if c != b'$' && c != b'%' {
        return i;
    }
    match (b.get(i + 1), b.get(i + 2)) {
        (Some(&d), Some(b'{')) if d == c => i + 2,
        (Some(b'{'), _) => {
            stack.push(Frame::Code {
                level: level + 1,
                operand,
                after_op: false,
                lines: false,
            });
            depths.note(level + 1, operand);
            i + 1
        }
        _ => i,
    }
}

/// `<<MARKER` or `<<-MARKER` then a line end at `i`: the marker and where the text begins.
fn heredoc_start(b: &[u8], i: usize) -> Option<(Vec<u8>, usize)> {
    let mut j = i + 2;
    if b.get(j) == Some(&b'-') {
        j += 1;
    }
    let start = j;
    while b
        .get(j)
        .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-'))
    {
        j += 1;
    }
    if j == start || !b[start].is_ascii_alphabetic() && b[start] != b'_' {
        return None;
    }
    let marker = b[start..j].to_vec();
    if b.get(j) == Some(&b'\r') {
        j += 1;
    }
    (b.get(j) == Some(&b'\n')).then_some((marker, j + 1))
}

/// Where the heredoc's end marker stops, when the line at `i` ends the heredoc: blanks,
/// `marker`, then anything but an identifier's character (as hcl-edit reads it; what follows
/// on the line is code again).
fn closes(b: &[u8], i: usize, marker: &[u8]) -> Option<usize> {
    let blanks = b[i..]
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t'))
        .count();
    let at = i + blanks;
    let ends = b[at..].starts_with(marker)
        && !b
            .get(at + marker.len())
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-'));
    ends.then_some(at + marker.len())
}

/// The index of the new line that ends the line at `i` (or the text's end).
fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p)
}

/// The index of the `/` closing a block comment whose text starts at `i` (or the text's end).
fn comment_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .windows(2)
        .position(|w| w == b"*/")
        .map_or(b.len(), |p| i + p + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depths(text: &str) -> (usize, usize) {
        let d = measure(text);
        (d.nesting, d.operand)
    }

    #[test]
    fn strings_comments_and_heredoc_text_do_not_count() {
        assert_eq!(depths(r#"a = [{ b = "((((" }] # [[[["#), (2, 0));
        assert_eq!(depths("/* {{{{ */ x = (1)\n// [[[\n"), (1, 0));
        assert_eq!(depths(r#"s = "\"[" t = [1]"#), (1, 0));
        let heredoc = "args = <<-EOT\n  [ -f x ] && [[ $a ]] | {{{\n  EOT\nb = [1]\n";
        assert_eq!(depths(heredoc), (1, 0));
        assert_eq!(depths("a = <<EOF\nEOF-not\n[[[\nEOF\n"), (0, 0));
        // The rest of the closing line is code again, as hcl-edit reads it.
        assert_eq!(depths("a = <<EOF\n[[\nEOF -1-[[\n"), (2, 1));
    }

    #[test]
    fn interpolations_count_as_levels() {
        assert_eq!(depths(r#"a = "${[1]}""#), (2, 0));
        assert_eq!(depths(r#"a = "$${[1]}""#), (0, 0));
        assert_eq!(depths("a = <<EOF\nx ${f([1])}\nEOF\n"), (3, 0));
        assert_eq!(depths(r#"a = "${"${1-[2]}"}""#), (3, 1));
    }

    #[test]
    fn levels_opened_after_an_operator_are_counted() {
        assert_eq!(depths("a = 1 - 2 - x[1 + [3]]"), (2, 2));
        // A comma, `=`, `:`, `?` or a body's new line start a new expression.
        assert_eq!(depths("a = 1 - 2\nb = [1, [2]]"), (2, 0));
        assert_eq!(depths("a = [1 - 2, [3]]"), (2, 0));
        assert_eq!(depths("a = { b = 1 - 2\n c = [3] }"), (2, 0));
        assert_eq!(depths("a = x == 1 ? [1] : [2]"), (1, 0));
        assert_eq!(depths("a = x == [1]"), (1, 1));
        // A minus inside an identifier is not an operator; after a number it is.
        assert_eq!(depths("a = node-name[x-y[0]]"), (2, 0));
        assert_eq!(depths("a = x[1e-3[0]]"), (2, 1));
        assert_eq!(depths("a = 1-[2e-[3]]"), (2, 2));
        assert_eq!(depths(r#"a = -1 + "${[1]}""#), (2, 1));
    }

    #[test]
    fn a_quoted_string_goes_on_past_its_line() {
        // hcl-edit reads `"x<new line>y"` as one string, so an unclosed quote's interpolations
        // on later lines nest inside it (bug 21: 24 lines of them took 5 s).
        assert_eq!(depths("a = \"x\ny\"\nb = [1]"), (1, 0));
        assert_eq!(depths("a = \"${1-\"\n${1-\"\n${1-[1]}\"}\"}\""), (4, 3));
    }

    #[test]
    fn check_names_the_cap_passed() {
        let deep = format!("a = {}1{}", "[".repeat(13), "]".repeat(13));
        assert!(check(&format!("a = {}1{}", "[".repeat(12), "]".repeat(12))).is_ok());
        assert!(check(&deep)
            .unwrap_err()
            .contains("nested more than 12 deep"));
        let chain = |n: usize| format!("a = {}1{}", "1-2-x[".repeat(n), "]".repeat(n));
        assert!(check(&chain(MAX_OPERAND_NESTING)).is_ok());
        let err = check(&chain(MAX_OPERAND_NESTING + 1)).unwrap_err();
        assert!(err.contains("8 deep inside operators' operands"), "{err}");
        // The first interpolation is not after an operator.
        let strings = |n: usize| format!("a = {}1", r#""${1-2-"#.repeat(n));
        assert!(check(&strings(MAX_OPERAND_NESTING + 1)).is_ok());
        let strings = strings(MAX_OPERAND_NESTING + 2);
        assert!(check(&strings).is_err());
    }

    #[test]
    fn a_long_flat_file_passes() {
        let service = "service {\n  name = \"web-1\"\n  tags = [\"a\", \"b\"]\n  port = 80\n  \
                       check {\n    args = [\"/bin/check\", \"-x\"]\n    interval = \"10s\"\n  }\n}\n";
        assert_eq!(depths(&service.repeat(500)), (3, 0));
        assert!(check(&service.repeat(500)).is_ok());
    }
}
