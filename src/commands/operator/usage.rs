//! `sd operator usage instances [-billable|-connect] [-all-datacenters]`: how many services and
//! service instances the catalog holds, billable and by Connect kind, in Consul's layout.

use std::fmt::Write;
use std::process::ExitCode;

use clap::{ArgMatches, Command};

use crate::api::operator::Usage;
use crate::cli::{http_flags, output};
use crate::client::{block_on, QueryOptions};
use crate::commands::{CliError, CmdResult};
use crate::goflag::{flag, get_flag};

pub fn cli() -> Command {
    Command::new("usage")
        .about("Provides cluster-level usage information")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("instances")
                .about("Display service instance usage information")
                .long_about(
                    "Counts the services and service instances registered in the datacenter: \
                     the billable ones (all but the servers' own `consul` instances) and those \
                     of each Connect kind (all 0: sd has no Connect).",
                )
                .arg(flag(
                    "billable",
                    "Display only billable service info. Cannot be used with -connect.",
                ))
                .arg(flag(
                    "connect",
                    "Display only Connect service info. Cannot be used with -billable.",
                ))
                .arg(flag(
                    "all-datacenters",
                    "Display service counts from all datacenters.",
                ))
                .arg(crate::commands::stray_args())
                .args(http_flags::http_args())
                .args(http_flags::server_args()),
        )
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let Some(("instances", m)) = m.subcommand() else {
        unreachable!("clap requires a usage subcommand")
    };
    crate::commands::no_arguments(m)?;
    let (billable_only, connect_only) = (get_flag(m, "billable"), get_flag(m, "connect"));
    if billable_only && connect_only {
        return Err(CliError::failure(
            "Cannot specify both -billable and -connect flags",
        ));
    }
    let client = crate::commands::connect(m)?;
    let q = QueryOptions {
        stale: http_flags::stale(m),
        ..Default::default()
    };
    let all = get_flag(m, "all-datacenters");
    let usage = block_on(client.operator().usage(&q, all))
        .map_err(|e| CliError::failure(format!("Error fetching usage information: {e}")))?;
    output::write_raw(render(&usage, !connect_only, !billable_only, all).as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// The report: billable totals and table, then the Connect table, as Consul prints them.
fn render(usage: &Usage, billable: bool, connect: bool, per_dc: bool) -> String {
    let mut out = String::new();
    if billable {
        let total: u64 = usage
            .usage
            .values()
            .map(|u| u.billable_service_instances)
            .sum();
        let _ = writeln!(out, "Billable Service Instances Total: {total}");
        for (dc, u) in &usage.usage {
            let _ = writeln!(
                out,
                "{dc} Billable Service Instances: {}",
                u.billable_service_instances
            );
        }
        let rows: Vec<Row> = usage
            .usage
            .iter()
            .map(|(dc, u)| {
                (
                    dc.as_str(),
                    u.services.to_string(),
                    u.billable_service_instances,
                )
            })
            .collect();
        let services: u64 = usage.usage.values().map(|u| u.services).sum();
        let totals = format!("Total\t{services}\t");
        let _ = writeln!(
            out,
            "\nBillable Services\n{}\n",
            table("Services", &rows, per_dc, &totals)
        );
    }
    if connect {
        let rows: Vec<Row> = usage
            .usage
            .iter()
            .flat_map(|(dc, u)| {
                u.connect_service_instances
                    .iter()
                    .map(move |(kind, n)| (dc.as_str(), kind.clone(), *n))
            })
            .collect();
        let _ = writeln!(
            out,
            "Connect Services\n{}",
            table("Type", &rows, per_dc, "Total\t\t")
        );
    }
    out
}

/// A table row: datacenter, the first column's cell, service instances.
type Row<'a> = (&'a str, String, u64);

/// One table under `first` and `Service instances`, with a Datacenter column and a line of
/// totals (`totals` then the instances' sum) when `per_dc`.
fn table(first: &str, rows: &[Row], per_dc: bool, totals: &str) -> String {
    let dc_cell = |dc: &str| {
        if per_dc {
            format!("{dc}\t")
        } else {
            String::new()
        }
    };
    let mut text = format!("{}{first}\tService instances\n", dc_cell("Datacenter"));
    for (dc, cell, instances) in rows {
        let _ = writeln!(text, "{}{cell}\t{instances}", dc_cell(dc));
    }
    if per_dc {
        let instances: u64 = rows.iter().map(|(_, _, n)| n).sum();
        let _ = write!(text, "\t\t\n{totals}{instances}\n");
    }
    let laid = output::go_tabwriter(text.as_bytes(), 0, 6);
    String::from_utf8_lossy(&laid).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::operator::ServiceUsage;

    fn usage() -> Usage {
        let mut u = Usage::default();
        u.usage.insert(
            "dc1".into(),
            ServiceUsage {
                services: 10,
                service_instances: 35,
                billable_service_instances: 20,
                connect_service_instances: [("connect-native", 1), ("connect-proxy", 3)]
                    .map(|(k, n)| (k.to_string(), n))
                    .into(),
                nodes: 3,
            },
        );
        u
    }

    #[test]
    fn consuls_layout() {
        assert_eq!(
            render(&usage(), true, true, false),
            "Billable Service Instances Total: 20\ndc1 Billable Service Instances: 20\n\n\
             Billable Services\nServices      Service instances\n10            20\n\n\
             Connect Services\nType                Service instances\n\
             connect-native      1\nconnect-proxy       3\n"
        );
        assert_eq!(
            render(&usage(), true, false, true),
            "Billable Service Instances Total: 20\ndc1 Billable Service Instances: 20\n\n\
             Billable Services\nDatacenter      Services      Service instances\n\
             dc1             10            20\n                              \n\
             Total           10            20\n\n"
        );
    }
}
