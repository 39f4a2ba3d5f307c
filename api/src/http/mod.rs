//! What every context's HTTP face shares: the error shape, pagination, security, common
//! DTOs, the middleware, and the operations endpoints. The API is assembled in
//! `crate::routes`.

pub mod contract;
pub mod contract_check;
pub mod csv;
pub mod csv_export;
pub mod dto;
pub mod error;
pub mod events;
pub mod form;
pub mod i18n;
pub mod method_override;
pub mod middleware;
pub mod ops;
pub mod pagination;
pub mod security;
pub mod state;
