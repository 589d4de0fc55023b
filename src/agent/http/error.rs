//! HTTP errors as Consul sends them: a status code and a plain-text body.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// An error answered with `status` and `message` as a text/plain body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    pub status: StatusCode,
    pub message: String,
}

impl HttpError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        HttpError {
            status,
            message: message.into(),
        }
    }

    /// 400 with `message`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 500 with `message`.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// Consul's answer when no leader is known.
    pub fn no_leader() -> Self {
        Self::internal("No cluster leader")
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let mut body = self.message;
        if !body.ends_with('\n') {
            body.push('\n');
        }
        (
            self.status,
            [(
                axum::http::header::CONTENT_TYPE,
                "text/plain; charset=utf-8",
            )],
            body,
        )
            .into_response()
    }
}

/// The agent's domain errors as Consul answers them: 400 for invalid requests, 404 for what
/// does not exist, 403 for ACL denials (`Permission denied: ...`, `ACL not found`), 401 when
/// ACLs are off (`ACL support disabled`), 507 when the leader's disk cannot take a write, else 500 (`No cluster leader` and `No path to
/// datacenter` in Consul's words).
impl From<crate::agent::endpoints::EndpointError> for HttpError {
    fn from(e: crate::agent::endpoints::EndpointError) -> HttpError {
        match e {
            crate::agent::endpoints::EndpointError::NoLeader => HttpError::no_leader(),
            crate::agent::endpoints::EndpointError::Invalid(message) => {
                HttpError::bad_request(message)
            }
            crate::agent::endpoints::EndpointError::NotFound(message) => {
                HttpError::new(axum::http::StatusCode::NOT_FOUND, message)
            }
            e @ (crate::agent::endpoints::EndpointError::PermissionDenied(_)
            | crate::agent::endpoints::EndpointError::AclNotFound) => {
                HttpError::new(StatusCode::FORBIDDEN, e.to_string())
            }
            crate::agent::endpoints::EndpointError::InsufficientStorage(message) => {
                HttpError::new(StatusCode::INSUFFICIENT_STORAGE, message)
            }
            e @ crate::agent::endpoints::EndpointError::AclDisabled => {
                HttpError::new(StatusCode::UNAUTHORIZED, e.to_string())
            }
            other => HttpError::internal(other.to_string()),
        }
    }
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.message)
    }
}
