//! Files sent as forms (`multipart/form-data`), as `wx.uploadFile` and a browser's file input
//! send them: the one parser every endpoint taking a file uses (uploads, grid imports, units'
//! rosters).
//!
//! A form's body is not buffered by the body limit as other bodies are: [`stream_body`] hands
//! it to the handler as it arrives, bounded in size and time, so a handler decides whether
//! the caller may send it before reading any of it, and reads no further than its own limit.
//! A form holds one file, in the configured field (`LINLI_UPLOAD_FIELD`, `file` by default);
//! text fields around it (`formData` of `wx.uploadFile`) are read past; a second file, or
//! none, is `file_expected`.

use std::io;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use hyper::body::Bytes;
use poem::http::{StatusCode, header};
use poem::{Body, Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::error::ApiError;

/// Room for a form's boundaries, part headers and text fields beyond its file.
pub const FORM_OVERHEAD_BYTES: usize = 64 * 1024;
/// Chunks a form's body may run ahead of its handler: the rest waits in the socket.
const CHUNKS_AHEAD: usize = 2;

/// How forms are read, from the configuration.
#[derive(Debug, Clone)]
pub struct FormSettings {
    /// The field a form's file is in (`LINLI_UPLOAD_FIELD`).
    pub field: String,
    /// A whole form's bound: the largest file any endpoint takes, and the overhead.
    pub max_body_bytes: usize,
}

impl FormSettings {
    pub fn new(field: impl Into<String>, largest_file: usize) -> Self {
        Self {
            field: field.into(),
            max_body_bytes: largest_file.saturating_add(FORM_OVERHEAD_BYTES),
        }
    }
}

/// Why a streamed body stopped, carried to its reader inside an `io::Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BodyLimit {
    #[error("the body is over {max_bytes} bytes")]
    TooLarge { max_bytes: usize },
    #[error("the body did not arrive within {seconds} s")]
    TimedOut { seconds: u64 },
}

/// The [`BodyLimit`] behind a body's read error, however deeply wrapped.
pub fn body_limit_of(error: &(dyn std::error::Error + 'static)) -> Option<BodyLimit> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(limit) = error.downcast_ref::<BodyLimit>() {
            return Some(*limit);
        }
        current = match error.downcast_ref::<io::Error>().and_then(io::Error::get_ref) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => error.source(),
        };
    }
    None
}

/// Whether the request's body is a form.
pub fn is_form(req: &Request) -> bool {
    req.header(header::CONTENT_TYPE)
        .and_then(|t| t.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("multipart/form-data"))
}

/// Replaces the request's body by one that arrives as the client sends it, at most `limit`
/// bytes within `deadline`; beyond either, its reader gets a [`BodyLimit`] error. A body
/// declared larger than `limit` fails at once, before anything of it is read.
///
/// When the handler is done before the body is (it refused the caller, or the file), the
/// rest is read and dropped, up to `limit` more bytes and within the same deadline: the
/// client is still sending, and a connection closed on unread bytes is reset, which the
/// client may see instead of the answer.
pub fn stream_body(req: &mut Request, limit: usize, deadline: Duration) {
    let declared = req
        .header(header::CONTENT_LENGTH)
        .and_then(|length| length.trim().parse::<u64>().ok());
    let incoming = req.take_body().into_bytes_stream();
    let (sender, receiver) = mpsc::channel(CHUNKS_AHEAD);
    tokio::spawn(pump(incoming, sender, limit, declared, deadline));
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    });
    req.set_body(Body::from_bytes_stream(stream));
}

async fn pump(
    incoming: impl Stream<Item = io::Result<Bytes>> + Send,
    sender: mpsc::Sender<io::Result<Bytes>>,
    limit: usize,
    declared: Option<u64>,
    deadline: Duration,
) {
    let until = Instant::now() + deadline;
    let drain_limit = limit.saturating_mul(2);
    let mut handler = Some(sender);
    let too_large = || io::Error::other(BodyLimit::TooLarge { max_bytes: limit });
    async fn tell(handler: &mut Option<mpsc::Sender<io::Result<Bytes>>>, error: io::Error) {
        if let Some(sender) = handler.take() {
            let _ = sender.send(Err(error)).await;
        }
    }
    if let Some(declared) = declared.filter(|d| *d > limit as u64) {
        tell(&mut handler, too_large()).await;
        if declared > drain_limit as u64 {
            return;
        }
    }
    let mut incoming = std::pin::pin!(incoming);
    let mut read: usize = 0;
    loop {
        let Ok(next) = tokio::time::timeout_at(until, incoming.next()).await else {
            let seconds = deadline.as_secs();
            tell(&mut handler, io::Error::other(BodyLimit::TimedOut { seconds })).await;
            return;
        };
        let chunk = match next {
            // The end: dropping the sender ends the handler's stream.
            None => return,
            Some(Err(e)) => return tell(&mut handler, e).await,
            Some(Ok(chunk)) => chunk,
        };
        read = read.saturating_add(chunk.len());
        if read > limit {
            tell(&mut handler, too_large()).await;
            if read > drain_limit {
                return;
            }
            continue;
        }
        if let Some(sender) = &handler
            && sender.send(Ok(chunk)).await.is_err()
        {
            // The handler has answered: read the rest and drop it.
            handler = None;
        }
    }
}

/// A form not read yet: the handler lets the caller through first.
pub struct Form {
    content_type: String,
    body: Body,
    field: String,
}

impl Payload for Form {
    const CONTENT_TYPE: &'static str = "multipart/form-data";

    fn check_content_type(content_type: &str) -> bool {
        content_type
            .split(';')
            .next()
            .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(Self::CONTENT_TYPE))
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            required: vec!["file"],
            properties: vec![(
                "file",
                MetaSchemaRef::Inline(Box::new(MetaSchema {
                    format: Some("binary"),
                    description: Some(
                        "The file: one, in this field (its name is `LINLI_UPLOAD_FIELD`, `file` \
                         by default). Text fields besides it are ignored.",
                    ),
                    ..MetaSchema::new("string")
                })),
            )],
            ..MetaSchema::new("object")
        }))
    }
}

impl ParsePayload for Form {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        // Nothing is read or parsed here, not even the boundary: a caller the handler refuses
        // hears so whatever they sent.
        let field = request
            .data::<super::state::AppState>()
            .map_or_else(|| "file".to_owned(), |state| state.forms.field.clone());
        Ok(Self {
            content_type: request
                .header(header::CONTENT_TYPE)
                .unwrap_or_default()
                .to_owned(),
            body: body.take()?,
            field,
        })
    }
}

/// Why a form's file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormError {
    /// No file in the field, or more than one file.
    FileExpected {
        field: String,
        files: usize,
    },
    /// The file (or the whole form) is over its limit.
    TooLarge {
        max_bytes: usize,
    },
    TimedOut {
        seconds: u64,
    },
    /// Not a form: no boundary, a broken part, the body cut short.
    Malformed(String),
}

impl FormError {
    fn from_multer(error: &multer::Error) -> Self {
        match body_limit_of(error) {
            Some(BodyLimit::TooLarge { max_bytes }) => Self::TooLarge { max_bytes },
            Some(BodyLimit::TimedOut { seconds }) => Self::TimedOut { seconds },
            None => Self::Malformed(error.to_string()),
        }
    }

    /// The API's answer, `too_large` naming the code of a file over its limit.
    pub fn into_api(self, too_large: &str) -> ApiError {
        match self {
            Self::FileExpected { field, files } => ApiError::with_params(
                StatusCode::BAD_REQUEST,
                "file_expected",
                &[("field", field.clone())],
            )
            .with_details(serde_json::json!({ "field": field, "files": files })),
            Self::TooLarge { max_bytes } => ApiError::with_params(
                StatusCode::PAYLOAD_TOO_LARGE,
                too_large,
                &[("max_size", readable_size(max_bytes))],
            )
            .with_details(serde_json::json!({ "max_bytes": max_bytes })),
            Self::TimedOut { seconds } => ApiError::with_params(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                &[("seconds", seconds.to_string())],
            ),
            Self::Malformed(reason) => ApiError::new(StatusCode::BAD_REQUEST, "malformed_request")
                .with_details(serde_json::json!({ "reason": reason })),
        }
    }
}

/// `5 MB`, `1.5 MB`, `512 KB`: a limit as people read it (binary units, as phones show
/// sizes; megabytes to a tenth).
pub fn readable_size(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB {
        let tenths = bytes.saturating_mul(10).saturating_add(MIB / 2) / MIB;
        if tenths.is_multiple_of(10) {
            format!("{} MB", tenths / 10)
        } else {
            format!("{}.{} MB", tenths / 10, tenths % 10)
        }
    } else if bytes >= KIB {
        format!("{} KB", bytes / KIB)
    } else {
        format!("{bytes} B")
    }
}

impl Form {
    /// Reads up to the form's file, past any text fields before it.
    ///
    /// # Errors
    /// `FileExpected` when the form ends without the file, or has a file in another field;
    /// `Malformed` when it is no form; `TooLarge`, `TimedOut` from the body.
    pub async fn file(self, max_bytes: usize) -> Result<FilePart, FormError> {
        let boundary =
            multer::parse_boundary(&self.content_type).map_err(|e| FormError::Malformed(e.to_string()))?;
        let mut multipart = multer::Multipart::new(self.body.into_bytes_stream(), boundary);
        loop {
            let Some(part) = multipart
                .next_field()
                .await
                .map_err(|e| FormError::from_multer(&e))?
            else {
                return Err(FormError::FileExpected {
                    field: self.field,
                    files: 0,
                });
            };
            if part.name() == Some(self.field.as_str()) {
                return Ok(FilePart {
                    multipart,
                    part,
                    field: self.field,
                    max_bytes,
                    read: 0,
                });
            }
            if part.file_name().is_some() {
                // A file, but not where files go: say where, rather than guess.
                return Err(FormError::FileExpected {
                    field: self.field,
                    files: 1,
                });
            }
        }
    }

    /// The file whole, at most `max_bytes` of it, after checking the form holds nothing else.
    ///
    /// # Errors
    /// As [`Form::file`] and [`FilePart::finish`].
    pub async fn read_file(self, max_bytes: usize) -> Result<Vec<u8>, FormError> {
        let mut part = self.file(max_bytes).await?;
        let mut content = Vec::new();
        while let Some(chunk) = part.chunk().await? {
            content.extend_from_slice(&chunk);
        }
        part.finish().await?;
        Ok(content)
    }
}

/// A form's file, read as it arrives.
pub struct FilePart {
    multipart: multer::Multipart<'static>,
    part: multer::Field<'static>,
    field: String,
    max_bytes: usize,
    read: usize,
}

impl FilePart {
    /// The file's next bytes; `None` at its end.
    ///
    /// # Errors
    /// `TooLarge` once more than its `max_bytes` have come; the body's errors.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, FormError> {
        let chunk = self.part.chunk().await.map_err(|e| FormError::from_multer(&e))?;
        if let Some(chunk) = &chunk {
            self.read = self.read.saturating_add(chunk.len());
            if self.read > self.max_bytes {
                return Err(FormError::TooLarge {
                    max_bytes: self.max_bytes,
                });
            }
        }
        Ok(chunk)
    }

    /// Reads the rest of the form: text fields are passed over, a second file is refused.
    ///
    /// # Errors
    /// `FileExpected` for a second file; the body's errors.
    pub async fn finish(self) -> Result<(), FormError> {
        let Self {
            mut multipart,
            part,
            field,
            ..
        } = self;
        drop(part);
        let mut files = 1;
        while let Some(part) = multipart
            .next_field()
            .await
            .map_err(|e| FormError::from_multer(&e))?
        {
            if part.name() == Some(field.as_str()) || part.file_name().is_some() {
                files += 1;
            }
        }
        if files > 1 {
            return Err(FormError::FileExpected { field, files });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
