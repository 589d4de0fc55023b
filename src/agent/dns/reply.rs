//! A DNS reply before it is encoded: the response code, the answers each with the additional
//! records it brought (so trimming an answer trims what only it needed), the authority section
//! and additional records that belong to no single answer.

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::Record;

/// One answer record and the additional records it introduced (an SRV target's address, the
/// target node's meta).
#[derive(Debug, Clone)]
pub struct Unit {
    pub answer: Record,
    pub extra: Vec<Record>,
}

impl Unit {
    pub fn of(answer: Record) -> Unit {
        Unit {
            answer,
            extra: Vec::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub rcode: ResponseCode,
    pub units: Vec<Unit>,
    pub authority: Vec<Record>,
    pub additional: Vec<Record>,
}

impl Reply {
    /// A reply with this code and no records.
    pub fn code(rcode: ResponseCode) -> Reply {
        Reply {
            rcode,
            units: Vec::new(),
            authority: Vec::new(),
            additional: Vec::new(),
        }
    }

    /// A successful reply with these answers.
    pub fn answers(units: Vec<Unit>) -> Reply {
        Reply {
            units,
            ..Reply::code(ResponseCode::NoError)
        }
    }

    /// Whether the name does not exist or has no records of the asked type: the replies that
    /// carry the domain's SOA in the authority section.
    pub fn is_negative(&self) -> bool {
        self.rcode == ResponseCode::NXDomain
            || (self.rcode == ResponseCode::NoError && self.units.is_empty())
    }
}
