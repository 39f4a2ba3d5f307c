//! CSV downloads (the search banks' exports): `text/csv; charset=utf-8` with a UTF-8 byte
//! order mark, so that Excel on Windows reads the Chinese, and CRLF line ends. The body is
//! streamed a page of the keyset listing at a time, so memory stays flat however many rows
//! there are. Every cell goes through [`csv_cell`], so nothing in it runs as a formula.
//!
//! The first page is read before the answer starts: a refusal or a failure there is an
//! ordinary error answer. A failure on a later page can only cut the download short (it is
//! logged); the client sees an incomplete body, never a file that looks whole.

use std::future::Future;

use futures_util::{StreamExt, stream};
use linli_kernel::Page;
use linli_kernel::text::csv_cell;
use poem::Body;
use poem_openapi::ApiResponse;
use poem_openapi::payload::Binary;
use uuid::Uuid;

use super::error::ApiError;

/// What Excel needs to read a CSV file as UTF-8.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A CSV file, streamed.
#[derive(ApiResponse)]
pub enum CsvDownload {
    /// The file: UTF-8 with a byte order mark, a header line, then one line per row; cells
    /// that a spreadsheet would evaluate (beginning with `=`, `+`, `-`, `@`, a tab or a
    /// carriage return) are prefixed with `'`.
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Ok(
        Binary<Body>,
        /// `attachment`, with the file's name.
        #[oai(header = "Content-Disposition")]
        String,
    ),
}

/// Rows written as CSV, each cell made safe for a spreadsheet.
pub struct CsvWriter {
    inner: csv::Writer<Vec<u8>>,
}

fn new_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

impl Default for CsvWriter {
    fn default() -> Self {
        Self { inner: new_writer() }
    }
}

impl CsvWriter {
    pub fn row<I, S>(&mut self, cells: I) -> std::io::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let safe: Vec<String> = cells
            .into_iter()
            .map(|cell| csv_cell(cell.as_ref()).into_owned())
            .collect();
        self.inner.write_record(&safe).map_err(std::io::Error::other)
    }

    /// The bytes written since the last take.
    pub fn take(&mut self) -> std::io::Result<Vec<u8>> {
        std::mem::replace(&mut self.inner, new_writer())
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

/// The rows of a download, a page at a time: one line's cells per item (raw; the writer
/// makes them safe).
pub trait CsvSource: Send + Sync + 'static {
    /// The page after `after` (the first when `None`), as the listing it exports pages.
    fn page(&self, after: Option<Uuid>) -> impl Future<Output = Result<Page<Vec<String>>, ApiError>> + Send;
}

/// Streams `header` and every row `source` gives. `file_name` is what the browser saves
/// it as (Chinese allowed); `ascii_name` the fallback for clients that cannot read that.
pub async fn csv_download<S: CsvSource>(
    header: &[&str],
    file_name: &str,
    ascii_name: &str,
    source: S,
) -> Result<CsvDownload, ApiError> {
    let first = source.page(None).await?;
    let mut writer = CsvWriter::default();
    let mut head = BOM.to_vec();
    head.extend(write_page(&mut writer, header.iter().copied(), Vec::new()).map_err(internal)?);
    head.extend(write_page(&mut writer, None::<&str>, first.items).map_err(internal)?);
    let rest = stream::unfold(
        (source, writer, first.next_after),
        |(source, mut writer, after)| async move {
            let after = after?;
            let chunk = match source.page(Some(after)).await {
                Ok(page) => {
                    write_page(&mut writer, None::<&str>, page.items).map(|bytes| (bytes, page.next_after))
                }
                Err(error) => Err(std::io::Error::other(format!(
                    "a page of the export failed: {error:?}"
                ))),
            };
            Some(match chunk {
                Ok((bytes, next)) => (Ok(bytes), (source, writer, next)),
                Err(error) => {
                    tracing::error!(%error, "a CSV download is cut short");
                    (Err(error), (source, writer, None))
                }
            })
        },
    );
    let body = stream::once(async move { Ok::<_, std::io::Error>(head) }).chain(rest);
    Ok(CsvDownload::Ok(
        Binary(Body::from_bytes_stream(body)),
        content_disposition(file_name, ascii_name),
    ))
}

/// Writes the header line (if any) and the rows, and gives the bytes.
fn write_page<'a>(
    writer: &mut CsvWriter,
    header: impl IntoIterator<Item = &'a str>,
    rows: Vec<Vec<String>>,
) -> std::io::Result<Vec<u8>> {
    let header: Vec<&str> = header.into_iter().collect();
    if !header.is_empty() {
        writer.row(header)?;
    }
    for row in rows {
        writer.row(row)?;
    }
    writer.take()
}

fn internal(error: std::io::Error) -> ApiError {
    ApiError::internal(&anyhow::Error::new(error))
}

/// `attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded name>` (RFC 6266).
pub fn content_disposition(file_name: &str, ascii_name: &str) -> String {
    let ascii: String = ascii_name
        .chars()
        .filter(|c| c.is_ascii_graphic() && !matches!(c, '"' | '\\'))
        .collect();
    let mut encoded = String::new();
    for byte in file_name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).unwrap_or_default()
    }

    #[test]
    fn cells_are_quoted_as_csv_wants_and_defused_as_spreadsheets_need() -> std::io::Result<()> {
        let mut writer = CsvWriter::default();
        writer.row(["姓名", "手机号"])?;
        writer.row(["=HYPERLINK(\"http://x\")", "+86 138"])?;
        writer.row(["a,b", "line\nbreak"])?;
        writer.row(["-1", "@SUM(A1)"])?;
        writer.row(["王建国", ""])?;
        assert_eq!(
            text(writer.take()?),
            "姓名,手机号\r\n\
             \"'=HYPERLINK(\"\"http://x\"\")\",'+86 138\r\n\
             \"a,b\",\"line\nbreak\"\r\n\
             '-1,'@SUM(A1)\r\n\
             王建国,\r\n"
        );
        assert!(writer.take()?.is_empty(), "taken bytes are not given twice");
        Ok(())
    }

    #[test]
    fn what_is_written_reads_back_as_the_safe_cells() -> std::io::Result<()> {
        let mut writer = CsvWriter::default();
        let row = ["=1+1", "幸福里社区, 一网格", "\"引号\"", "\tx"];
        writer.row(row)?;
        let bytes = writer.take()?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes.as_slice());
        let read: Vec<String> = reader
            .records()
            .next()
            .and_then(Result::ok)
            .map(|r| r.iter().map(str::to_owned).collect())
            .unwrap_or_default();
        assert_eq!(read, ["'=1+1", "幸福里社区, 一网格", "\"引号\"", "'\tx"]);
        Ok(())
    }

    #[test]
    fn the_file_name_is_given_in_ascii_and_in_utf8() {
        assert_eq!(
            content_disposition("在职党员.csv", "member-bank.csv"),
            "attachment; filename=\"member-bank.csv\"; \
             filename*=UTF-8''%E5%9C%A8%E8%81%8C%E5%85%9A%E5%91%98.csv"
        );
    }

    struct Pages(Vec<Page<Vec<String>>>);

    impl CsvSource for Pages {
        async fn page(&self, after: Option<Uuid>) -> Result<Page<Vec<String>>, ApiError> {
            let index = match after {
                None => 0,
                Some(id) => self
                    .0
                    .iter()
                    .position(|p| p.next_after == Some(id))
                    .map_or(usize::MAX, |i| i + 1),
            };
            self.0
                .get(index)
                .cloned()
                .ok_or_else(|| ApiError::internal(&anyhow::anyhow!("no such page")))
        }
    }

    fn page(rows: &[&str], next: Option<Uuid>) -> Page<Vec<String>> {
        Page {
            items: rows.iter().map(|r| vec![(*r).to_owned()]).collect(),
            next_after: next,
        }
    }

    async fn body_of(download: CsvDownload) -> Result<Vec<u8>, std::io::Error> {
        let CsvDownload::Ok(Binary(body), _) = download;
        body.into_vec().await.map_err(std::io::Error::other)
    }

    #[tokio::test]
    async fn a_download_is_the_bom_the_header_and_every_page_in_turn() {
        let (one, two) = (Uuid::now_v7(), Uuid::now_v7());
        let source = Pages(vec![
            page(&["a", "b"], Some(one)),
            page(&["=c"], Some(two)),
            page(&["d"], None),
        ]);
        let download = csv_download(&["名称"], "名单.csv", "list.csv", source).await.ok();
        let bytes = match download {
            Some(d) => body_of(d).await.ok(),
            None => None,
        };
        assert_eq!(
            bytes.map(text).as_deref(),
            Some("\u{feff}名称\r\na\r\nb\r\n'=c\r\nd\r\n")
        );
    }

    #[tokio::test]
    async fn nothing_to_see_is_the_header_alone_and_a_failing_first_page_an_error() {
        let empty = Pages(vec![page(&[], None)]);
        let download = csv_download(&["名称", "类别"], "名单.csv", "list.csv", empty)
            .await
            .ok();
        let bytes = match download {
            Some(d) => body_of(d).await.ok(),
            None => None,
        };
        assert_eq!(bytes.map(text).as_deref(), Some("\u{feff}名称,类别\r\n"));
        assert!(
            csv_download(&["名称"], "名单.csv", "list.csv", Pages(Vec::new()))
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn a_failing_later_page_cuts_the_body_short() {
        let source = Pages(vec![page(&["a"], Some(Uuid::now_v7()))]);
        let download = csv_download(&["名称"], "名单.csv", "list.csv", source).await;
        let Ok(download) = download else {
            panic!("the first page is there");
        };
        assert!(body_of(download).await.is_err());
    }
}
