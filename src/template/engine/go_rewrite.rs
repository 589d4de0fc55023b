//! Rewrites of a Go template's source before gotmpl parses it, for what gotmpl does not do as
//! Go does. Every rewrite keeps the text's length and line breaks, so the line and column of a
//! parse error still point at the user's file.
//!
//! - `scratch.Set` (a method call on `scratch`) becomes the function `scratch_Set`
//!   (`go_scratch` registers them);
//! - a comment that trims only on its left (`{{- /* x */}}`) becomes `{{- ""  }}`, an action
//!   printing nothing: gotmpl also trims the text after such a comment, Go does not.

/// The scratch methods, longest first so `SetX` is not read as `Set`.
const METHODS: &[&str] = &[
    "MapValues",
    "MapSetX",
    "MapSet",
    "SetX",
    "Set",
    "Get",
    "Key",
];

/// `src` rewritten inside its `left`..`right` actions.
pub(crate) fn rewrite(src: &str, left: &str, right: &str) -> String {
    if !src.contains("scratch.") && !src.contains("/*") {
        return src.to_string();
    }
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(start) = rest.find(left) {
        let (text, action) = rest.split_at(start);
        out.push_str(text);
        // A comment ends at `*/` followed by the right delimiter; anything else at the first
        // right delimiter.
        let body = &action[left.len()..];
        let trimmed = body.strip_prefix("- ").unwrap_or(body).trim_start();
        let end = if trimmed.starts_with("/*") {
            let plain = body.find(&format!("*/{right}")).map(|e| e + 2);
            let trimming = body.find(&format!("*/ -{right}")).map(|e| e + 4);
            plain.into_iter().chain(trimming).min()
        } else {
            body.find(right)
        };
        let Some(end) = end else {
            out.push_str(action);
            return out;
        };
        let whole = &action[..left.len() + end + right.len()];
        out.push_str(&rewrite_action(whole, left, right));
        rest = &action[whole.len()..];
    }
    out.push_str(rest);
    out
}

fn rewrite_action(action: &str, left: &str, right: &str) -> String {
    let inner = &action[left.len()..action.len() - right.len()];
    if let Some(comment) = inner.strip_prefix("- ") {
        let comment = comment.trim_start();
        let right_trim = comment.ends_with(" -");
        if comment.starts_with("/*") && !right_trim && !comment.contains('\n') {
            let filler = "- \"\"";
            if inner.len() >= filler.len() {
                return format!(
                    "{left}{filler}{}{right}",
                    " ".repeat(inner.len() - filler.len())
                );
            }
        }
    }
    rename_scratch(action)
}

fn rename_scratch(action: &str) -> String {
    let mut out = action.to_string();
    for m in METHODS {
        let from = format!("scratch.{m}");
        let mut search = 0;
        while let Some(pos) = out[search..].find(&from).map(|p| p + search) {
            let before_ok = out[..pos]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '$'));
            let after = out[pos + from.len()..].chars().next();
            let after_ok = after.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
            if before_ok && after_ok {
                out.replace_range(pos..pos + from.len(), &format!("scratch_{m}"));
            }
            search = pos + from.len();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_methods_are_renamed_inside_actions_only() {
        let src = "scratch.Set stays {{ scratch.Set \"a\" 1 }}{{scratch.SetX \"b\" 2}}{{ $x.scratch.Get }}";
        assert_eq!(
            rewrite(src, "{{", "}}"),
            "scratch.Set stays {{ scratch_Set \"a\" 1 }}{{scratch_SetX \"b\" 2}}{{ $x.scratch.Get }}"
        );
        assert_eq!(
            rewrite("[[ scratch.Get \"a\" ]]", "[[", "]]"),
            "[[ scratch_Get \"a\" ]]"
        );
    }

    #[test]
    fn left_trimmed_comments_become_empty_actions_of_the_same_length() {
        let src = "a\n{{- /* x */}}\nb{{/* y */}}{{- /* z */ -}}{{- /* }} */}}";
        let out = rewrite(src, "{{", "}}");
        assert_eq!(
            out,
            "a\n{{- \"\"     }}\nb{{/* y */}}{{- /* z */ -}}{{- \"\"      }}"
        );
        assert_eq!(out.len(), src.len());
    }
}
