pub mod member_report;
pub mod service_category;
pub mod unit;
pub mod unit_report;
