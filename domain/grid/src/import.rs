//! Reading grids from a CSV file, as a district's spreadsheet exports them:
//! `community,name,kind,households,buildings`, the buildings separated by `;`.
//! Every bad row is reported with its line number; a file with any bad row imports nothing.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::models::{GridKind, Households, PlaceName};

pub const MAX_ROWS: usize = 5_000;
pub const MAX_BUILDINGS_PER_GRID: usize = 200;

/// One good row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridRow {
    /// The line in the file, counting the header as line 1.
    pub line: u64,
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
    pub message: String,
}

impl RowError {
    pub fn new(line: u64, field: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            line,
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }
}

const COLUMNS: [(&str, &str); 5] = [
    ("community", "社区"),
    ("name", "网格"),
    ("kind", "类型"),
    ("households", "户数"),
    ("buildings", "楼栋"),
];

/// Parses the file into its good rows and the errors of its bad ones. Rows are checked on
/// their own and against each other (a grid named twice in one community); checks against
/// what is stored are the service's, so that one answer can name every bad line.
pub fn parse_grid_csv(text: &str) -> (Vec<GridRow>, Vec<RowError>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let columns = match header_columns(&mut reader) {
        Ok(columns) => columns,
        Err(errors) => return (Vec::new(), errors),
    };

    let mut rows: Vec<GridRow> = Vec::new();
    let mut errors: Vec<RowError> = Vec::new();
    let mut first_line_of: HashMap<(String, PlaceName), u64> = HashMap::new();
    let mut read = 0usize;
    for (index, record) in reader.records().enumerate() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(index as u64 + 2, csv::Position::line);
                errors.push(RowError::new(line, None, format!("unreadable row: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(index as u64 + 2, csv::Position::line);
        if record.iter().all(str::is_empty) {
            continue;
        }
        read += 1;
        if read > MAX_ROWS {
            errors.push(RowError::new(
                line,
                None,
                format!("a file holds at most {MAX_ROWS} grids"),
            ));
            break;
        }
        match parse_row(line, &record, &columns) {
            Ok(row) => match first_line_of.entry((row.community.clone(), row.name.clone())) {
                Entry::Occupied(first) => errors.push(RowError::new(
                    line,
                    Some("name"),
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
            },
            Err(mut row_errors) => errors.append(&mut row_errors),
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(RowError::new(1, None, "the file holds no grids"));
    }
    (rows, errors)
}

/// Where each column is: headers may come in any order, in English or in Chinese.
fn header_columns(reader: &mut csv::Reader<&[u8]>) -> Result<[usize; 5], Vec<RowError>> {
    let headers = reader
        .headers()
        .map_err(|e| vec![RowError::new(1, None, format!("unreadable header: {e}"))])?
        .clone();
    let mut positions = [0usize; 5];
    let mut missing = Vec::new();
    for (slot, (english, chinese)) in positions.iter_mut().zip(COLUMNS) {
        match headers.iter().position(|h| h == english || h == chinese) {
            Some(at) => *slot = at,
            None => missing.push(english),
        }
    }
    if missing.is_empty() {
        Ok(positions)
    } else {
        Err(vec![RowError::new(
            1,
            None,
            format!(
                "the header must name the columns community,name,kind,households,buildings; missing: {}",
                missing.join(", ")
            ),
        )])
    }
}

fn parse_row(line: u64, record: &csv::StringRecord, columns: &[usize; 5]) -> Result<GridRow, Vec<RowError>> {
    let [community_at, name_at, kind_at, households_at, buildings_at] = *columns;
    let cell = |at: usize| record.get(at).unwrap_or("");
    let mut errors = Vec::new();

    let community = cell(community_at).to_owned();
    if community.is_empty() {
        errors.push(RowError::new(line, Some("community"), "must name a community"));
    }
    let name = PlaceName::parse("name", cell(name_at))
        .map_err(|e| errors.push(RowError::new(line, Some("name"), e.message)))
        .ok();
    let kind = cell(kind_at)
        .parse::<GridKind>()
        .map_err(|e| errors.push(RowError::new(line, Some("kind"), e.message)))
        .ok();
    let households = cell(households_at)
        .parse::<i64>()
        .map_err(|_| "must be a whole number".to_owned())
        .and_then(|n| Households::new(n).map_err(|e| e.message))
        .map_err(|message| errors.push(RowError::new(line, Some("households"), message)))
        .ok();
    let mut buildings: Vec<PlaceName> = Vec::new();
    let mut listed: HashSet<PlaceName> = HashSet::new();
    let names: Vec<&str> = cell(buildings_at)
        .split(';')
        .filter(|b| !b.trim().is_empty())
        .collect();
    if names.len() > MAX_BUILDINGS_PER_GRID {
        errors.push(RowError::new(
            line,
            Some("buildings"),
            format!("a grid holds at most {MAX_BUILDINGS_PER_GRID} buildings"),
        ));
    } else {
        for raw in names {
            match PlaceName::parse("buildings", raw) {
                Ok(building) if listed.contains(&building) => errors.push(RowError::new(
                    line,
                    Some("buildings"),
                    format!("building `{building}` is listed twice"),
                )),
                Ok(building) => {
                    listed.insert(building.clone());
                    buildings.push(building);
                }
                Err(e) => errors.push(RowError::new(line, Some("buildings"), e.message)),
            }
        }
    }

    match (name, kind, households) {
        (Some(name), Some(kind), Some(households)) if errors.is_empty() => Ok(GridRow {
            line,
            community,
            name,
            kind,
            households,
            buildings,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_file_gives_its_rows() {
        let (rows, errors) = parse_grid_csv(
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
        let (rows, errors) = parse_grid_csv(
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
        let (rows, _) = parse_grid_csv("网格,社区,户数,类型,楼栋\n一网格,幸福里社区,350,居民网格,1号楼\n");
        assert_eq!(rows[0].community, "幸福里社区");
        assert_eq!(rows[0].households.get(), 350);
    }

    #[test]
    fn a_file_without_the_columns_is_refused_at_line_one() {
        let (_, errors) = parse_grid_csv("a,b\n1,2\n");
        assert_eq!(errors[0].line, 1);
    }
}
