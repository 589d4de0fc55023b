//! The shape of the values an endpoint filters: which selectors exist and what type each has.
//! go-bexpr derives this by reflection from Go structs; here each endpoint declares it once as
//! a constant (see [`super::schemas`]). Field names are the selector names, which are also the
//! JSON keys of Consul's PascalCase output.
//!
//! What each type allows, as go-bexpr (v0.1.2) does:
//!
//! | type | operators | deeper selectors |
//! |---|---|---|
//! | string | `==`, `!=`, `in`/`contains` (substring), `matches` | none |
//! | int, uint, float, bool | `==`, `!=` | none |
//! | list of scalars | `in`/`contains` (element), `is empty` | none |
//! | list of structs | `is empty` | the element's fields (true if any element matches) |
//! | map of string to T | `in`/`contains` (key), `is empty` | any key, then what T allows |
//! | struct | none | its fields |

/// The type of a scalar: a selector's value is converted to it before comparing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    String,
    /// A signed integer (Go's `int`, 64 bits).
    Int,
    /// An unsigned integer (ports, indexes, protocol versions).
    Uint,
    Float,
    Bool,
}

/// The type of a field.
#[derive(Debug, Clone, Copy)]
pub enum Type {
    Scalar(Scalar),
    /// A list of scalars, such as `Tags`.
    List(Scalar),
    /// A list of objects, such as a service entry's `Checks`.
    ListOf(&'static Schema),
    /// An object keyed by arbitrary strings, such as `Meta` (`Map(&Type::STRING)`) or
    /// `TaggedAddresses` of a service (`Map` of an address struct).
    Map(&'static Type),
    /// A nested object with fixed fields, such as `Weights`.
    Struct(&'static Schema),
}

impl Type {
    pub const STRING: Type = Type::Scalar(Scalar::String);
    pub const INT: Type = Type::Scalar(Scalar::Int);
    pub const UINT: Type = Type::Scalar(Scalar::Uint);
    pub const FLOAT: Type = Type::Scalar(Scalar::Float);
    pub const BOOL: Type = Type::Scalar(Scalar::Bool);
    pub const STRINGS: Type = Type::List(Scalar::String);
    pub const STRING_MAP: Type = Type::Map(&Type::STRING);
}

/// One field of an object: its selector name (= JSON key) and type.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub ty: Type,
}

/// A field, for schema tables.
pub const fn field(name: &'static str, ty: Type) -> Field {
    Field { name, ty }
}

/// The fields of an object type, such as the element of `/v1/catalog/service/:service`.
#[derive(Debug)]
pub struct Schema {
    /// A name for messages and debugging, such as `CatalogService`.
    pub name: &'static str,
    pub fields: &'static [Field],
}

impl Schema {
    /// The field called `name` (selectors are case-sensitive, as in Consul).
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Every valid selector with its type, `<any>` standing for a map key, in the style of
    /// Consul's per-endpoint selector tables (for documentation and tests).
    pub fn selectors(&self) -> Vec<(String, Type)> {
        let mut out = Vec::new();
        for f in self.fields {
            walk(f.name.to_string(), f.ty, 0, &mut out);
        }
        out
    }
}

fn walk(path: String, ty: Type, depth: usize, out: &mut Vec<(String, Type)>) {
    out.push((path.clone(), ty));
    if depth > 8 {
        return;
    }
    match ty {
        Type::Struct(s) | Type::ListOf(s) => {
            for f in s.fields {
                walk(format!("{path}.{}", f.name), f.ty, depth + 1, out);
            }
        }
        Type::Map(value) => walk(format!("{path}.<any>"), *value, depth + 1, out),
        Type::Scalar(_) | Type::List(_) => {}
    }
}
