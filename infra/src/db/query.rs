//! Query pieces every repository uses: scope filters and keyset pages.

use linli_kernel::actor::Reach;
use linli_kernel::{Page, PageRequest};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

/// The columns that place a row in the tree; `None` where the table has no such column.
pub(crate) struct PathColumns<C> {
    pub subdistrict: Option<C>,
    pub community: Option<C>,
    pub grid: Option<C>,
    pub building: Option<C>,
    /// The kind and id columns naming a node beside the tree, for tables that hold one.
    pub side: Option<(C, C)>,
}

/// Rows inside the reach: the district takes all; otherwise any listed node on the row's
/// path (or the side node it holds) lets it through. A reach naming nothing lets nothing
/// through.
pub(crate) fn reach_condition<C: ColumnTrait>(reach: &Reach, columns: PathColumns<C>) -> Condition {
    if reach.whole_district {
        return Condition::all();
    }
    let lists = [
        (
            columns.subdistrict,
            reach.subdistricts.iter().map(|i| i.as_uuid()).collect::<Vec<_>>(),
        ),
        (
            columns.community,
            reach.communities.iter().map(|i| i.as_uuid()).collect(),
        ),
        (columns.grid, reach.grids.iter().map(|i| i.as_uuid()).collect()),
        (
            columns.building,
            reach.buildings.iter().map(|i| i.as_uuid()).collect(),
        ),
    ];
    let mut any = Condition::any();
    let mut added = false;
    for (column, ids) in lists {
        if let Some(column) = column
            && !ids.is_empty()
        {
            any = any.add(column.is_in(ids));
            added = true;
        }
    }
    if let Some((kind_column, id_column)) = columns.side {
        for (kind, id) in &reach.sides {
            any = any.add(
                Condition::all()
                    .add(kind_column.eq(kind.as_str()))
                    .add(id_column.eq(*id)),
            );
            added = true;
        }
    }
    if added {
        any
    } else {
        Condition::all().add(Expr::val(1).eq(0))
    }
}

/// One page of `select`, ordered by `id` (UUID v7: creation order), after the cursor.
pub(crate) async fn keyset_page<E, C>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    id: C,
    page: PageRequest,
    id_of: impl Fn(&E::Model) -> Uuid,
) -> Result<Page<E::Model>, DbErr>
where
    E: EntityTrait,
    C: ColumnTrait,
{
    let mut select = select.order_by_asc(id).limit(page.fetch_limit());
    if let Some(after) = page.after() {
        select = select.filter(id.gt(after));
    }
    let rows = select.all(db).await?;
    Ok(Page::from_rows(rows, page, id_of))
}

/// One page of `select`, newest first (UUID v7 ids: creation order reversed), after the
/// cursor: the cursor is the last id of the previous page, and the next page holds older ones.
pub(crate) async fn keyset_page_newest_first<E, C>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    id: C,
    page: PageRequest,
    id_of: impl Fn(&E::Model) -> Uuid,
) -> Result<Page<E::Model>, DbErr>
where
    E: EntityTrait,
    C: ColumnTrait,
{
    let mut select = select.order_by_desc(id).limit(page.fetch_limit());
    if let Some(after) = page.after() {
        select = select.filter(id.lt(after));
    }
    let rows = select.all(db).await?;
    Ok(Page::from_rows(rows, page, id_of))
}
