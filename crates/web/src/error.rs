//! Errors as the API returns them: a status, a stable code, a message, and the field or
//! parameter at fault when there is one. Internal errors are logged and answered without
//! their detail.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chitieu_store::StoreError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
}

impl ApiError {
    pub fn not_found(what: &str, id: &str) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: format!("no {what} `{id}`"),
            field: None,
        }
    }

    pub fn bad_parameter(field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "bad_parameter",
            message: message.into(),
            field: Some(field.to_string()),
        }
    }

    /// Refused by the domain's rules: the first problem's location is the field, every problem
    /// is in the message.
    pub fn invalid(errors: &[chitieu_domain::ValidationError]) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid",
            message: errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
            field: errors.first().map(|e| e.location.to_string()),
        }
    }

    pub fn internal(e: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %e, "internal error");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "the server could not answer; the error is in its log".into(),
            field: None,
        }
    }
}

impl From<crate::cache::WrongType> for ApiError {
    fn from(e: crate::cache::WrongType) -> Self {
        ApiError::internal(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what, id } => ApiError::not_found(what, &id),
            e => ApiError::internal(e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": {"code": self.code, "message": self.message, "field": self.field}
        });
        (self.status, axum::Json(body)).into_response()
    }
}
