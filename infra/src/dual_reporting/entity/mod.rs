pub mod appraisal;
pub mod member_report;
pub mod service_category;
pub mod unit;
pub mod unit_appraisal;
pub mod unit_report;
