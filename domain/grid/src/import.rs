//! Reading grids from a CSV file, as a district's spreadsheet exports them:
//! `[subdistrict,]community,name,kind,households,buildings`, the buildings separated by `;`.
//! Every bad row is reported with its line number; a file with any bad row imports nothing.
//!
//! Whatever the file holds, the work stays bounded: at most `max_rows` rows are read (the
//! file is refused beyond), at most [`MAX_BUILDINGS_PER_GRID`] buildings per row, and only
//! the first [`MAX_REPORTED_ERRORS`] errors (by line) are kept, with a count of all of them.

use std::cmp::Ordering;
use std::collections::hash_map::Entry;
use std::collections::{BinaryHeap, HashMap, HashSet};

use serde::Serialize;

use crate::GridError;
use crate::models::{GridKind, Households, PlaceName};

/// How many rows a file may hold unless configured otherwise (`LINLI_IMPORT_MAX_ROWS`).
pub const DEFAULT_MAX_ROWS: usize = 10_000;
pub const MAX_BUILDINGS_PER_GRID: usize = 200;
/// How many errors an answer names; the rest are only counted.
pub const MAX_REPORTED_ERRORS: usize = 100;

/// One good row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridRow {
    /// The line in the file, counting the header as line 1.
    pub line: u64,
    /// The community's subdistrict, when the file has that column: it tells apart
    /// communities of one name in two subdistricts.
    pub subdistrict: Option<String>,
    pub community: String,
    pub name: PlaceName,
    pub kind: GridKind,
    pub households: Households,
    pub buildings: Vec<PlaceName>,
}

/// What is wrong with one line of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub line: u64,
    /// The column at fault, when one is.
    pub field: Option<String>,
    /// Stable: `invalid_value`, `unreadable_row`, `missing_columns`, `duplicate_in_file`,
    /// `community_unknown`, `community_ambiguous`, `name_taken`, `no_rows`.
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

    /// The kept errors in line order, as [`GridError::ImportRejected`].
    pub fn into_error(self) -> GridError {
        let count = self.count;
        let errors = self.kept.into_sorted_vec().into_iter().map(|k| k.error).collect();
        GridError::ImportRejected { errors, count }
    }
}

/// The columns, each by its English or Chinese header; `subdistrict` may be left out.
const COLUMNS: [(&str, &str); 6] = [
    ("subdistrict", "街道"),
    ("community", "社区"),
    ("name", "网格"),
    ("kind", "类型"),
    ("households", "户数"),
    ("buildings", "楼栋"),
];

/// Where each column is; the subdistrict's is optional.
struct Columns {
    subdistrict: Option<usize>,
    required: [usize; 5],
}

/// Parses the file into its good rows, adding the errors of its bad ones to `errors`. Rows
/// are checked on their own and against each other (a grid named twice in one community);
/// checks against what is stored are the service's, so that one answer can name every bad
/// line. More than `max_rows` rows refuse the whole file at once.
pub fn parse_grid_csv(
    text: &str,
    max_rows: usize,
    errors: &mut RowErrors,
) -> Result<Vec<GridRow>, GridError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let Some(columns) = header_columns(&mut reader, errors) else {
        return Ok(Vec::new());
    };

    let mut rows: Vec<GridRow> = Vec::new();
    let mut first_line_of: HashMap<(Option<String>, String, PlaceName), u64> = HashMap::new();
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
            return Err(GridError::ImportTooLarge { max_rows });
        }
        let Some(row) = parse_row(line, &record, &columns, errors) else {
            continue;
        };
        match first_line_of.entry((row.subdistrict.clone(), row.community.clone(), row.name.clone())) {
            Entry::Occupied(first) => errors.push(RowError::new(
                line,
                Some("name"),
                "duplicate_in_file",
                format!(
                    "grid `{}` of `{}` is already on line {}",
                    row.name,
                    row.community,
                    first.get()
                ),
            )),
            Entry::Vacant(slot) => {
                slot.insert(line);
                rows.push(row);
            }
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(RowError::new(1, None, "no_rows", "the file holds no grids"));
    }
    Ok(rows)
}

/// Where each column is: headers may come in any order, in English or in Chinese.
fn header_columns(reader: &mut csv::Reader<&[u8]>, errors: &mut RowErrors) -> Option<Columns> {
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
    let at = |(english, chinese): (&str, &str)| headers.iter().position(|h| h == english || h == chinese);
    let mut required = [0usize; 5];
    let mut missing = Vec::new();
    for (slot, column) in required.iter_mut().zip(COLUMNS.into_iter().skip(1)) {
        match at(column) {
            Some(position) => *slot = position,
            None => missing.push(column.0),
        }
    }
    if missing.is_empty() {
        Some(Columns {
            subdistrict: at(COLUMNS[0]),
            required,
        })
    } else {
        errors.push(RowError::new(
            1,
            None,
            "missing_columns",
            format!(
                "the header must name the columns [subdistrict,]community,name,kind,households,buildings; missing: {}",
                missing.join(", ")
            ),
        ));
        None
    }
}

fn parse_row(
    line: u64,
    record: &csv::StringRecord,
    columns: &Columns,
    errors: &mut RowErrors,
) -> Option<GridRow> {
    let [community_at, name_at, kind_at, households_at, buildings_at] = columns.required;
    let cell = |at: usize| record.get(at).unwrap_or("");
    let before = errors.count();
    let mut invalid = |field: &str, message: String| {
        errors.push(RowError::new(line, Some(field), "invalid_value", message));
    };

    let subdistrict = columns
        .subdistrict
        .map(cell)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let community = cell(community_at).to_owned();
    if community.is_empty() {
        invalid("community", "must name a community".to_owned());
    }
    let name = PlaceName::parse("name", cell(name_at))
        .map_err(|e| invalid("name", e.message))
        .ok();
    let kind = cell(kind_at)
        .parse::<GridKind>()
        .map_err(|e| invalid("kind", e.message))
        .ok();
    let households = cell(households_at)
        .parse::<i64>()
        .map_err(|_| "must be a whole number".to_owned())
        .and_then(|n| Households::new(n).map_err(|e| e.message))
        .map_err(|message| invalid("households", message))
        .ok();
    let buildings = parse_buildings(cell(buildings_at), &mut invalid);

    match (name, kind, households) {
        (Some(name), Some(kind), Some(households)) if errors.count() == before => Some(GridRow {
            line,
            subdistrict,
            community,
            name,
            kind,
            households,
            buildings,
        }),
        _ => None,
    }
}

/// The `;`-separated buildings of one row; a name listed twice is reported once.
fn parse_buildings(cell: &str, invalid: &mut impl FnMut(&str, String)) -> Vec<PlaceName> {
    let names = cell.split(';').filter(|b| !b.trim().is_empty());
    if names.clone().count() > MAX_BUILDINGS_PER_GRID {
        invalid(
            "buildings",
            format!("a grid holds at most {MAX_BUILDINGS_PER_GRID} buildings"),
        );
        return Vec::new();
    }
    let mut buildings: Vec<PlaceName> = Vec::new();
    let mut listed: HashSet<PlaceName> = HashSet::new();
    let mut repeated: HashSet<PlaceName> = HashSet::new();
    for raw in names {
        match PlaceName::parse("buildings", raw) {
            Ok(building) if listed.contains(&building) => {
                if repeated.insert(building.clone()) {
                    invalid("buildings", format!("building `{building}` is listed twice"));
                }
            }
            Ok(building) => {
                listed.insert(building.clone());
                buildings.push(building);
            }
            Err(e) => invalid("buildings", e.message),
        }
    }
    buildings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Vec<GridRow>, Vec<RowError>) {
        let mut errors = RowErrors::default();
        let rows = parse_grid_csv(text, DEFAULT_MAX_ROWS, &mut errors).unwrap();
        let GridError::ImportRejected { errors, .. } = errors.into_error() else {
            unreachable!()
        };
        (rows, errors)
    }

    #[test]
    fn a_good_file_gives_its_rows() {
        let (rows, errors) = parse(
            "community,name,kind,households,buildings\n\
             幸福里社区,一网格,residential,420,1号楼;2号楼\n\
             幸福里社区,实验小学,dedicated,0,\n",
        );
        assert!(errors.is_empty());
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].buildings.len(), 2);
        assert_eq!(rows[1].kind, GridKind::Dedicated);
    }

    #[test]
    fn every_bad_row_is_named_by_its_line() {
        let (rows, errors) = parse(
            "community,name,kind,households,buildings\n\
             幸福里社区,一网格,residential,420,\n\
             幸福里社区,二网格,mixed,420,\n\
             幸福里社区,三网格,residential,many,\n\
             幸福里社区,一网格,reserved,10,\n",
        );
        assert_eq!(rows.len(), 1);
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5]);
        assert_eq!(errors[0].field.as_deref(), Some("kind"));
        assert_eq!(errors[1].field.as_deref(), Some("households"));
    }

    #[test]
    fn chinese_headers_in_any_order_are_understood() {
        let (rows, _) = parse("网格,社区,户数,类型,楼栋\n一网格,幸福里社区,350,居民网格,1号楼\n");
        assert_eq!(rows[0].community, "幸福里社区");
        assert_eq!(rows[0].households.get(), 350);
    }

    #[test]
    fn a_file_without_the_columns_is_refused_at_line_one() {
        let (_, errors) = parse("a,b\n1,2\n");
        assert_eq!(errors[0].line, 1);
    }
}
