//! Shapes the API speaks that several groups share. Domain types never derive poem-openapi
//! traits; they are converted here.

use std::borrow::Cow;

use chrono::{DateTime, SecondsFormat, Utc};
use linli_kernel::people::PersonView;
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use poem_openapi::{ApiResponse, Enum, Object};
use serde_json::Value;
use uuid::Uuid;

/// 201 with the created thing.
#[derive(ApiResponse)]
pub enum Created<T: ToJSON + ParseFromJSON + Send + Sync> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<T>),
}

/// 204: done, nothing to say.
#[derive(ApiResponse)]
pub enum Done {
    /// Done.
    #[oai(status = 204)]
    NoContent,
}

/// The roles of DOMAIN.md. `volunteer` and `resident` are held implicitly and never granted.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case", remote = "linli_kernel::Role")]
pub enum RoleName {
    DistrictAdmin,
    SubdistrictAdmin,
    CommunityAdmin,
    GridLeader,
    GridWorker,
    StairwellLeader,
    UnitAdmin,
    TeamLeader,
    PartyMember,
    Volunteer,
    Resident,
}

/// A person as you may see them: real name and phone are masked (`138****5678`) unless your
/// scope covers the person.
#[derive(Object, Debug, Clone)]
pub struct Person {
    pub id: Uuid,
    #[oai(nullable)]
    pub nickname: Option<String>,
    #[oai(nullable)]
    pub real_name: Option<String>,
    #[oai(nullable)]
    pub phone: Option<String>,
    /// Whether real name and phone were masked for you.
    pub masked: bool,
}

impl From<PersonView> for Person {
    fn from(p: PersonView) -> Self {
        Self {
            id: p.id.as_uuid(),
            nickname: p.nickname,
            real_name: p.real_name,
            phone: p.phone,
            masked: p.masked,
        }
    }
}

/// A node of the tree, named.
#[derive(Object, Debug, Clone)]
pub struct Place {
    /// `district`, or `<kind>:<id>`, e.g. `grid:0190…`.
    pub scope: String,
    pub name: String,
    /// From the subdistrict down, e.g. `济阳街道 / 幸福里社区 / 三网格`.
    pub full_name: String,
}

impl From<linli_kernel::ports::ScopeNode> for Place {
    fn from(n: linli_kernel::ports::ScopeNode) -> Self {
        Self {
            scope: n.scope.to_string(),
            name: n.name,
            full_name: n.full_name,
        }
    }
}

/// A time in a response: RFC 3339 in UTC with exactly milliseconds
/// (`2026-11-26T08:30:00.123Z`). Nanoseconds break some phones' date parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub DateTime<Utc>);

impl From<DateTime<Utc>> for Timestamp {
    fn from(time: DateTime<Utc>) -> Self {
        Self(time)
    }
}

impl Timestamp {
    pub fn format(time: &DateTime<Utc>) -> String {
        time.to_rfc3339_opts(SecondsFormat::Millis, true)
    }
}

impl Type for Timestamp {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_date-time".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            example: Some(Value::String("2026-11-26T08:30:00.123Z".to_owned())),
            ..MetaSchema::new_with_format("string", "date-time")
        }))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(std::iter::once(self))
    }
}

impl ToJSON for Timestamp {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(Self::format(&self.0)))
    }
}

impl ParseFromJSON for Timestamp {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(s) => DateTime::parse_from_rfc3339(&s)
                .map(|t| Self(t.with_timezone(&Utc)))
                .map_err(|e| ParseError::custom(e.to_string())),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

/// A string in a request body, parsed strictly: poem-openapi's `String` takes `false` or
/// `12` as `"false"` / `"12"`, which logged `{"openid": false}` in as the user "false".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(pub String);

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<Text> for String {
    fn from(text: Text) -> Self {
        text.0
    }
}

impl Type for Text {
    const IS_REQUIRED: bool = true;
    type RawValueType = String;
    type RawElementValueType = String;

    fn name() -> Cow<'static, str> {
        "string".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        String::schema_ref()
    }

    fn as_raw_value(&self) -> Option<&String> {
        Some(&self.0)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a String> + 'a> {
        Box::new(std::iter::once(&self.0))
    }
}

impl ToJSON for Text {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

impl ParseFromJSON for Text {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(s) => Ok(Self(s)),
            other => Err(ParseError::expected_type(other)),
        }
    }
}
