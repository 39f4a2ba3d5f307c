//! The grid context's adapters: the structure's tables (subdistricts, communities, grids,
//! buildings, stairwells, Party branches), its migrations, the scope directory of the tree,
//! and the coverage figures. A grid's team is a set of role grants, which identity's adapter
//! keeps.

pub mod entity;
mod migration;

mod branches;
mod constraints;
mod coverage;
mod directory;
mod places;
mod rows;

pub(crate) use migration::migrations;
