//! The CA that signs `sd tls cert create`'s certificates, read from its PEM files: its key,
//! and its subject name, which becomes each certificate's issuer name byte for byte (verifiers
//! find the issuer by that name). rcgen reads certificates only through x509-parser, a few
//! hundred KB of binary for one field, so the name is read here with yasna, the DER library
//! rcgen itself uses: a CA made by `sd tls ca create`, Consul or openssl works.

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DistinguishedName, DnType, DnValue, IsCa,
    KeyPair,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use yasna::models::ObjectIdentifier;
use yasna::{ASN1Error, ASN1ErrorKind, BERReader, Tag};

use crate::commands::CliError;

/// A CA able to sign: its certificate as rcgen sees it, and its key.
pub struct Issuer {
    pub cert: Certificate,
    pub key: KeyPair,
}

impl Issuer {
    /// Reads the CA certificate and key files.
    pub fn read(ca_file: &str, key_file: &str) -> Result<Issuer, CliError> {
        let pem = std::fs::read(ca_file)
            .map_err(|e| CliError::failure(format!("Error reading CA: {e}")))?;
        let der = CertificateDer::from_pem_slice(&pem)
            .map_err(|e| CliError::failure(format!("Error reading CA: {ca_file}: {e}")))?;
        let key_pem = std::fs::read_to_string(key_file)
            .map_err(|e| CliError::failure(format!("Error reading CA key: {e}")))?;
        let key = KeyPair::from_pem(&key_pem).map_err(|e| {
            CliError::failure(format!(
                "Error reading CA key: {key_file}: {e} (a PKCS#8 ECDSA, Ed25519 or RSA key is needed; convert an \"EC PRIVATE KEY\" with `openssl pkcs8 -topk8 -nocrypt`)"
            ))
        })?;
        let subject = subject(&der).map_err(|e| {
            CliError::failure(format!(
                "Error reading CA: {ca_file}: cannot read its subject name: {e}"
            ))
        })?;
        let mut params = CertificateParams::default();
        params.distinguished_name = subject;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let cert = params
            .self_signed(&key)
            .map_err(|e| CliError::failure(format!("Error reading CA key: {key_file}: {e}")))?;
        Ok(Issuer { cert, key })
    }
}

/// The subject name of a DER certificate.
fn subject(der: &[u8]) -> Result<DistinguishedName, ASN1Error> {
    yasna::parse_der(der, |r| {
        r.read_sequence(|r| {
            let name = r.next().read_sequence(|r| {
                // version [0], serial, signature algorithm, issuer, validity, then subject.
                r.read_optional(|r| r.read_tagged(Tag::context(0), |r| r.read_der()))?;
                for _ in 0..4 {
                    r.next().read_der()?;
                }
                let name = name(r.next())?;
                // The key and any optional fields that follow.
                while r.read_optional(|r| r.read_der())?.is_some() {}
                Ok(name)
            })?;
            r.next().read_der()?;
            r.next().read_der()?;
            Ok(name)
        })
    })
}

fn name(r: BERReader) -> Result<DistinguishedName, ASN1Error> {
    let mut dn = DistinguishedName::new();
    r.read_sequence_of(|r| {
        let mut values = 0;
        r.read_set_of(|r| {
            values += 1;
            if values > 1 {
                // A multi-valued name part cannot be written back identically.
                return Err(ASN1Error::new(ASN1ErrorKind::Invalid));
            }
            r.read_sequence(|r| {
                let oid: ObjectIdentifier = r.next().read_oid()?;
                let value = r.next().read_tagged_der()?;
                let ty = DnType::from_oid(oid.components());
                if dn.get(&ty).is_some() {
                    // rcgen keeps one value per type: a repeated type would be lost.
                    return Err(ASN1Error::new(ASN1ErrorKind::Invalid));
                }
                dn.push(ty, dn_value(value)?);
                Ok(())
            })
        })
    })?;
    Ok(dn)
}

/// A name part's value in the string type it was written with.
fn dn_value(v: yasna::models::TaggedDerValue) -> Result<DnValue, ASN1Error> {
    fn invalid<E>(_: E) -> ASN1Error {
        ASN1Error::new(ASN1ErrorKind::Invalid)
    }
    let text = || String::from_utf8(v.value().to_vec()).map_err(invalid);
    Ok(match v.tag() {
        Tag { tag_number: 12, .. } => DnValue::Utf8String(text()?),
        Tag { tag_number: 19, .. } => {
            DnValue::PrintableString(text()?.try_into().map_err(invalid)?)
        }
        Tag { tag_number: 20, .. } => DnValue::TeletexString(text()?.try_into().map_err(invalid)?),
        Tag { tag_number: 22, .. } => DnValue::Ia5String(text()?.try_into().map_err(invalid)?),
        Tag { tag_number: 30, .. } => {
            DnValue::BmpString(rcgen::BmpString::from_utf16be(v.value().to_vec()).map_err(invalid)?)
        }
        Tag { tag_number: 28, .. } => DnValue::UniversalString(
            rcgen::UniversalString::from_utf32be(v.value().to_vec()).map_err(invalid)?,
        ),
        _ => return Err(ASN1Error::new(ASN1ErrorKind::Invalid)),
    })
}
