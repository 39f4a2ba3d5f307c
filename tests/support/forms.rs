//! Forms (`multipart/form-data`) as `wx.uploadFile` sends them: its `formData` as text fields
//! first, then the file under `name`, with the file name the phone gave it and a type guessed
//! from that name; and requests whose body stops halfway, to see what a server answers before
//! it has read a body.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What WeChat's clients use (WebKit's form boundary).
pub const BOUNDARY: &str = "----WebKitFormBoundaryq2sLZmOd4pF8WxKc";

/// A form being built.
#[derive(Debug, Clone, Default)]
pub struct FormBody {
    parts: Vec<u8>,
}

impl FormBody {
    pub fn new() -> Self {
        Self::default()
    }

    /// A text field (`formData`).
    pub fn text(mut self, name: &str, value: &str) -> Self {
        self.parts.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
        self
    }

    /// A file under `name`, called `file_name`, declared as `content_type`.
    pub fn file(mut self, name: &str, file_name: &str, content_type: &str, content: &[u8]) -> Self {
        self.parts.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                 Content-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        self.parts.extend_from_slice(content);
        self.parts.extend_from_slice(b"\r\n");
        self
    }

    /// The whole body, closed.
    pub fn body(&self) -> Vec<u8> {
        [self.parts.as_slice(), format!("--{BOUNDARY}--\r\n").as_bytes()].concat()
    }

    /// The body so far, not closed (a form still arriving).
    pub fn unfinished(&self) -> Vec<u8> {
        self.parts.clone()
    }

    pub fn content_type() -> String {
        format!("multipart/form-data; boundary={BOUNDARY}")
    }
}

/// Sends the head of a request declaring a `declared`-byte body, then `first` of it, and
/// never the rest; gives the answer's status line and body, read while the body is still
/// owed. `None` when the server waits for the rest instead (given `patience`).
pub async fn answer_before_body(
    addr: SocketAddr,
    head: &str,
    declared: usize,
    first: &[u8],
    patience: Duration,
) -> Option<String> {
    let mut stream = TcpStream::connect(addr).await.expect("connects");
    let request = format!("{head}content-length: {declared}\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("sends the head");
    stream.write_all(first).await.expect("sends the first bytes");
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    let read = tokio::time::timeout(patience, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    answer.extend_from_slice(buffer.get(..n).unwrap_or_default());
                    // The whole answer: a head and a JSON body with its end.
                    if answer.ends_with(b"}") {
                        return;
                    }
                }
            }
        }
    })
    .await;
    (read.is_ok() && !answer.is_empty()).then(|| String::from_utf8_lossy(&answer).into_owned())
}
