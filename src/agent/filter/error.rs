//! Why a filter expression was refused. Every message starts as Consul's does
//! (`Failed to create boolean expression evaluator: `) so the HTTP layer can send it as is.

/// A filter that cannot be used: malformed, too large, or naming a selector, operator or value
/// the endpoint's schema does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// Malformed text, at a position given as Consul does: `line:column (byte offset)`, the
    /// line and column counted from 1, the column in characters.
    #[error(
        "Failed to create boolean expression evaluator: {line}:{column} ({offset}): {message}"
    )]
    Syntax {
        offset: usize,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("Failed to create boolean expression evaluator: the filter is {len} bytes long; at most {max} are accepted")]
    TooLong { len: usize, max: usize },
    #[error("Failed to create boolean expression evaluator: Selector {selector:?} is not valid")]
    InvalidSelector { selector: String },
    #[error("Failed to create boolean expression evaluator: Invalid match operator {operator:?} for selector {selector:?}")]
    InvalidOperator {
        operator: &'static str,
        selector: String,
    },
    #[error("Failed to create boolean expression evaluator: Failed to coerce value {value:?} for selector {selector:?}: {reason}")]
    Coerce {
        value: String,
        selector: String,
        reason: String,
    },
    #[error("Failed to create boolean expression evaluator: Failed to compile regular expression {pattern:?}: {reason}")]
    Regex { pattern: String, reason: String },
    #[error("Failed to create boolean expression evaluator: the filter has more than {max} regular expressions")]
    TooManyRegexes { max: usize },
}

impl FilterError {
    /// A syntax error at byte `offset` of `src`.
    pub(crate) fn syntax(src: &str, offset: usize, message: impl Into<String>) -> FilterError {
        let mut offset = offset.min(src.len());
        while !src.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = src.get(..offset).unwrap_or(src);
        let line = 1 + before.matches('\n').count();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = 1 + before.get(line_start..).map_or(0, |s| s.chars().count());
        FilterError::Syntax {
            offset,
            line,
            column,
            message: message.into(),
        }
    }

    /// The byte offset a syntax error points at.
    pub fn offset(&self) -> Option<usize> {
        match self {
            FilterError::Syntax { offset, .. } => Some(*offset),
            _ => None,
        }
    }
}
