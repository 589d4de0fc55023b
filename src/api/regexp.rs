//! Regular expressions that come from outside: `?filter=` `matches`, user event filters (also
//! as they arrive by gossip), prepared query templates, template functions and registrator's
//! tag functions. The regex crate compiles a pattern recursively and accepts 250 levels of
//! nesting; a pattern of 250 stacked repetitions (`a***...`) overflows a 2 MiB thread in a
//! debug build (found by fuzzing the filter). Patterns from outside get a limit far below
//! that and far above what anybody writes.

use regex::{Regex, RegexBuilder};

/// How deeply groups, classes and repetitions may nest.
pub const MAX_NESTING: u32 = 64;

/// A builder for `pattern` with the nesting limit set.
pub fn builder(pattern: &str) -> RegexBuilder {
    let mut b = RegexBuilder::new(pattern);
    b.nest_limit(MAX_NESTING);
    b
}

/// `pattern` compiled with the nesting limit.
pub fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    builder(pattern).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_refused_shallow_is_not() {
        let stacked = |n: usize| format!("a{}", "*".repeat(n));
        assert!(compile(&stacked(MAX_NESTING as usize - 1)).is_ok());
        assert!(compile(&stacked(250)).is_err());
        assert!(compile(&stacked(5000)).is_err());
        let groups = |n: usize| format!("{}a{}", "(".repeat(n), ")".repeat(n));
        assert!(compile(&groups(MAX_NESTING as usize - 1)).is_ok());
        assert!(compile(&groups(250)).is_err());
        assert!(compile(r"^web-(\d+)\.(eu|us)$").is_ok());
    }
}
