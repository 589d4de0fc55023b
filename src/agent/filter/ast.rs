//! The syntax tree of a filter expression, as the parser produces it: selectors and values are
//! still raw text here; [`super::compile`] checks them against a schema and converts them.

/// A boolean expression. `and`/`or` chains are kept flat (one node per chain) so a long chain
/// does not make the tree deep.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Match(MatchExpr),
}

/// One matching expression: a selector, an operator and (except for `is [not] empty`) a value.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchExpr {
    pub selector: Selector,
    pub op: MatchOp,
    pub value: Option<String>,
}

/// A dotted or bracketed path such as `Service.Meta["k-1"]`, one element per name or key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector(pub Vec<String>);

impl Selector {
    /// The selector as Consul prints it in errors: its parts joined by `.`.
    pub fn display(&self) -> String {
        self.0.join(".")
    }
}

/// The matching operators. `contains` is `In` and `not contains` is `NotIn` with the operands
/// the other way round, as in go-bexpr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOp {
    Equal,
    NotEqual,
    In,
    NotIn,
    IsEmpty,
    IsNotEmpty,
    Matches,
    NotMatches,
}

impl MatchOp {
    /// The operator's name in go-bexpr's error messages.
    pub fn name(self) -> &'static str {
        match self {
            MatchOp::Equal => "Equal",
            MatchOp::NotEqual => "Not Equal",
            MatchOp::In => "In",
            MatchOp::NotIn => "Not In",
            MatchOp::IsEmpty => "Is Empty",
            MatchOp::IsNotEmpty => "Is Not Empty",
            MatchOp::Matches => "Matches",
            MatchOp::NotMatches => "Not Matches",
        }
    }

    /// The result when the selector names a map key that is absent: nothing equals, contains
    /// or matches a missing value, and a missing value is empty.
    pub fn when_key_missing(self) -> bool {
        matches!(
            self,
            MatchOp::NotEqual | MatchOp::NotIn | MatchOp::IsEmpty | MatchOp::NotMatches
        )
    }
}
