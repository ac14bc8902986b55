//! jobs: a job or task group that the next registration stops, and a group scaled to zero.

use super::model::Job;
use super::{GROUP_REMOVED, JOB_REMOVED, SCALED_TO_ZERO};
use crate::analyze::FileView;
use crate::change::Side;
use crate::finding::{Finding, Severity};

fn weight(stateful: bool) -> (Severity, &'static str) {
    if stateful {
        (
            Severity::High,
            " It keeps data (a volume, a sticky disk or a database): take a backup before it goes.",
        )
    } else {
        (Severity::Medium, "")
    }
}

pub(super) fn check(view: &FileView, base: &[Job], head: &[Job], out: &mut Vec<Finding>) {
    for job in base {
        let stateful = job.groups.iter().any(|g| g.stateful());
        let Some(now) = head.iter().find(|j| j.name == job.name) else {
            let (severity, data) = weight(stateful);
            let how = if head.is_empty() && view.new_text().is_none() {
                "its file is deleted"
            } else {
                "its `job` block is gone or renamed (a renamed job is a new job)"
            };
            out.push(
                Finding::new(
                    &JOB_REMOVED,
                    view.at(Side::Base, job.line, job.line),
                    format!(
                        "The Nomad job `{}` is removed: {how}, so whatever registers the repository's jobs stops and deregisters it.{data}",
                        job.name
                    ),
                )
                .with_severity(severity),
            );
            continue;
        };
        for group in &job.groups {
            match now.groups.iter().find(|g| g.name == group.name) {
                None => {
                    let (severity, data) = weight(group.stateful());
                    out.push(
                        Finding::new(
                            &GROUP_REMOVED,
                            view.at(Side::Base, group.line, group.line),
                            format!(
                                "The task group `{}` is removed from the Nomad job `{}` (or renamed): the next `nomad job run` stops all its allocations.{data}",
                                group.name, job.name
                            ),
                        )
                        .with_severity(severity),
                    );
                }
                Some(after) => {
                    let zero = |c: Option<(f64, u32)>| c.is_some_and(|(n, _)| n == 0.0);
                    if zero(after.count) && !zero(group.count) {
                        let line = after.count.map_or(after.line, |(_, l)| l);
                        out.push(Finding::new(
                            &SCALED_TO_ZERO,
                            view.at(Side::Head, line, line),
                            format!(
                                "The task group `{}` of the Nomad job `{}` is scaled to zero: every allocation stops until the count is raised again.",
                                after.name, job.name
                            ),
                        ));
                    }
                }
            }
        }
    }
}
