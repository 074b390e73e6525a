//! Searching as a use case: the advanced search and Quick Search for an actor, on an index
//! brought up to date first, with the desk's visibility rules. Also the list of every
//! ticket an actor may see in Quick Search form, for the site's client-side search.

use crate::index::{self, Hit, Observer, Options, Report, Request, Results};
use crate::model::Staff;
use crate::store::{Desk, DeskRead};

/// The advanced search ("Search Tickets").
pub fn search(
    desk: &Desk,
    me: &Staff,
    req: &Request,
    opts: Options,
    obs: &dyn Observer,
) -> index::Result<(Results, Report)> {
    let settings = desk.reader()?.settings()?;
    index::with_index(desk, opts, obs, |si| index::search(si, me, &settings, req))
}

/// Quick Search: an id, words of the title, or a full or partial e-mail address.
pub fn quick(
    desk: &Desk,
    me: &Staff,
    term: &str,
    limit: usize,
    opts: Options,
    obs: &dyn Observer,
) -> index::Result<(Results, Report)> {
    let settings = desk.reader()?.settings()?;
    index::with_index(desk, opts, obs, |si| {
        index::quick(si, me, &settings, term, limit)
    })
}

/// Every ticket `me` may see (closed ones too), newest activity first, as search hits: what
/// a static page needs to offer Quick Search without a server.
pub fn visible_tickets(desk: &Desk, me: &Staff, obs: &dyn Observer) -> index::Result<Vec<Hit>> {
    let req = Request {
        parts: Vec::new(),
        kinds: Some(vec![index::Kind::Ticket]),
        sort: index::Sort::Updated,
        limit: usize::MAX,
    };
    search(desk, me, &req, Options::default(), obs).map(|(r, _)| r.hits)
}
