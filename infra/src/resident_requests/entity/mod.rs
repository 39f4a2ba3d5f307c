pub mod request;
pub mod request_category;
pub mod task;
pub mod timeline_entry;
