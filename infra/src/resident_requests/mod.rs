//! Resident requests' adapters: the request categories, requests with their timelines, tasks,
//! and their migrations. People, homes, grants and the tree are read through the kernel's
//! ports, which identity and grid serve.

pub mod entity;
mod migration;

mod categories;
mod requests;
mod rows;
mod tasks;

pub(crate) use migration::migrations;
