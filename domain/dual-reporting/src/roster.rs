//! A unit's roster (名册): the names and mobile numbers of the Party members on its rolls, read
//! from the CSV file a unit's spreadsheet exports (`name,phone`, or `姓名,手机号`; other columns
//! are ignored). Every bad line is reported with its number; a file with any bad line stores
//! nothing, and a good one replaces the unit's roster whole.
//!
//! As for the grid import (`linli_grid::import`), the work stays bounded whatever the file
//! holds: at most `max_rows` rows are read (the file is refused beyond), and only the first
//! [`MAX_REPORTED_ERRORS`] errors (by line) are kept, with a count of all of them.

use std::cmp::Ordering;
use std::collections::hash_map::Entry;
use std::collections::{BinaryHeap, HashMap};

use chrono::{DateTime, Utc};
use linli_kernel::text::checked_text;
use linli_kernel::{UnitId, UserId};
use serde::Serialize;

use crate::DualReportingError;
use crate::models::{MemberReport, RosterEntryId};

/// How many rows a roster may hold unless configured otherwise (`LINLI_IMPORT_MAX_ROWS`, the
/// limit of every CSV import).
pub const DEFAULT_MAX_ROWS: usize = 10_000;
/// How many errors an answer names; the rest are only counted.
pub const MAX_REPORTED_ERRORS: usize = 100;
/// The longest name a roster takes, as a user's real name.
pub const MAX_NAME_CHARS: usize = 32;

/// One person on a unit's roster. The name and phone are personal data: storage seals them,
/// and a viewer outside the unit and the person's community sees them masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    pub id: RosterEntryId,
    pub unit_id: UnitId,
    /// The line of the file it came from (the header is line 1): the roster's order.
    pub line: u32,
    pub name: String,
    /// A mainland mobile number, as [`normalized_mobile`] gives it.
    pub phone: String,
}

/// The roster of one unit: who uploaded it, when, and how many it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roster {
    pub unit_id: UnitId,
    pub entries: u32,
    pub uploaded_by: UserId,
    pub uploaded_at: DateTime<Utc>,
}

/// A listing's narrowing: those who have reported (an open report, submitted or accepted,
/// naming the unit) or those who have not (none, or only rejected and withdrawn ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RosterStatus {
    Reported,
    NotReported,
}

impl RosterStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Reported => "reported",
            Self::NotReported => "not_reported",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, linli_kernel::ValidationError> {
        [Self::Reported, Self::NotReported]
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| {
                linli_kernel::ValidationError::new(
                    field,
                    linli_kernel::Rule::UnknownValue,
                    format!("unknown value `{raw}`"),
                )
                .with("value", raw)
            })
    }
}

/// An entry with the report it is matched to: a report naming the unit, filed by a user whose
/// bound phone is the entry's. The open one when there is one, else the latest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterLine {
    pub entry: RosterEntry,
    pub report: Option<MemberReport>,
}

impl RosterLine {
    /// Whether the person has reported: their matched report is open.
    pub fn reported(&self) -> bool {
        self.report.as_ref().is_some_and(|r| r.status.is_open())
    }
}

/// A mainland mobile number in the form users bind theirs (`13812345678`): full-width digits
/// made ASCII, spaces and hyphens dropped, a leading `+86` or `0086` dropped; then 11 digits
/// starting with 1. `None` for anything else (a landline, a number Excel turned into
/// `1.38123E+10`, a typo with a digit missing).
pub fn normalized_mobile(raw: &str) -> Option<String> {
    let compact: String = raw
        .chars()
        .filter_map(|c| match c {
            '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')),
            '＋' => Some('+'),
            c if c.is_whitespace() || c == '-' => None,
            c => Some(c),
        })
        .collect();
    let national = compact
        .strip_prefix("+86")
        .or_else(|| compact.strip_prefix("0086"))
        .unwrap_or(&compact);
    let mobile =
        national.len() == 11 && national.starts_with('1') && national.chars().all(|c| c.is_ascii_digit());
    mobile.then(|| national.to_owned())
}

/// One good row of a roster file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterRow {
    pub line: u64,
    pub name: String,
    pub phone: String,
}

/// What is wrong with one line of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub line: u64,
    /// The column at fault, when one is.
    pub field: Option<String>,
    /// Stable: `invalid_value`, `unreadable_row`, `missing_columns`, `duplicate_in_file`,
    /// `no_rows`.
    pub code: &'static str,
    pub message: String,
}

impl RowError {
    pub fn new(line: u64, field: Option<&str>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            line,
            field: field.map(str::to_owned),
            code,
            message: message.into(),
        }
    }
}

/// The errors of one file: the first [`MAX_REPORTED_ERRORS`] by line (then in the order
/// found), and how many there are in all. Memory stays the same however many there are.
#[derive(Debug, Default)]
pub struct RowErrors {
    kept: BinaryHeap<Kept>,
    count: usize,
}

#[derive(Debug)]
struct Kept {
    order: (u64, usize),
    error: RowError,
}

impl PartialEq for Kept {
    fn eq(&self, other: &Self) -> bool {
        self.order == other.order
    }
}
impl Eq for Kept {}
impl PartialOrd for Kept {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Kept {
    fn cmp(&self, other: &Self) -> Ordering {
        self.order.cmp(&other.order)
    }
}

impl RowErrors {
    pub fn push(&mut self, error: RowError) {
        self.count += 1;
        let order = (error.line, self.count);
        if self.kept.len() == MAX_REPORTED_ERRORS {
            // The heap's top is the latest kept error; a later one is only counted.
            match self.kept.peek() {
                Some(last) if last.order > order => {
                    self.kept.pop();
                }
                _ => return,
            }
        }
        self.kept.push(Kept { order, error });
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn count(&self) -> usize {
        self.count
    }

    /// The kept errors in line order, as [`DualReportingError::ImportRejected`].
    pub fn into_error(self) -> DualReportingError {
        let count = self.count;
        let errors = self.kept.into_sorted_vec().into_iter().map(|k| k.error).collect();
        DualReportingError::ImportRejected { errors, count }
    }
}

/// The headers each column goes by; the first is the English one.
const NAME_HEADERS: [&str; 3] = ["name", "姓名", "党员姓名"];
const PHONE_HEADERS: [&str; 6] = ["phone", "手机号", "手机", "手机号码", "电话", "联系电话"];

/// Parses the file into its good rows, adding the errors of its bad ones to `errors`. A phone
/// listed twice is an error on its second line (a roster names each person once, and a report
/// is matched by phone). More than `max_rows` rows refuse the whole file at once.
pub fn parse_roster_csv(
    text: &str,
    max_rows: usize,
    errors: &mut RowErrors,
) -> Result<Vec<RosterRow>, DualReportingError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let Some((name_at, phone_at)) = header_columns(&mut reader, errors) else {
        return Ok(Vec::new());
    };

    let mut rows: Vec<RosterRow> = Vec::new();
    let mut first_line_of: HashMap<String, u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    let mut read = 0usize;
    loop {
        // One record buffer for the whole file: reading allocates nothing per row.
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, csv::Position::line);
                errors.push(RowError::new(
                    line,
                    None,
                    "unreadable_row",
                    format!("unreadable row: {e}"),
                ));
                continue;
            }
        }
        let line = record.position().map_or(line, csv::Position::line);
        if record.iter().all(str::is_empty) {
            continue;
        }
        read += 1;
        if read > max_rows {
            return Err(DualReportingError::ImportTooLarge { max_rows });
        }
        let cell = |at: usize| record.get(at).unwrap_or("");
        let name = checked_text("name", cell(name_at), 1, MAX_NAME_CHARS)
            .map_err(|e| errors.push(RowError::new(line, Some("name"), "invalid_value", e.message)))
            .ok();
        let phone = normalized_mobile(cell(phone_at));
        if phone.is_none() {
            errors.push(RowError::new(
                line,
                Some("phone"),
                "invalid_value",
                "must be a mobile number of 11 digits starting with 1",
            ));
        }
        let (Some(name), Some(phone)) = (name, phone) else {
            continue;
        };
        match first_line_of.entry(phone.clone()) {
            Entry::Occupied(first) => errors.push(RowError::new(
                line,
                Some("phone"),
                "duplicate_in_file",
                format!("this phone is already on line {}", first.get()),
            )),
            Entry::Vacant(slot) => {
                slot.insert(line);
                rows.push(RosterRow { line, name, phone });
            }
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(RowError::new(1, None, "no_rows", "the file names nobody"));
    }
    Ok(rows)
}

/// Where the name and the phone are: headers in any order, in English or in Chinese.
fn header_columns(reader: &mut csv::Reader<&[u8]>, errors: &mut RowErrors) -> Option<(usize, usize)> {
    let headers = match reader.headers() {
        Ok(headers) => headers,
        Err(e) => {
            errors.push(RowError::new(
                1,
                None,
                "unreadable_row",
                format!("unreadable header: {e}"),
            ));
            return None;
        }
    };
    let at = |names: &[&str]| headers.iter().position(|h| names.contains(&h));
    match (at(&NAME_HEADERS), at(&PHONE_HEADERS)) {
        (Some(name), Some(phone)) => Some((name, phone)),
        (name, phone) => {
            let missing: Vec<&str> = [(name, "name"), (phone, "phone")]
                .into_iter()
                .filter_map(|(found, column)| found.is_none().then_some(column))
                .collect();
            errors.push(RowError::new(
                1,
                None,
                "missing_columns",
                format!(
                    "the header must name the columns name (姓名) and phone (手机号); missing: {}",
                    missing.join(", ")
                ),
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn parse(text: &str) -> (Vec<RosterRow>, Vec<RowError>, usize) {
        let mut errors = RowErrors::default();
        let rows = parse_roster_csv(text, DEFAULT_MAX_ROWS, &mut errors).unwrap();
        let DualReportingError::ImportRejected { errors, count } = errors.into_error() else {
            unreachable!()
        };
        (rows, errors, count)
    }

    #[test]
    fn a_good_file_gives_its_rows_with_phones_as_users_bind_them() {
        let (rows, errors, _) = parse(
            "序号,姓名,手机号,职务\n\
             1,王建国,138 0013 8000,科员\n\
             2,李四,+86-139-0000-0001,\n\
             3,赵六,１３７００００００００,\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let phones: Vec<&str> = rows.iter().map(|r| r.phone.as_str()).collect();
        assert_eq!(phones, ["13800138000", "13900000001", "13700000000"]);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].name, "王建国");
    }

    #[test]
    fn every_bad_line_is_named_and_a_phone_twice_is_an_error_on_its_second_line() {
        let (rows, errors, count) = parse(
            "name,phone\n\
             王建国,13800138000\n\
             ,13800138001\n\
             李四,1380013800\n\
             赵六,1.38001E+10\n\
             钱七,138-0013-8000\n",
        );
        assert_eq!(rows.len(), 1);
        let found: Vec<(u64, Option<&str>, &str)> = errors
            .iter()
            .map(|e| (e.line, e.field.as_deref(), e.code))
            .collect();
        assert_eq!(
            found,
            [
                (3, Some("name"), "invalid_value"),
                (4, Some("phone"), "invalid_value"),
                (5, Some("phone"), "invalid_value"),
                (6, Some("phone"), "duplicate_in_file"),
            ]
        );
        assert_eq!(count, 4);
        assert!(errors[3].message.contains("line 2"));
    }

    #[test]
    fn a_file_without_the_columns_or_without_rows_is_refused_at_line_one() {
        let (_, errors, _) = parse("姓名,部门\n王建国,办公室\n");
        assert_eq!((errors[0].line, errors[0].code), (1, "missing_columns"));
        assert!(errors[0].message.contains("phone"));
        let (_, errors, _) = parse("name,phone\n\n,\n");
        assert_eq!(errors[0].code, "no_rows");
    }

    #[test]
    fn only_the_first_hundred_errors_are_kept_and_all_are_counted() {
        let mut text = String::from("name,phone\n");
        for _ in 0..250 {
            text.push_str("王建国,12345\n");
        }
        let (_, errors, count) = parse(&text);
        assert_eq!((errors.len(), count), (MAX_REPORTED_ERRORS, 250));
        assert_eq!(errors[0].line, 2);
        assert_eq!(errors[99].line, 101);
    }

    #[test]
    fn a_file_over_the_limit_is_refused_whole() {
        let mut errors = RowErrors::default();
        let text = "name,phone\n王建国,13800138000\n李四,13800138001\n";
        let refused = parse_roster_csv(text, 1, &mut errors);
        assert!(matches!(
            refused,
            Err(DualReportingError::ImportTooLarge { max_rows: 1 })
        ));
    }
}
