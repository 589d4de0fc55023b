//! Arithmetic: `add`, `subtract`, `multiply`, `divide`, `modulo`, `minimum`, `maximum`, with
//! consul-template's reversed order (the piped value is the left operand: `{{ 5 | subtract 2 }}`
//! and `subtract 2 5` are both 3). Two integers give an integer, a float makes it a float, as Go's
//! reflection-based helpers do.

use gotmpl::Value;

use super::{arity, fail, value_fn};

/// An operand.
#[derive(Clone, Copy)]
enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    fn of(function: &str, v: &Value) -> gotmpl::Result<Num> {
        match v {
            Value::Int(i) => Ok(Num::Int(*i)),
            Value::Uint(u) => i64::try_from(*u)
                .map(Num::Int)
                .map_err(|_| fail(function, "integer too large")),
            Value::Float(f) => Ok(Num::Float(*f)),
            other => Err(fail(
                function,
                format!("unknown type for {other:?} ({})", other.type_name()),
            )),
        }
    }

    fn float(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }

    fn value(self) -> Value {
        match self {
            Num::Int(i) => Value::Int(i),
            Num::Float(f) => Value::Float(f),
        }
    }
}

type IntOp = fn(i64, i64) -> Option<i64>;
type FloatOp = fn(f64, f64) -> Option<f64>;

pub(super) fn register(map: &mut gotmpl::FuncMap) {
    let ops: [(&'static str, IntOp, Option<FloatOp>); 7] = [
        ("add", i64::checked_add, Some(|a, b| Some(a + b))),
        ("subtract", i64::checked_sub, Some(|a, b| Some(a - b))),
        ("multiply", i64::checked_mul, Some(|a, b| Some(a * b))),
        (
            "divide",
            |a, b| a.checked_div(b),
            Some(|a, b| (b != 0.0).then_some(a / b)),
        ),
        ("modulo", |a, b| a.checked_rem(b), None),
        (
            "minimum",
            |a, b| Some(a.min(b)),
            Some(|a, b| Some(a.min(b))),
        ),
        (
            "maximum",
            |a, b| Some(a.max(b)),
            Some(|a, b| Some(a.max(b))),
        ),
    ];
    for (name, int_op, float_op) in ops {
        value_fn(map, name, move |args| {
            arity(name, args, 2)?;
            // consul-template's order: f(b, a) computes a <op> b.
            let (b, a) = (Num::of(name, &args[0])?, Num::of(name, &args[1])?);
            let result = match (a, b, float_op) {
                (Num::Int(x), Num::Int(y), _) => int_op(x, y).map(Num::Int),
                (_, _, Some(op)) => op(a.float(), b.float()).map(Num::Float),
                (_, _, None) => return Err(fail(name, "needs integers")),
            };
            result
                .map(Num::value)
                .ok_or_else(|| fail(name, "division by zero or overflow"))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{ok, render};

    #[test]
    fn reversed_order_and_types() {
        let cases = [
            (
                "{{ add 1 2 }} {{ subtract 2 5 }} {{ 5 | subtract 2 }}",
                "3 3 3",
            ),
            (
                "{{ multiply 3 4 }} {{ divide 2 10 }} {{ 10 | divide 4 }} {{ modulo 3 10 }}",
                "12 5 2 1",
            ),
            ("{{ add 1.5 2 }} {{ divide 4.0 10 }}", "3.5 2.5"),
            (
                "{{ minimum 3 5 }} {{ maximum 3 5 }} {{ minimum 1.5 2 }}",
                "3 5 1.5",
            ),
        ];
        for (src, want) in cases {
            assert_eq!(ok(src), want, "{src}");
        }
    }

    #[test]
    fn errors() {
        for src in [
            "{{ divide 0 1 }}",
            "{{ modulo 0 1 }}",
            "{{ modulo 1.5 2 }}",
            "{{ add \"1\" 2 }}",
        ] {
            assert!(render(src, &[]).is_err(), "{src}");
        }
    }
}
