//! JSON Web Tokens for the `jwt` auth method: the signature checked against the method's
//! `JWTValidationPubKeys` (PEM public keys: RSA, ECDSA P-256/P-384, Ed25519), then `exp`,
//! `nbf`, `iss` and `aud` as Consul's validator checks them (with its leeways).
//!
//! Written on ring and yasna, which sd already carries for TLS, rather than a JWT crate: the
//! maintained ones bring their own big-number and ASN.1 stacks (a few hundred KB of binary
//! against a 20 MB budget that TLS and ACLs have nearly used up), for what is here a split, a
//! base64 decode and one ring call.

use base64::Engine;
use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::SubjectPublicKeyInfoDer;
use serde_json::{Map, Value};
use yasna::models::ObjectIdentifier;

/// The kinds of keys a token can be checked with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Rsa,
    P256,
    P384,
    Ed25519,
}

/// One validation key: its family and the raw key ring takes.
#[derive(Debug, Clone)]
pub struct PublicKey {
    family: Family,
    raw: Vec<u8>,
}

/// Reads a PEM `PUBLIC KEY` (SubjectPublicKeyInfo).
pub fn parse_public_key(pem: &str) -> Result<PublicKey, String> {
    let der = SubjectPublicKeyInfoDer::from_pem_slice(pem.as_bytes())
        .map_err(|e| format!("error parsing public key: {e}"))?;
    let (oid, curve, raw) = yasna::parse_der(der.as_ref(), |r| {
        r.read_sequence(|r| {
            let (oid, curve) = r.next().read_sequence(|r| {
                let oid = r.next().read_oid()?;
                let curve = r.read_optional(|r| r.read_oid())?;
                r.read_optional(|r| r.read_null())?;
                Ok((oid, curve))
            })?;
            let (bits, _) = r.next().read_bitvec_bytes()?;
            Ok((oid, curve, bits))
        })
    })
    .map_err(|e| format!("error parsing public key: {e}"))?;
    let is = |o: &ObjectIdentifier, parts: &[u64]| o.components().as_slice() == parts;
    let family = if is(&oid, &[1, 2, 840, 113549, 1, 1, 1]) {
        Family::Rsa
    } else if is(&oid, &[1, 3, 101, 112]) {
        Family::Ed25519
    } else if is(&oid, &[1, 2, 840, 10045, 2, 1]) {
        match curve {
            Some(c) if is(&c, &[1, 2, 840, 10045, 3, 1, 7]) => Family::P256,
            Some(c) if is(&c, &[1, 3, 132, 0, 34]) => Family::P384,
            _ => return Err("error parsing public key: unsupported elliptic curve".into()),
        }
    } else {
        return Err("error parsing public key: unsupported key type".into());
    };
    Ok(PublicKey { family, raw })
}

/// What a token must satisfy.
#[derive(Debug, Clone)]
pub struct Validation {
    pub keys: Vec<PublicKey>,
    /// `JWTSupportedAlgs` (Consul's default: RS256).
    pub algorithms: Vec<String>,
    pub bound_issuer: String,
    pub bound_audiences: Vec<String>,
    /// Seconds of leeway for `exp` and `nbf`, and for clock skew.
    pub expiration_leeway: i64,
    pub not_before_leeway: i64,
    pub clock_skew_leeway: i64,
}

fn algorithm(name: &str) -> Option<(Family, &'static dyn VerificationAlgorithm)> {
    Some(match name {
        "RS256" => (Family::Rsa, &signature::RSA_PKCS1_2048_8192_SHA256),
        "RS384" => (Family::Rsa, &signature::RSA_PKCS1_2048_8192_SHA384),
        "RS512" => (Family::Rsa, &signature::RSA_PKCS1_2048_8192_SHA512),
        "PS256" => (Family::Rsa, &signature::RSA_PSS_2048_8192_SHA256),
        "PS384" => (Family::Rsa, &signature::RSA_PSS_2048_8192_SHA384),
        "PS512" => (Family::Rsa, &signature::RSA_PSS_2048_8192_SHA512),
        "ES256" => (Family::P256, &signature::ECDSA_P256_SHA256_FIXED),
        "ES384" => (Family::P384, &signature::ECDSA_P384_SHA384_FIXED),
        "EdDSA" => (Family::Ed25519, &signature::ED25519),
        _ => return None,
    })
}

/// Whether sd can check tokens signed with `name`.
pub fn known_algorithm(name: &str) -> bool {
    algorithm(name).is_some()
}

fn b64(part: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|e| format!("malformed token: {e}"))
}

/// Checks `token` at Unix time `now`; its claims when it is valid.
pub fn verify(token: &str, v: &Validation, now: i64) -> Result<Map<String, Value>, String> {
    let mut parts = token.trim().split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("malformed token: a JWT has three parts separated by dots".into());
    };
    let header: Value =
        serde_json::from_slice(&b64(h)?).map_err(|e| format!("malformed token header: {e}"))?;
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !v.algorithms.iter().any(|a| a == alg) {
        return Err(format!("token is signed with {alg:?}, which the auth method does not accept (JWTSupportedAlgs)"));
    }
    let (family, verifier) =
        algorithm(alg).ok_or_else(|| format!("unsupported signing algorithm {alg:?}"))?;
    let signing_input = &token.trim()[..h.len() + 1 + p.len()];
    let sig = b64(s)?;
    let signed = v.keys.iter().filter(|k| k.family == family).any(|k| {
        UnparsedPublicKey::new(verifier, &k.raw)
            .verify(signing_input.as_bytes(), &sig)
            .is_ok()
    });
    if !signed {
        return Err("failed to verify id token signature".into());
    }
    let claims: Map<String, Value> =
        serde_json::from_slice(&b64(p)?).map_err(|e| format!("malformed token claims: {e}"))?;
    let time = |name: &str| claims.get(name).and_then(Value::as_f64).map(|t| t as i64);
    if let Some(exp) = time("exp") {
        if now > exp + v.expiration_leeway + v.clock_skew_leeway {
            return Err("token is expired (exp)".into());
        }
    }
    if let Some(nbf) = time("nbf").or_else(|| time("iat")) {
        if now + v.not_before_leeway + v.clock_skew_leeway < nbf {
            return Err("token is not yet valid (nbf)".into());
        }
    }
    if !v.bound_issuer.is_empty()
        && claims.get("iss").and_then(Value::as_str) != Some(v.bound_issuer.as_str())
    {
        return Err("invalid issuer (iss) claim".into());
    }
    if !v.bound_audiences.is_empty() {
        let aud: Vec<&str> = match claims.get("aud") {
            Some(Value::String(a)) => vec![a.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !aud.iter().any(|a| v.bound_audiences.iter().any(|b| b == a)) {
            return Err(
                "invalid audience (aud) claim: audience claim does not match any expected audience"
                    .into(),
            );
        }
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};

    /// A P-256 key pair and its public key as PEM (SPKI written with yasna).
    fn key() -> (EcdsaKeyPair, String) {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        let point = pair.public_key().as_ref().to_vec();
        let der = yasna::construct_der(|w| {
            w.write_sequence(|w| {
                w.next().write_sequence(|w| {
                    w.next()
                        .write_oid(&ObjectIdentifier::from_slice(&[1, 2, 840, 10045, 2, 1]));
                    w.next()
                        .write_oid(&ObjectIdentifier::from_slice(&[1, 2, 840, 10045, 3, 1, 7]));
                });
                w.next().write_bitvec_bytes(&point, point.len() * 8);
            })
        });
        let body = base64::engine::general_purpose::STANDARD.encode(der);
        (
            pair,
            format!("-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n"),
        )
    }

    fn sign(pair: &EcdsaKeyPair, claims: &Value) -> String {
        let enc = |v: &Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string().as_bytes())
        };
        let input = format!(
            "{}.{}",
            enc(&serde_json::json!({"alg": "ES256", "typ": "JWT"})),
            enc(claims)
        );
        let sig = pair.sign(&SystemRandom::new(), input.as_bytes()).unwrap();
        format!(
            "{input}.{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sig.as_ref())
        )
    }

    fn validation(pem: &str) -> Validation {
        Validation {
            keys: vec![parse_public_key(pem).unwrap()],
            algorithms: vec!["ES256".into()],
            bound_issuer: "https://issuer".into(),
            bound_audiences: vec!["sd".into()],
            expiration_leeway: 150,
            not_before_leeway: 150,
            clock_skew_leeway: 60,
        }
    }

    #[test]
    fn signed_tokens_pass_and_everything_else_is_refused() {
        let (pair, pem) = key();
        let v = validation(&pem);
        let now = 1_800_000_000;
        let good = serde_json::json!({"iss": "https://issuer", "aud": ["sd"], "exp": now + 60, "sub": "web"});
        let claims = verify(&sign(&pair, &good), &v, now).unwrap();
        assert_eq!(claims["sub"], "web");
        // Expired beyond the leeways, another issuer, another audience.
        let mut bad = good.clone();
        bad["exp"] = (now - 300).into();
        assert!(verify(&sign(&pair, &bad), &v, now)
            .unwrap_err()
            .contains("expired"));
        let mut bad = good.clone();
        bad["iss"] = "https://other".into();
        assert!(verify(&sign(&pair, &bad), &v, now)
            .unwrap_err()
            .contains("issuer"));
        let mut bad = good.clone();
        bad["aud"] = "else".into();
        assert!(verify(&sign(&pair, &bad), &v, now)
            .unwrap_err()
            .contains("audience"));
        // Signed by another key, tampered with, or not a JWT.
        let (other, _) = key();
        assert!(verify(&sign(&other, &good), &v, now)
            .unwrap_err()
            .contains("signature"));
        let token = sign(&pair, &good);
        let (head, rest) = token.split_once('.').unwrap();
        let (_, sig) = rest.split_once('.').unwrap();
        let forged_claims = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
            serde_json::json!({"iss": "https://issuer", "aud": "sd", "sub": "admin"}).to_string(),
        );
        assert!(verify(&format!("{head}.{forged_claims}.{sig}"), &v, now).is_err());
        assert!(verify("abc", &v, now).is_err());
        // An algorithm the method does not accept ("none" above all).
        let none = format!(
            "{}.{}.",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(good.to_string())
        );
        assert!(verify(&none, &v, now)
            .unwrap_err()
            .contains("does not accept"));
        assert!(parse_public_key("not a key").is_err());
    }
}
