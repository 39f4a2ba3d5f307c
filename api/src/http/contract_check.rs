//! The contract guard (debug builds): every answer of an API operation is checked against
//! what the spec declares for it, its status and, for an error, its `code`. A violation is
//! logged as an error and kept per server address, so the end-to-end suite fails on any
//! answer a generated client would not expect (`violations`).

// Indexing a `serde_json::Value` by key yields `Null` when absent; it never panics.
#![allow(clippy::indexing_slicing)]

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use poem::{Endpoint, IntoResponse, Request, Response};
use serde_json::Value;

static VIOLATIONS: LazyLock<Mutex<HashMap<String, Vec<String>>>> = LazyLock::new(Default::default);
static SPEC: LazyLock<Value> =
    LazyLock::new(|| serde_json::from_str(&crate::routes::openapi_spec()).unwrap_or_default());

/// The violations seen by the server listening on `addr` (`127.0.0.1:port`), taken.
pub fn violations(addr: &str) -> Vec<String> {
    VIOLATIONS
        .lock()
        .map(|mut all| all.remove(addr).unwrap_or_default())
        .unwrap_or_default()
}

/// Checks answers when built with debug assertions; otherwise passes them through.
pub async fn contract_guard<E: Endpoint>(next: Arc<E>, req: Request) -> poem::Result<Response> {
    if !cfg!(debug_assertions) {
        return next.call(req).await.map(IntoResponse::into_response);
    }
    let method = req.method().as_str().to_ascii_lowercase();
    let path = req.uri().path().to_owned();
    let server = req
        .local_addr()
        .as_socket_addr()
        .map(ToString::to_string)
        .unwrap_or_default();
    let response = match next.call(req).await {
        Ok(response) => response.into_response(),
        Err(error) => super::middleware::error_response(error),
    };
    let status = response.status().as_u16();
    if status < 400 || !is_json(&response) {
        return Ok(record(&SPEC, &server, &method, &path, status, None, response));
    }
    let (parts, body) = response.into_parts();
    let bytes = body.into_bytes().await?;
    let json: Option<Value> = serde_json::from_slice(&bytes).ok();
    let response = Response::from_parts(parts, bytes.into());
    Ok(record(
        &SPEC,
        &server,
        &method,
        &path,
        status,
        json.as_ref(),
        response,
    ))
}

fn is_json(response: &Response) -> bool {
    response
        .content_type()
        .is_some_and(|t| t.starts_with("application/json"))
}

fn record(
    spec: &Value,
    server: &str,
    method: &str,
    path: &str,
    status: u16,
    body: Option<&Value>,
    response: Response,
) -> Response {
    if let Err(violation) = check(spec, method, path, status, body) {
        tracing::error!(violation, "an answer breaks the API contract");
        if let Ok(mut all) = VIOLATIONS.lock() {
            all.entry(server.to_owned()).or_default().push(violation);
        }
    }
    response
}

/// Whether `status` (and an error's `code`) is what the spec declares for the operation
/// `method path`; paths the spec does not know are not checked.
pub fn check(
    spec: &Value,
    method: &str,
    path: &str,
    status: u16,
    body: Option<&Value>,
) -> Result<(), String> {
    let Some(operation) = operation(spec, method, path) else {
        return Ok(());
    };
    let Some(response) = operation["responses"].get(status.to_string()) else {
        return Err(format!(
            "{method} {path}: status {status} is not declared ({body:?})"
        ));
    };
    if status < 400 {
        return Ok(());
    }
    let code = body.and_then(|b| b["code"].as_str()).unwrap_or("");
    let schema = response["content"]
        .as_object()
        .and_then(|c| c.values().next())
        .map(|media| &media["schema"]);
    let Some(name) = schema
        .and_then(|s| s["$ref"].as_str())
        .and_then(|r| r.rsplit('/').next())
    else {
        return Ok(());
    };
    let allowed = &spec["components"]["schemas"][name]["properties"]["code"]["enum"];
    match allowed.as_array() {
        Some(codes) if !codes.iter().any(|c| c == code) => Err(format!(
            "{method} {path}: {status} `{code}` is not declared (declared: {allowed})"
        )),
        _ => Ok(()),
    }
}

/// The operation of the spec that serves `method path`, literal segments before parameters.
fn operation<'a>(spec: &'a Value, method: &str, path: &str) -> Option<&'a Value> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    spec["paths"]
        .as_object()?
        .iter()
        .filter_map(|(template, operations)| {
            let parts: Vec<&str> = template.trim_end_matches('/').split('/').collect();
            let fits = parts.len() == segments.len()
                && parts
                    .iter()
                    .zip(&segments)
                    .all(|(p, s)| p == s || (p.starts_with('{') && !s.is_empty()));
            let params = parts.iter().filter(|p| p.starts_with('{')).count();
            (fits && operations.get(method).is_some()).then(|| (params, &operations[method]))
        })
        .min_by_key(|(params, _)| *params)
        .map(|(_, operation)| operation)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn spec() -> Value {
        json!({
            "paths": {"/api/v1/grids/{id}": {"get": {"responses": {
                "200": {},
                "404": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/G404"}}}}
            }}}},
            "components": {"schemas": {"G404": {"properties": {"code": {"enum": ["grid_not_found"]}}}}}
        })
    }

    #[test]
    fn undeclared_statuses_and_codes_are_violations() {
        let spec = spec();
        let found = json!({"code": "grid_not_found"});
        let other = json!({"code": "building_not_found"});
        assert_eq!(check(&spec, "get", "/api/v1/grids/1", 200, None), Ok(()));
        assert_eq!(check(&spec, "get", "/api/v1/grids/1", 404, Some(&found)), Ok(()));
        assert!(check(&spec, "get", "/api/v1/grids/1", 404, Some(&other)).is_err());
        assert!(check(&spec, "get", "/api/v1/grids/1", 409, Some(&found)).is_err());
        assert_eq!(check(&spec, "get", "/elsewhere", 500, None), Ok(()));
    }

    #[test]
    fn the_served_spec_declares_what_handlers_answer() {
        let spec: Value = serde_json::from_str(&crate::routes::openapi_spec()).unwrap_or_default();
        let forbidden = json!({"code": "forbidden"});
        assert_eq!(
            check(&spec, "post", "/api/v1/grids", 403, Some(&forbidden)),
            Ok(())
        );
        let wrong = json!({"code": "grid_not_found"});
        assert!(check(&spec, "post", "/api/v1/grids", 409, Some(&wrong)).is_err());
    }
}
