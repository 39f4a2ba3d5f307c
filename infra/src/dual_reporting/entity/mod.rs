pub mod member_report;
pub mod service_category;
pub mod transferred_member;
pub mod unit;
pub mod unit_report;
pub mod unit_roster;
pub mod unit_roster_entry;
