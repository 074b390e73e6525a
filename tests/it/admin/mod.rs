//! Administration: settings, staff (edit, grant, revoke, "My Profile"), queues (with both
//! ways of deleting one and the last-queue refusal), accounts and resellers with custom
//! prices. Every change is one commit named by its trailers; every refusal names the
//! permission or the reason and leaves no commit.

use crate::lifecycle::{refused, ticket, trailers};
use crate::support::*;

mod customers;
mod queues;
mod staff;
